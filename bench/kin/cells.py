#!/usr/bin/env python3
"""Where the confident errors are: a diagnosis against a truth file (nothing is
fitted from it).

  python3 cells.py --dir DATA_DIR --pred P.csv --vectors V.csv [--target 0.86]

V.csv is `examples/kin_vectors` output for the same set (every candidate's
comparison vector with its label). Prints
  1. the score cut where recall reaches --target, the false pairs above it and
     how many precision >= 0.99 allows, each false pair with whether its request
     has a match at all and whether anyone seeks the person;
  2. calibration per cell (family evidence F = same father's name or the
     applicant listed; given-name level; birth-year level) over predictions
     scored >= 0.7: mean predicted score against observed precision.
"""
import argparse
import collections
import csv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--target", type=float, default=0.86)
    a = ap.parse_args()
    truth = {(r["request_id"], r["person_id"]) for r in csv.DictReader(open(f"{a.dir}/truth.csv", encoding="utf-8"))}
    matched = {r for r, _ in truth}
    sought = collections.Counter(p for _, p in truth)
    preds = sorted(
        ((float(r["score"]), r["request_id"], r["person_id"]) for r in csv.DictReader(open(a.pred, encoding="utf-8"))),
        reverse=True,
    )
    need = int(a.target * len(truth) + 0.999)
    hits, cut, rank = 0, None, 0
    for rank, (s, r, p) in enumerate(preds, 1):
        hits += (r, p) in truth
        if hits >= need:
            cut = s
            break
    if cut is None:
        print(f"recall {a.target} is not reached at any score")
        return
    print(f"cut {cut:.4f}: {rank} pairs, {rank - hits} false, {int(rank * 0.01)} allowed at precision 0.99")
    kinds = collections.Counter()
    for s, r, p in preds:
        if s < cut:
            break
        if (r, p) in truth:
            continue
        kind = ("request has a match" if r in matched else "request has no match") + (
            ", person sought by another request" if sought[p] else ", person sought by nobody")
        kinds[kind] += 1
        print(f"  {s:.4f} {r} {p} {kind}")
    for k, n in kinds.most_common():
        print(f"  {n:3d} {k}")
    vec = {(v["request_id"], v["person_id"]): v for v in csv.DictReader(open(a.vectors, encoding="utf-8"))}
    cells = collections.defaultdict(lambda: [0, 0, 0.0])
    for s, r, p in preds:
        v = vec.get((r, p))
        if v is None or s < 0.7:
            continue
        fam = "F" if int(v["v2"]) >= 3 or int(v["v7"]) in (4, 5, 6) else "-"
        c = cells[(fam, v["v1"], v["v3"])]
        c[0] += 1
        c[1] += (r, p) in truth
        c[2] += s
    print("family given year: n false observed predicted (cells with a false pair, most false first)")
    for k in sorted(cells, key=lambda k: -(cells[k][0] - cells[k][1])):
        n, t, s = cells[k]
        if n > t:
            print(f"  {k[0]} {k[1]} {k[2]}: {n:4d} {n - t:3d} {t / n:.3f} {s / n:.3f}")


if __name__ == "__main__":
    main()
