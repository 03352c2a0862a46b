#!/usr/bin/env python3
"""Pairwise precision/recall/F1 for link_csv output on FEBRL 4 or fake_1000.

  python3 linkage_eval.py febrl4 PAIRS.csv
  python3 linkage_eval.py fake1000 /work/shared/data/linkage/fake_1000.csv PAIRS.csv
"""
import csv
import itertools
import re
import sys


def prf(pred, truth):
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(truth) if truth else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"pairs={len(pred)} true={len(truth)} tp={tp} precision={p:.4f} recall={r:.4f} f1={f:.4f}"


def main():
    if sys.argv[1] == "febrl4":
        pred = {(r["left_id"], r["right_id"]) for r in csv.DictReader(open(sys.argv[2]))}
        num = lambda s: re.match(r"rec-(\d+)-", s).group(1)
        pred_ok = {(a, b) for a, b in pred}
        tp = {(a, b) for a, b in pred_ok if num(a) == num(b)}
        truth_n = 5000
        p = len(tp) / len(pred) if pred else 0
        r = len(tp) / truth_n
        print(f"pairs={len(pred)} true={truth_n} tp={len(tp)} precision={p:.4f} recall={r:.4f} f1={2*p*r/(p+r) if p+r else 0:.4f}")
    else:
        rows = list(csv.DictReader(open(sys.argv[2])))
        clusters = {}
        for r in rows:
            clusters.setdefault(r["cluster"], []).append(r["unique_id"])
        truth = set()
        for ids in clusters.values():
            for a, b in itertools.combinations(ids, 2):
                truth.add(tuple(sorted((a, b))))
        pred = {tuple(sorted((r["left_id"], r["right_id"]))) for r in csv.DictReader(open(sys.argv[3]))}
        print(prf(pred, truth))


if __name__ == "__main__":
    main()
