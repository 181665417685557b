"""The one verdict as every front end shows it: lossterm report (text, Markdown, JSON) and the
TUI's compare view built from runs; no training here (a tiny study's reports:
tests/integration/test_study.py)."""

import json

import numpy as np
import pytest

from lossterm.report.render import render
from lossterm.training.records import DONE, EpochRecord, RunResult

COLLAPSED = [0.85, 0.504, 0.86, 0.85, 0.84, 0.504, 0.85, 0.852, 0.848, 0.85]
STEADY = [0.852, 0.846, 0.858, 0.840, 0.850, 0.844, 0.856, 0.848, 0.842, 0.854]


def _run(loss: str, seed: int, test: float, problem: str = "circles") -> RunResult:
    record = EpochRecord(1, 0.5, 0.5, test, test, 0.1,
                         {"loss": 0.5, "val_loss": 0.5, "accuracy": test, "val_accuracy": test})
    return RunResult(problem, loss, "binary", "sigmoid", "1, sigmoid", "as-is", "accuracy",
                     seed, 1, DONE, [record], learning_rate=0.01)


def _runs(**figures) -> list[RunResult]:
    return [_run(loss, seed, v) for loss, values in figures.items()
            for seed, v in enumerate(values)]


def test_lossterm_report_says_identical_and_never_p_one():
    results = _runs(categorical_crossentropy=STEADY, sparse_categorical_crossentropy=STEADY)
    text = render(results, "text")
    assert "sparse_categorical_crossentropy is identical to categorical_crossentropy on " \
           "every seed" in text
    assert "1.000" not in text and "nan" not in text
    assert "│ identical │ identical │ 0% of 10    │ —" in text  # the pair table's p cells
    (comparison,) = json.loads(render(results, "json"))["comparisons"]
    (pair,) = comparison["comparisons"]
    assert pair["p"] is None and pair["p_holm"] is None and pair["identical"]
    assert pair["test"] == "identical on every seed"
    assert "| identical | identical |" in render(results, "markdown")


def test_lossterm_report_flags_collapsed_seeds_beside_the_mean():
    results = _runs(binary_crossentropy=STEADY, hinge=COLLAPSED)
    text = render(results, "text", width=220)
    assert "(bimodal)" in text
    assert "note: circles/hinge: bimodal — its 10 replicates fall in two groups, 2 at about " \
           "0.504 and 8 at about 0.850" in text
    data = json.loads(render(results, "json"))
    hinge = next(s for s in data["summaries"] if s["loss"] == "hinge")
    assert hinge["test_bimodal"] == {"low": [0.504, 0.504], "high": sorted(COLLAPSED)[2:]}
    assert data["comparisons"][0]["verdict_notes"][0].startswith("hinge: bimodal")
    markdown = render(results, "markdown")
    assert "(bimodal)" in markdown and "- note: circles/hinge: bimodal" in markdown


def test_a_tie_in_lossterm_report_states_its_detectable_gap():
    noise = [0.003, -0.002, 0.001, -0.004, 0.002, 0.000, -0.001, 0.004, -0.003, 0.001]
    results = _runs(hinge=[a + b for a, b in zip(STEADY, noise)], squared_hinge=STEADY)
    (comparison,) = json.loads(render(results, "json"))["comparisons"]
    assert "squared_hinge tied: the study could detect a gap of about 0.3 points of " \
           "accuracy at 10 replicates (80% power)" in comparison["verdict"]
    sd = comparison["comparisons"][0]["sd_of_differences"]
    assert sd == pytest.approx(np.std(noise, ddof=1))
    assert comparison["comparisons"][0]["detectable_difference"] == pytest.approx(0.996 * sd,
                                                                                 rel=1e-3)


def test_the_tuis_view_of_runs_marks_identical_and_bimodal_rows():
    from lossterm.app.compare import from_runs
    from lossterm.app.screens.compare import p_text

    view = from_runs("circles", _runs(bce=STEADY, cce=STEADY, hinge=COLLAPSED))
    rows = {r.loss: r for r in view.rows}
    assert p_text(rows["cce"].p_holm, rows["cce"].test) == "identical"
    assert rows["hinge"].bimodal and not rows["bce"].bimodal
    assert any(w.startswith("hinge: bimodal") for w in view.warnings)
    assert "cce is identical to bce on every seed" in view.verdict
    assert all(0 <= r.ci[0] <= r.ci[1] <= 1 for r in view.rows)


@pytest.mark.parametrize("figures", [[1.0, 0.98], [1.0, 0.98, 1.0], [1.0] * 9 + [0.9]])
def test_accuracy_intervals_in_every_report_stay_inside_zero_to_one(figures):
    from lossterm.app.compare import from_runs

    results = _runs(binary_crossentropy=figures, hinge=[f - 0.05 for f in figures])
    for summary in json.loads(render(results, "json"))["summaries"]:
        low, high = summary["test"]["ci95"]
        assert 0 <= low <= summary["test"]["mean"] <= high <= 1
        assert summary["test"]["ci_method"] == "95% t-interval, within [0, 1] (a share)"
    assert "Test 95% CI of accuracy: 95% t-interval, within [0, 1]" in render(results, "text")
    assert all(0 <= r.ci[0] <= r.ci[1] <= 1 for r in from_runs("circles", results).rows)
