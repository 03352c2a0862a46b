#!/usr/bin/env python3
"""Generate lunar.tsv: the Korean lunisolar calendar 1890-2050 (KARI standard; the
package's range ends in lunar 2050 month 11, so that year is partial),
one line per lunar year, from the PyPI package korean-lunar-calendar (MIT).

Run once:  /tmp/rsm-kin-venv/bin/python gen_lunar.py > lunar.tsv
Columns: lunar_year, solar date of lunar 1/1, leap month (0 = none),
month lengths in order (leap month right after its ordinary month), 'L' = 30 days, 'S' = 29.
"""
from korean_lunar_calendar import KoreanLunarCalendar

def days_in(cal, y, m, leap):
    if not cal.setLunarDate(y, m, 1, leap):
        return 0
    return 30 if cal.setLunarDate(y, m, 30, leap) else 29

print("# lunar_year\tnew_year_solar\tleap_month\tmonths (L=30,S=29; leap month follows its month)")
cal = KoreanLunarCalendar()
for y in range(1890, 2051):
    assert cal.setLunarDate(y, 1, 1, False)
    ny = cal.SolarIsoFormat()
    leap = 0
    months = ""
    for m in range(1, 13):
        d = days_in(cal, y, m, False)
        if not d:  # the package's table ends inside lunar 2050
            assert y == 2050, (y, m)
            break
        months += "L" if d == 30 else "S"
        ld = days_in(cal, y, m, True)
        if ld:
            leap = m
            months += "L" if ld == 30 else "S"
    print(f"{y}\t{ny}\t{leap}\t{months}")
