"""``lossterm report`` on a store of seeded runs: per (problem, loss, settings) group its
n, mean, sd, standard error and 95% CI, equal to scipy.stats' t interval, in JSON, text
and Markdown; every setting the history holds is a group, the earlier ones included."""

import json
import math
import re

import numpy as np
import pytest

from lossterm.cli.main import main
from lossterm.storage.store import Store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-groups")
    path, sink = str(folder / "runs.sqlite"), str(folder / "training.txt")
    common = ["--headless", "--no-progress", "--store", path, "-o", sink]
    assert main([*common, "--no-tune", "--problem", "circles", "--loss", "bce", "--loss",
                 "hinge", "--seeds", "3", "--epochs", "3"]) == 0
    assert main([*common, "--problem", "circles", "--loss", "bce", "--learning-rate", "0.3",
                 "--seeds", "2", "--epochs", "3"]) == 0
    assert main([*common, "--problem", "regression", "--loss", "mae", "--seeds", "3",
                 "--epochs", "2"]) == 0
    return folder, path


def report(store, fmt: str) -> str:
    folder, path = store
    out = folder / f"report.{fmt}"
    assert main(["report", "--store", path, "--format", fmt, "-o", str(out)]) == 0
    return out.read_text()


def expected_groups(path) -> dict:
    """(problem, loss, learning rate) -> each seed's last-epoch test figure, from the store."""
    db = Store(path, read_only=True)
    try:
        entries = db.entries()
    finally:
        db.close()
    groups: dict = {}
    for _, settings, result in entries:
        key = (result.problem, result.loss, settings["learning_rate"])
        groups.setdefault(key, (result.metric, {}))[1][result.seed] = result.test_metric
    return groups


def scipy_interval(values, share: bool):
    from scipy import stats

    x = np.asarray(values, dtype=float)
    low, high = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    return (max(low, 0.0), min(high, 1.0)) if share else (low, high)


def test_json_groups_hold_n_sd_se_and_scipys_t_interval(store):
    payload = json.loads(report(store, "json"))
    expected = expected_groups(store[1])
    got = {(g["problem"], g["loss"], g["settings"]["learning_rate"]): g
           for g in payload["groups"]}
    assert set(got) == set(expected)  # bce at 0.01 is a group though the verdict left it out
    assert len(expected) == 4
    for key, (metric, by_seed) in expected.items():
        from scipy import stats

        group, values = got[key], [by_seed[s] for s in sorted(by_seed)]
        assert group["seeds"] == sorted(by_seed) and group["n"] == len(values)
        assert group["mean"] == pytest.approx(np.mean(values))
        assert group["sd"] == pytest.approx(np.std(values, ddof=1))
        assert group["se"] == pytest.approx(stats.sem(values))
        assert group["ci95"] == pytest.approx(list(scipy_interval(values, metric == "accuracy")))
        assert "t-interval" in group["ci_method"] and group["metric"] == metric
    mae = got[("regression", "mean_absolute_error", 0.01)]
    assert mae["ci95"][0] < mae["mean"] < mae["ci95"][1]  # not a share: never clipped


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_and_markdown_show_each_groups_figures_and_say_the_method(store, fmt):
    text = report(store, fmt)
    for (problem, loss, lr), (metric, by_seed) in expected_groups(store[1]).items():
        values = list(by_seed.values())
        sd, se = np.std(values, ddof=1), np.std(values, ddof=1) / math.sqrt(len(values))
        low, high = scipy_interval(values, metric == "accuracy")
        cells = [problem, loss, f"{lr:g}", metric, str(len(values)), f"{np.mean(values):.3f}",
                 *(f"{v:.3f}" if v >= 0.01 else f"{v:.2g}" for v in (sd, se)),
                 f"{low:.3f}–{high:.3f}"]
        pattern = r"[\s│|]+".join(map(re.escape, cells))
        assert re.search(pattern, text), (fmt, cells)
    assert "Seed groups" in text
    assert "SE = sd / √n" in text and "Student's t, n − 1 degrees of freedom" in " ".join(
        text.split())
