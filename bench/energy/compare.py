"""Compares RSM and PyPSA results: objective (relative), builds (absolute, mcm/d), N-1 objectives.

usage: python3 compare.py RSM_SUMMARY_JSON PYPSA_JSON [RSM_STDOUT_WITH_N1]
"""
import json
import sys


def main():
    rsm = json.load(open(sys.argv[1]))
    py = json.load(open(sys.argv[2]))
    rel = abs(rsm["objective"] - py["objective"]) / abs(py["objective"])
    print(f"objective rsm {rsm['objective']:.6f} pypsa {py['objective']:.6f} rel_diff {rel:.3e} {'OK' if rel <= 1e-8 else 'FAIL'}")
    builds = {b["link"]: b["new_capacity"] for b in rsm["builds"]}
    worst = max(abs(builds.get(k, 0.0) - v) for k, v in py["builds"].items())
    print(f"builds {len(py['builds'])} links max_abs_diff {worst:.3e} mcm/d {'OK' if worst <= 1e-6 else 'FAIL'}")
    print(f"model rsm {rsm['model']['variables']} variables {rsm['model']['constraints']} constraints; "
          f"pypsa {py['variables']} variables {py['constraints']} constraints")
    if len(sys.argv) > 3 and "n1" in py:
        ours = {}
        for line in open(sys.argv[3]):
            f = line.split()
            if f and f[0] == "outage":
                ours[f[2]] = float(f[4])
        worst = 0.0
        for name, obj in py["n1"].items():
            r = abs(ours[name] - obj) / abs(obj)
            worst = max(worst, r)
            print(f"  outage {name:12s} rsm {ours[name]:.4f} pypsa {obj:.4f} rel_diff {r:.1e}")
        print(f"n-1 {len(py['n1'])} outages max_rel_diff {worst:.3e} {'OK' if worst <= 1e-8 else 'FAIL'}")


if __name__ == "__main__":
    main()
