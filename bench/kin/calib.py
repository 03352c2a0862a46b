#!/usr/bin/env python3
"""Calibration table: predicted score bucket vs observed precision.
  python3 calib.py truth.csv pred.csv"""
import csv, sys
truth = {(r["request_id"], r["person_id"]) for r in csv.DictReader(open(sys.argv[1]))}
rows = [((r["request_id"], r["person_id"]), float(r["score"])) for r in csv.DictReader(open(sys.argv[2]))]
edges = [0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99, 1.01]
for lo, hi in zip(edges, edges[1:]):
    b = [k in truth for k, s in rows if lo <= s < hi]
    if b:
        print(f"[{lo:.3f},{hi:.3f}) n={len(b):5d} precision={sum(b)/len(b):.3f}")
