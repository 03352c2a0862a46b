#!/usr/bin/env python3
"""Pairwise precision/recall/F1 of a prediction file (all rows), and the best
recall reachable at precision >= 0.99 by thresholding the score column.

  python3 eval.py --truth truth.csv --pred pred.csv
"""
import argparse
import csv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--min-precision", type=float, default=0.99)
    a = ap.parse_args()
    truth = {(r["request_id"], r["person_id"]) for r in csv.DictReader(open(a.truth, newline="", encoding="utf-8"))}
    pred = {}
    for r in csv.DictReader(open(a.pred, newline="", encoding="utf-8")):
        k = (r["request_id"], r["person_id"])
        s = float(r.get("score") or 1.0)
        pred[k] = max(s, pred.get(k, s))
    tp = sum(k in truth for k in pred)
    p = tp / len(pred) if pred else 0.0
    rc = tp / len(truth) if truth else 0.0
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    ranked = sorted(pred.items(), key=lambda kv: -kv[1])
    hits, best_r, best_t = 0, 0.0, None
    for i, (k, s) in enumerate(ranked, 1):
        hits += k in truth
        if i < len(ranked) and ranked[i][1] == s:
            continue
        if hits / i >= a.min_precision and hits / len(truth) > best_r:
            best_r, best_t = hits / len(truth), s
    print(f"precision={p:.4f} recall={rc:.4f} f1={f1:.4f} recall@p>={a.min_precision}={best_r:.4f} (threshold {best_t})")


if __name__ == "__main__":
    main()
