"""The pandas peer of `rsm bench humanitarian`: the same yearly aggregates (cases by party and
type, by party and outcome as of the report date, median days to resolution per party and for
all, aid by donor and sector in US cents at the rate in force on each flow's date) over the
CSV files that `rsm bench humanitarian --write-csv DIR` writes from the same seed.

It does NOT suppress small cells (pandas has no such step); the Rust figure includes
suppression, so the comparison slightly favours pandas. Reading the CSV is timed apart.

    python3 bench/humanitarian/report_pandas.py DIR [--runs 5]
"""

import resource
import statistics
import sys
import time

import pandas as pd

YEAR = 2026
AS_OF = pd.Timestamp("2027-03-01")
EXPONENT = {"USD": 2, "EUR": 2, "CNY": 2, "JPY": 0, "KRW": 0, "KPW": 2, "RUB": 2, "GBP": 2, "CHF": 2, "MNT": 2}


def load(folder):
    cases = pd.read_csv(f"{folder}/cases.csv", parse_dates=["referred_on", "resolved_on"], keep_default_na=False, na_values={"resolved_on": [""]})
    flows = pd.read_csv(f"{folder}/flows.csv", parse_dates=["date"], dtype={"amount": str}, keep_default_na=False)
    rates = pd.read_csv(f"{folder}/rates.csv", parse_dates=["effective"])
    return cases, flows, rates


def report(cases, flows, rates):
    year = cases[cases["referred_on"].dt.year == YEAR]
    by_kind = year.groupby(["referring_party", "kind"]).size().unstack(fill_value=0)
    resolved = year["resolved_on"].notna() & (year["resolved_on"] <= AS_OF)
    outcome = year["outcome"].where(resolved, "open")
    by_outcome = year.assign(outcome=outcome).groupby(["referring_party", "outcome"]).size().unstack(fill_value=0)
    days = (year.loc[resolved, "resolved_on"] - year.loc[resolved, "referred_on"]).dt.days
    medians = days.groupby(year.loc[resolved, "referring_party"]).median()
    median_all = days.median()

    f = flows[flows["date"].dt.year == YEAR].copy()
    # The export writes exactly the currency's decimals: dropping the point gives the
    # integer minor units, as the Rust side stores them.
    f["minor"] = f["amount"].str.replace(".", "", regex=False).astype("int64")
    f = f.sort_values("date")
    r = rates.sort_values("effective")
    usd = f[f["currency"] == "USD"].assign(rate=1.0)
    other = pd.merge_asof(f[f["currency"] != "USD"], r, left_on="date", right_on="effective", by="currency", direction="backward")
    g = pd.concat([usd, other])
    g["usd_cents"] = (g["minor"] * (10.0 ** (2 - g["currency"].map(EXPONENT))) / g["units_per_usd"].fillna(g["rate"])).round()
    aid = g.pivot_table(index=["donor", "sector"], columns="kind", values="usd_cents", aggfunc="sum", fill_value=0)
    return by_kind, by_outcome, medians, median_all, aid


def main():
    folder = sys.argv[1]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    t = time.perf_counter()
    cases, flows, rates = load(folder)
    print(f"read {len(cases)} cases and {len(flows)} flows in {time.perf_counter() - t:.2f} s")
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = report(cases, flows, rates)
        times.append((time.perf_counter() - t) * 1000)
    print(f"pandas {pd.__version__} yearly aggregates: median {statistics.median(times):.1f} ms over {runs} runs (min {min(times):.1f}, max {max(times):.1f})")
    print(f"peak resident memory of the process (data included): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    by_kind = out[0]
    print("cases by kind, total:", int(by_kind.to_numpy().sum()), "; median days, all:", out[3])


if __name__ == "__main__":
    main()
