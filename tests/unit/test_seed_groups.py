"""The history's seed groups (lossterm report) from known stored runs: what makes a group,
a seed trained twice, a run that did not end, and which settings the table names; no
training here (a real store: tests/integration/test_report_groups.py)."""

import json

import numpy as np
import pytest

from lossterm.analysis.seed_groups import seed_groups, varying
from lossterm.report.render import render
from lossterm.training.records import DONE, EpochRecord, RunResult

BASE = {"learning_rate": 0.01, "momentum": 0.0, "batch_size": 32, "epochs": 1,
        "optimizer": "sgd", "hidden_units": 50, "data": "abc", "backend": "tensorflow"}


def entry(order, seed, test, status=DONE, loss="hinge", **settings):
    record = EpochRecord(1, 0.5, 0.5, test, test, 0.1,
                         {"loss": 0.5, "val_loss": 0.5, "accuracy": test, "val_accuracy": test})
    result = RunResult("circles", loss, "binary", "tanh", "1, tanh", "{-1, 1}", "accuracy",
                       seed, 1, status, [record], learning_rate=settings.get("learning_rate"))
    return order, {**BASE, "seed": seed, **settings}, result


ENTRIES = [
    entry(1, 0, 0.70), entry(2, 1, 0.74), entry(3, 2, 0.10),
    entry(4, 2, 0.78),  # seed 2 trained again: the latest counts
    entry(5, 3, float("nan"), status="diverged"),
    entry(6, 0, 0.80, momentum=0.9), entry(7, 1, 0.84, momentum=0.9),
    entry(8, 0, 0.90, loss="binary_crossentropy", epochs=5),
]


def test_a_group_is_every_setting_but_the_seed_and_a_seed_counts_once():
    first, momentum, bce = seed_groups(ENTRIES)
    assert dict(first.figures) == {0: 0.70, 1: 0.74, 2: 0.78} and first.unfinished == 1
    assert first.stats.n == 3
    assert first.stats.sd == pytest.approx(np.std([0.70, 0.74, 0.78], ddof=1))
    assert first.stats.se == pytest.approx(first.stats.sd / np.sqrt(3))
    assert momentum.settings["momentum"] == 0.9 and momentum.seeds == [0, 1]
    assert bce.loss == "binary_crossentropy" and np.isnan(bce.stats.sd)


def test_the_table_names_what_tells_two_groups_of_one_loss_apart():
    # momentum splits hinge's groups; epochs differ only between losses: not a column
    assert varying(seed_groups(ENTRIES), always=("learning_rate",)) == [
        "learning_rate", "momentum"]


def test_a_report_shows_the_unfinished_seed_and_json_holds_nulls_not_nan():
    groups = seed_groups(ENTRIES)
    results = [e[2] for e in ENTRIES]
    text = render(results, "text", groups=groups)
    rows = [" ".join(line.split()) for line in text.splitlines() if "│ hinge" in line][-2:]  # the groups table
    assert rows == ["│ circles │ hinge │ 0.01 │ 0 │ accuracy │ 3/4 │ 0.740 │ 0.040 │ 0.023 │ "
                    "0.641–0.839 │",
                    "│ circles │ hinge │ 0.01 │ 0.9 │ accuracy │ 2 │ 0.820 │ 0.028 │ 0.020 │ "
                    "0.566–1.000 │"]
    payload = json.loads(render(results, "json", groups=groups))
    bce = payload["groups"][2]
    assert bce["n"] == 1 and bce["sd"] is None and bce["se"] is None
    assert bce["ci95"] == [None, None]
    assert payload["groups"][0]["not_finished"] == 1
