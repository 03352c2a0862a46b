#!/usr/bin/env python3
"""Run a peer linker (Splink 5 or recordlinkage 0.16) on a kin-synth set and
write request_id,person_id,score rows (the format score.py reads).

  python peers.py --tool splink --south S.csv [--diaspora D.csv] --north N.csv --out PRED.csv
  python peers.py --tool recordlinkage ...

The configuration is each tool's documented style, written before any result
was seen: the generic preprocessing a user of the tool would do (split the name
into surname and given name, take the birth year from the date, keep the raw
place names), Fellegi-Sunter with u from random sampling and m by EM (Splink),
ECM (recordlinkage), then the best candidate per request (a request has at
most one match). No Korean-specific rules (initial-sound rule, surname
classes, romanisation, gazetteer) — those are what rsm-kin adds.
"""
import argparse
import sys

import pandas as pd


def split_name(s):
    s = (s or "").strip()
    if not s:
        return "", ""
    if " " in s or "," in s or s.isascii():
        toks = s.replace(",", " ").split()
        if len(toks) == 1:
            return toks[0].lower(), ""
        return toks[0].lower(), "".join(toks[1:]).lower()
    return s[:1], s[1:]


def load(south, diaspora, north):
    s = pd.read_csv(south, dtype=str, keep_default_na=False)
    if diaspora:
        d = pd.read_csv(diaspora, dtype=str, keep_default_na=False)
        s = pd.concat([s, d[s.columns]], ignore_index=True)
    n = pd.read_csv(north, dtype=str, keep_default_na=False)
    left = pd.DataFrame({
        "unique_id": s["request_id"],
        "surname": [split_name(x)[0] for x in s["sought_name"]],
        "given_name": [split_name(x)[1] for x in s["sought_name"]],
        "father_name": s["sought_father_name"],
        "birth_year": pd.to_numeric(s["sought_birth_year"], errors="coerce"),
        "sex": s["sought_sex"],
        "province": s["hometown_province"],
        "county": s["hometown_county"],
    })
    right = pd.DataFrame({
        "unique_id": n["person_id"],
        "surname": [split_name(x)[0] for x in n["name"]],
        "given_name": [split_name(x)[1] for x in n["name"]],
        "father_name": n["father_name"],
        "birth_year": pd.to_numeric(n["birth_date"].str[:4], errors="coerce"),
        "sex": n["sex"],
        "province": n["birthplace_province"],
        "county": n["birthplace_county"],
    })
    for df in (left, right):
        for c in ("surname", "given_name", "father_name", "sex", "province", "county"):
            df[c] = df[c].replace("", None)
    return left, right


def best_per_request(df, lcol, rcol, score):
    df = df.sort_values(score, ascending=False).drop_duplicates(lcol)
    return pd.DataFrame({"request_id": df[lcol], "person_id": df[rcol], "score": df[score]})


def run_splink(left, right, threshold):
    import splink.comparison_library as cl
    import splink.comparison_level_library as cll
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    db_api = DuckDBAPI()
    year = cl.CustomComparison(
        output_column_name="birth_year",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("birth_year"),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", label_for_charts="within 1"),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 3", label_for_charts="within 3"),
            cll.ElseLevel(),
        ],
    )
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ExactMatch("surname").configure(term_frequency_adjustments=True),
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("father_name", [0.9, 0.8]),
            year,
            cl.ExactMatch("sex"),
            cl.ExactMatch("province"),
            cl.JaroWinklerAtThresholds("county", [0.9]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname", "given_name"),
            block_on("surname", "birth_year"),
            block_on("given_name", "birth_year"),
            block_on("surname", "county"),
            block_on("father_name"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    dfl = db_api.register(left, dataset_display_name="south")
    dfr = db_api.register(right, dataset_display_name="north")
    linker = Linker([dfl, dfr], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("surname", "given_name", "birth_year")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "given_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_year", "county"))
    pred = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    if pred.empty:
        return pd.DataFrame(columns=["request_id", "person_id", "score"])
    # link_only: left ids come from the first registered table.
    l_is_south = pred["source_dataset_l"] == "south"
    pred["req"] = pred["unique_id_l"].where(l_is_south, pred["unique_id_r"])
    pred["per"] = pred["unique_id_r"].where(l_is_south, pred["unique_id_l"])
    return best_per_request(pred, "req", "per", "match_probability")


def run_recordlinkage(left, right, threshold):
    import recordlinkage as rl

    left = left.set_index("unique_id")
    right = right.set_index("unique_id")
    idx = rl.Index()
    idx.block(["surname", "given_name"])
    idx.block(["surname", "birth_year"])
    idx.block(["given_name", "birth_year"])
    pairs = idx.index(left, right)
    c = rl.Compare()
    c.exact("surname", "surname", label="surname")
    c.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given")
    c.string("father_name", "father_name", method="jarowinkler", threshold=0.85, label="father")
    c.numeric("birth_year", "birth_year", method="step", offset=1, label="year")
    c.exact("sex", "sex", label="sex")
    c.exact("province", "province", label="province")
    c.string("county", "county", method="jarowinkler", threshold=0.85, label="county")
    feats = c.compute(pairs, left, right).fillna(0).round().astype(int)
    ecm = rl.ECMClassifier(binarize=None)
    ecm.fit(feats)
    prob = pd.Series(ecm.prob(feats), index=feats.index)
    prob = prob[prob >= threshold].reset_index()
    prob.columns = ["req", "per", "p"]
    return best_per_request(prob, "req", "per", "p")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", choices=["splink", "recordlinkage"], required=True)
    ap.add_argument("--south", required=True)
    ap.add_argument("--diaspora")
    ap.add_argument("--north", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threshold", type=float, default=0.5)
    a = ap.parse_args()
    left, right = load(a.south, a.diaspora, a.north)
    run = run_splink if a.tool == "splink" else run_recordlinkage
    out = run(left, right, a.threshold)
    out.to_csv(a.out, index=False)
    print(f"{a.tool}: {len(out)} predictions", file=sys.stderr)


if __name__ == "__main__":
    main()
