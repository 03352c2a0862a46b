//! Dates: parsing with validation, the Korean lunisolar calendar
//! (1890–2050, with leap months) converted to solar dates, and birth-year
//! arithmetic (Korean age counting, uncertainty).
//!
//! The lunar table `data/lunar.tsv` was generated once from the PyPI package
//! `korean-lunar-calendar` (KARI standard) by `data/gen_lunar.py`.

use std::sync::OnceLock;

/// A proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
}

/// Why a date string is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not `yyyy-mm-dd` (or `yyyy`).
    #[error("not a date (want yyyy-mm-dd): {0:?}")]
    Syntax(String),
    /// A day that does not exist (2月30日, month 13 …).
    #[error("impossible date {0:?}")]
    Impossible(String),
    /// A lunar date outside the table or the month.
    #[error("lunar date {0:?} not in the calendar table (1890–2050)")]
    LunarOutOfRange(String),
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in a Gregorian month.
pub fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A checked date.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        (1..=12)
            .contains(&month)
            .then_some(())
            .filter(|()| day >= 1 && day <= days_in_month(year, month))
            .map(|()| Self { year, month, day })
    }

    /// Parses `yyyy-mm-dd` (also `yyyy.mm.dd`, `yyyy/mm/dd`).
    pub fn parse(s: &str) -> Result<Self, DateError> {
        let t = s.trim();
        // Exactly three parts (read without collecting them: a date is
        // parsed per row, three times per request file).
        let mut parts = t.split(['-', '.', '/']);
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DateError::Syntax(t.to_string()));
        };
        let y: i32 = y.parse().map_err(|_| DateError::Syntax(t.into()))?;
        let m: u8 = m.parse().map_err(|_| DateError::Syntax(t.into()))?;
        let d: u8 = d.parse().map_err(|_| DateError::Syntax(t.into()))?;
        Self::new(y, m, d).ok_or_else(|| DateError::Impossible(t.to_string()))
    }

    /// Days since 1970-01-01.
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
        Self {
            year: y,
            month: m,
            day: d,
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Debug)]
struct LunarYear {
    year: i32,
    new_year: i64,
    leap_month: u8,
    lengths: Vec<u8>,
}

const LUNAR: &str = include_str!("../data/lunar.tsv");

fn table() -> &'static [LunarYear] {
    static T: OnceLock<Vec<LunarYear>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v = Vec::new();
        for line in LUNAR.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let c: Vec<&str> = line.split('\t').collect();
            let (Some(y), Some(ny), Some(lm), Some(ms)) = (c.first(), c.get(1), c.get(2), c.get(3))
            else {
                continue;
            };
            let (Ok(year), Ok(new_year), Ok(leap_month)) =
                (y.parse(), Date::parse(ny), lm.parse::<u8>())
            else {
                continue;
            };
            let lengths = ms
                .bytes()
                .map(|b| if b == b'L' { 30 } else { 29 })
                .collect();
            v.push(LunarYear {
                year,
                new_year: new_year.to_days(),
                leap_month,
                lengths,
            });
        }
        v
    })
}

/// Converts a Korean lunar date to the solar (Gregorian) date.
/// `leap` selects the intercalary month of that number (윤달).
pub fn lunar_to_solar(year: i32, month: u8, day: u8, leap: bool) -> Result<Date, DateError> {
    let label = || {
        format!(
            "{year:04}-{month:02}-{day:02}{}",
            if leap { " (leap)" } else { "" }
        )
    };
    let t = table();
    let first = t.first().map_or(0, |y| y.year);
    let ly = usize::try_from(year - first)
        .ok()
        .and_then(|i| t.get(i))
        .ok_or_else(|| DateError::LunarOutOfRange(label()))?;
    if !(1..=12).contains(&month) || day == 0 || (leap && ly.leap_month != month) {
        return Err(DateError::Impossible(label()));
    }
    // Index of the month in the lengths list: leap month follows its month.
    let mut idx = usize::from(month - 1);
    if ly.leap_month != 0 && (month > ly.leap_month || (leap && month == ly.leap_month)) {
        idx += 1;
    }
    let len = *ly
        .lengths
        .get(idx)
        .ok_or_else(|| DateError::LunarOutOfRange(label()))?;
    if day > len {
        return Err(DateError::Impossible(label()));
    }
    let offset: i64 = ly.lengths[..idx].iter().map(|&l| i64::from(l)).sum();
    Ok(Date::from_days(ly.new_year + offset + i64::from(day) - 1))
}

