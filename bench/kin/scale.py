#!/usr/bin/env python3
"""Synthetic scale-up for speed and memory only: K copies of a kin-synth set
with suffixed ids (copy k's requests, persons and truth pairs get "-k").
Every request then has K look-alike persons, so accuracy on the result is
not meaningful; wall time and peak memory are.

  python3 scale.py SRC_DIR K OUT_DIR
"""
import csv
import os
import sys

src, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
for name, idcols in (("south.csv", ["request_id", "applicant_id"]), ("diaspora.csv", ["request_id", "applicant_id"]),
                     ("north.csv", ["person_id"]), ("truth.csv", ["request_id", "person_id"])):
    p = os.path.join(src, name)
    if not os.path.exists(p):
        continue
    with open(p, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, name), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        for c in range(k):
            for r in rows:
                r2 = dict(r)
                for col in idcols:
                    r2[col] = f"{r[col]}-{c}"
                w.writerow(r2)
