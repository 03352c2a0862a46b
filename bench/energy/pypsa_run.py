"""PyPSA side of the rsm-energy benchmarks.

Loads a network folder in the RSM/PyPSA CSV vocabulary (buses, links, supplies as
generators, loads per snapshot; snapshot weight 365/T unless snapshots.csv says
otherwise), solves it with PyPSA + linopy + HiGHS (simplex, one thread) and prints
JSON: objective, builds, model size, timings. With --n-1 it also solves every
single outage (existing links, then real supplies, in name order).
"""
import argparse
import warnings
import json
import os
import sys
import time

T0 = time.perf_counter()
import pandas as pd  # noqa: E402
import pypsa  # noqa: E402
import linopy  # noqa: E402
import highspy  # noqa: E402

T_IMPORT = time.perf_counter() - T0
warnings.simplefilter("ignore", FutureWarning)


def load(folder):
    buses = pd.read_csv(os.path.join(folder, "buses.csv"))
    links = pd.read_csv(os.path.join(folder, "links.csv"))
    sup = pd.read_csv(os.path.join(folder, "supplies.csv"))
    loads = pd.read_csv(os.path.join(folder, "loads.csv"))
    n = pypsa.Network()
    n.set_snapshots(list(range(len(loads))))
    w = 365.0 / len(loads)
    snap = os.path.join(folder, "snapshots.csv")
    if os.path.exists(snap):
        ws = pd.read_csv(snap)["weight"].values
    else:
        ws = [w] * len(loads)
    n.snapshot_weightings = pd.DataFrame(
        {c: [float(x) for x in ws] for c in n.snapshot_weightings.columns}, index=n.snapshots
    )
    bcol = "bus" if "bus" in buses.columns else "name"
    n.add("Carrier", "gas")
    n.add("Bus", buses[bcol].tolist(), x=buses["x"].values, y=buses["y"].values, carrier="gas")
    n.add(
        "Link",
        links["name"].tolist(),
        bus0=links["bus0"].values,
        bus1=links["bus1"].values,
        p_nom=links["p_nom"].values,
        p_nom_extendable=links["extendable"].astype(bool).values,
        p_nom_max=[m if e else float("inf") for m, e in zip(links["p_nom_max"], links["extendable"])],
        length=links["length"].values,
        capital_cost=links["capital_cost"].values,
        efficiency=links["efficiency"].values,
        marginal_cost=links["marginal_cost"].values,
    )
    n.add(
        "Generator",
        sup["name"].tolist(),
        bus=sup["bus"].values,
        p_nom=sup["p_nom"].values,
        marginal_cost=sup["marginal_cost"].values,
        carrier="gas",
    )
    tcol = "t" if "t" in loads.columns else loads.columns[0]
    cols = [c for c in loads.columns if c != tcol]
    p_set = loads[cols].copy()
    p_set.index = n.snapshots
    n.add("Load", [f"load_{c}" for c in cols], bus=cols, p_set=p_set.rename(columns=lambda c: f"load_{c}"))
    return n


def solve(n):
    t = time.perf_counter()
    status, cond = n.optimize(
        solver_name="highs",
        solver_options={"solver": "simplex", "threads": 1, "parallel": "off", "output_flag": False},
        progress=False,
    )
    wall = time.perf_counter() - t
    if status != "ok":
        raise SystemExit(f"PyPSA status {status} {cond}")
    solver_time = None
    try:
        solver_time = n.model.solver_model.getRunTime()
    except Exception:  # noqa: BLE001
        pass
    return wall, solver_time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--n-1", dest="n1", action="store_true")
    ap.add_argument("--out")
    a = ap.parse_args()
    t = time.perf_counter()
    n = load(a.folder)
    t_load = time.perf_counter() - t
    wall, solver_time = solve(n)
    m = n.model
    ext = n.links.index[n.links.p_nom_extendable]
    res = {
        "versions": {"pypsa": pypsa.__version__, "linopy": linopy.__version__,
                     "highspy": getattr(highspy, "__version__", "?"),
                     "highs": highspy.Highs().version() if hasattr(highspy.Highs(), "version") else "?"},
        "objective": float(n.objective),
        "builds": {k: float(v) for k, v in (n.links.p_nom_opt[ext] - n.links.p_nom[ext]).sort_index().items()},
        "variables": int(m.nvars),
        "constraints": int(m.ncons),
        "time_import_s": T_IMPORT,
        "time_load_s": t_load,
        "time_optimize_s": wall,
        "time_highs_run_s": solver_time,
    }
    if a.n1:
        base_links = n.links.copy()
        base_gens = n.generators.copy()
        outages = [("Link", l) for l in sorted(n.links.index[n.links.p_nom > 0])]
        outages += [("Supply", g) for g in sorted(n.generators.index[(n.generators.p_nom > 0) & ~n.generators.index.str.startswith("shed_")])]
        t = time.perf_counter()
        out = {}
        for kind, name in outages:
            if kind == "Link":
                n.links.loc[name, ["p_nom", "p_nom_max"]] = 0.0
            else:
                n.generators.loc[name, "p_nom"] = 0.0
            solve(n)
            out[name] = float(n.objective)
            n.links.loc[:, ["p_nom", "p_nom_max"]] = base_links[["p_nom", "p_nom_max"]]
            n.generators.loc[:, "p_nom"] = base_gens["p_nom"]
        res["n1"] = out
        res["time_n1_s"] = time.perf_counter() - t
    res["time_total_s"] = time.perf_counter() - T0
    text = json.dumps(res, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