/// Converts a lunar date leniently for matching: a day 30 in a 29-day month
/// is read as the last day (a common recording slip). Non-leap month.
pub fn lunar_to_solar_lenient(d: Date) -> Option<Date> {
    lunar_to_solar(d.year, d.month, d.day, false)
        .or_else(|_| lunar_to_solar(d.year, d.month, d.day.min(29), false))
        .ok()
}

/// Calendar of a recorded date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalendarKind {
    /// Gregorian.
    Solar,
    /// Korean lunisolar.
    Lunar,
}

/// The birth years a recorded birth may be remembered as: the solar year,
/// and for a lunar date also the lunar year (they differ for births early in
/// the solar year).
pub fn candidate_years(date: Date, kind: CalendarKind) -> (i32, Option<i32>) {
    match kind {
        CalendarKind::Solar => (date.year, None),
        CalendarKind::Lunar => match lunar_to_solar_lenient(date) {
            Some(s) => (s.year, (s.year != date.year).then_some(date.year)),
            None => (date.year, None),
        },
    }
}

/// The smallest gap between a remembered year and any of a birth's
/// candidate years.
pub fn year_gap(remembered: i32, years: (i32, Option<i32>)) -> i32 {
    let a = (remembered - years.0).abs();
    years.1.map_or(a, |b| a.min((remembered - b).abs()))
}

/// Birth year implied by a Korean age (세는나이) in a given year:
/// a newborn is 1, and everyone gains a year at the new year.
pub fn year_from_korean_age(age: i32, in_year: i32) -> i32 {
    in_year - age + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_reject() {
        assert_eq!(Date::parse("1937-02-01").unwrap().to_string(), "1937-02-01");
        assert!(matches!(
            Date::parse("1937-02-30"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(
            Date::parse("1937-13-01"),
            Err(DateError::Impossible(_))
        ));
        assert!(matches!(Date::parse("37년"), Err(DateError::Syntax(_))));
        // Three parts exactly, whatever the separators.
        assert!(matches!(Date::parse("1937-02"), Err(DateError::Syntax(_))));
        assert!(matches!(
            Date::parse("1937-02-01-05"),
            Err(DateError::Syntax(_))
        ));
        assert!(matches!(
            Date::parse("1937-02-01."),
            Err(DateError::Syntax(_))
        ));
        assert_eq!(Date::parse(" 1937.2/1 ").unwrap().to_string(), "1937-02-01");
        assert_eq!(Date::parse("1900-02-29").ok(), None);
        assert!(Date::parse("2000-02-29").is_ok());
    }

    #[test]
    fn days_round_trip() {
        for d in [-50_000_i64, -1, 0, 1, 20_000] {
            assert_eq!(Date::from_days(d).to_days(), d);
        }
        assert_eq!(Date::new(1970, 1, 1).unwrap().to_days(), 0);
    }

    #[test]
    fn lunar_dates() {
        // 음력 1936-12-20 is 양력 1937-02-01: born "1936 lunar" = 1937 solar.
        assert_eq!(
            lunar_to_solar(1936, 12, 20, false).unwrap().to_string(),
            "1937-02-01"
        );
        // 윤4월 15일 2020 (leap month) = 2020-06-06.
        assert_eq!(
            lunar_to_solar(2020, 4, 15, true).unwrap().to_string(),
            "2020-06-06"
        );
        assert_eq!(
            lunar_to_solar(2020, 1, 1, false).unwrap().to_string(),
            "2020-01-25"
        );
        // 1890 has a leap 2nd month; 1891 none.
        assert!(lunar_to_solar(1890, 2, 1, true).is_ok());
        assert!(lunar_to_solar(1891, 2, 1, true).is_err());
        assert!(matches!(
            lunar_to_solar(1850, 1, 1, false),
            Err(DateError::LunarOutOfRange(_))
        ));
    }

    #[test]
    fn years_and_korean_age() {
        let d = Date::new(1936, 12, 20).unwrap();
        assert_eq!(candidate_years(d, CalendarKind::Lunar), (1937, Some(1936)));
        assert_eq!(year_gap(1936, (1937, Some(1936))), 0);
        assert_eq!(year_from_korean_age(15, 1950), 1936);
    }
}
