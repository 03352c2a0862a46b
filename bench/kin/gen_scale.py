#!/usr/bin/env python3
"""Synthetic lists of any size for speed and memory tests, seeded.

  python3 gen_scale.py SRC_DIR N_REQUESTS N_PERSONS OUT_DIR [SEED]

Records are recombined from a kin-synth set (SRC_DIR, e.g. dev-20k): every new
record takes its name from one source row, its father's given name from
another (the father keeps the record's surname), its birth date or year from a
third, its place from a fourth, its relatives or applicant from a fifth. So
surname, given-name, year and county frequencies — and therefore block sizes —
are those of the source set, scaled to N; unlike copies of the same set
(scale.py), no record has look-alike clones. There is no truth: the result is
for timing and memory only (accuracy is measured on the generator's own sets).
"""
import csv
import os
import random
import sys


def read(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def surname_of(name):
    return name[:1] if name else ""


def main():
    src, n_req, n_per, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 7)
    os.makedirs(out, exist_ok=True)
    south = read(os.path.join(src, "south.csv"))
    north = read(os.path.join(src, "north.csv"))
    pick = lambda rows: rows[rng.randrange(len(rows))]

    with open(os.path.join(out, "north.csv"), "w", newline="", encoding="utf-8") as f:
        cols = list(north[0].keys())
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for i in range(n_per):
            who = pick(north)            # name and sex
            fa = pick(north)             # father's given name
            born = pick(north)           # birth date and calendar
            place = pick(north)          # birthplace and residence
            rel = pick(north)            # relatives in the South
            sur = surname_of(who["name"])
            father = (sur + fa["father_name"][1:]) if fa["father_name"] else ""
            w.writerow({
                "person_id": f"N{i + 1:08d}", "name": who["name"], "sex": who["sex"],
                "birth_date": born["birth_date"], "calendar": born["calendar"], "father_name": father,
                "birthplace_province": place["birthplace_province"],
                "birthplace_county": place["birthplace_county"],
                "birthplace_village": place["birthplace_village"],
                "residence_province": place["residence_province"],
                "relatives_in_south": rel["relatives_in_south"],
            })

    with open(os.path.join(out, "south.csv"), "w", newline="", encoding="utf-8") as f:
        cols = list(south[0].keys())
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        applicants = 0
        i = 0
        while i < n_req:
            app = pick(south)            # applicant, relationship, sought year, registration
            applicants += 1
            for _ in range(min(rng.choice([1, 1, 2, 2, 3, 4]), n_req - i)):
                who = pick(south)        # sought name and sex
                fa = pick(south)         # father's given name
                place = pick(south)      # hometown
                sur = surname_of(who["sought_name"])
                father = (sur + fa["sought_father_name"][1:]) if fa["sought_father_name"] and sur else fa["sought_father_name"]
                row = dict(app)
                row.update({
                    "request_id": f"S{i + 1:08d}", "applicant_id": f"A{applicants:08d}",
                    "sought_name": who["sought_name"], "sought_sex": who["sought_sex"],
                    "sought_father_name": father,
                    "hometown_province": place["hometown_province"], "hometown_county": place["hometown_county"],
                    "hometown_township": place["hometown_township"], "hometown_village": place["hometown_village"],
                })
                w.writerow(row)
                i += 1


if __name__ == "__main__":
    main()
