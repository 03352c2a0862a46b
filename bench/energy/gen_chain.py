"""Writes a synthetic network: COPIES copies of a region folder chained together.

Copy k's buses, links and supplies get the suffix `_k<k>`; copy k's demand is scaled by
1 + 0.01 k; CN_N of copy k and CN_NE of copy k+1 are joined by two extendable links
(one each way, none existing, up to 60, 1,000 km). Standard library only.
usage: python3 gen_chain.py SRC_DIR COPIES OUT_DIR
"""
import csv
import os
import sys


def rows(path):
    with open(path) as f:
        r = list(csv.reader(f))
    return r[0], r[1:]


def main():
    src, copies, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    h, b = rows(os.path.join(src, "buses.csv"))
    with open(os.path.join(out, "buses.csv"), "w") as f:
        f.write(",".join(h) + "\n")
        for k in range(copies):
            for r in b:
                f.write(f"{r[0]}_k{k},{float(r[1]) + 0.01 * k},{r[2]}\n")
    h, ls = rows(os.path.join(src, "links.csv"))
    with open(os.path.join(out, "links.csv"), "w") as f:
        f.write(",".join(h) + "\n")
        for k in range(copies):
            for r in ls:
                f.write(",".join([f"{r[0]}_k{k}", f"{r[1]}_k{k}", f"{r[2]}_k{k}"] + r[3:]) + "\n")
        for k in range(copies - 1):
            f.write(f"CHAIN_k{k},CN_N_k{k},CN_NE_k{k + 1},0,1,60,1000,3500,0.99,0.0\n")
            f.write(f"CHAINR_k{k},CN_NE_k{k + 1},CN_N_k{k},0,1,60,1000,3500,0.99,0.0\n")
    h, s = rows(os.path.join(src, "supplies.csv"))
    with open(os.path.join(out, "supplies.csv"), "w") as f:
        f.write(",".join(h) + "\n")
        for k in range(copies):
            for r in s:
                f.write(",".join([f"{r[0]}_k{k}", f"{r[1]}_k{k}"] + r[2:]) + "\n")
    h, d = rows(os.path.join(src, "loads.csv"))
    with open(os.path.join(out, "loads.csv"), "w") as f:
        f.write(",".join([h[0]] + [f"{c}_k{k}" for k in range(copies) for c in h[1:]]) + "\n")
        for r in d:
            vals = [repr(float(v) * (1 + 0.01 * k)) for k in range(copies) for v in r[1:]]
            f.write(",".join([r[0]] + vals) + "\n")


if __name__ == "__main__":
    main()
