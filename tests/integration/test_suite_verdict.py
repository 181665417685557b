"""A short real study over two problems: its suite verdict in every report form, read from
the per-problem studies it sits under, and none for a study of one problem."""

import json

import numpy as np
import pytest
from scipy import stats

from lossterm.analysis.study import Protocol, study_jobs
from lossterm.report.study import render_study
from lossterm.training.plan import plan_runs
from lossterm.training.records import RunConfig

LOSSES = ["categorical_crossentropy", "categorical_hinge", "mae_prob"]
SHORT = ("--epochs", "2", "--lr-grid", "0.01:0.1:2", "--tune-seeds", "1", "--seeds", "3",
         "--no-store", "--no-progress")


@pytest.fixture(scope="module")
def studies():
    plan = plan_runs(["iris", "wine"], LOSSES, RunConfig(problem="", loss="", epochs=2))
    return study_jobs(plan.runs, Protocol(grid=(0.01, 0.1), tune_seeds=1, seeds=3))


def test_the_json_suite_ranks_the_studies_own_mean_test_figures(studies):
    data = json.loads(render_study(studies, "json"))
    suite = data["suite"]
    assert set(suite) >= {"problems", "ranks", "friedman", "pairs", "iqm", "p_improve",
                          "verdict"}
    assert suite["problems"] == ["iris", "wine"] and suite["kind"] == "multiclass"
    means = np.array([[np.mean(list(st.loss(loss).test.values())) for loss in LOSSES]
                      for st in studies])
    for entry, st in zip(data["studies"], studies):  # the same figures the studies report
        for loss in entry["study"]["losses"]:
            assert suite["ranks"]["mean_test"][st.problem][loss["loss"]] == \
                pytest.approx(loss["test"]["mean"])
    reference = stats.friedmanchisquare(*means.T)  # accuracy: higher is better
    assert suite["friedman"]["chi2"] == pytest.approx(reference.statistic, abs=1e-6)
    ranks = np.array([stats.rankdata(-row) for row in means]).mean(axis=0)
    assert suite["ranks"]["average"] == pytest.approx(dict(zip(LOSSES, ranks)))
    assert list(suite["ranks"]["average"]) == sorted(LOSSES, key=dict(zip(LOSSES, ranks)).get)
    assert len(suite["pairs"]) == 3 and len(suite["p_improve"]) == 6
    for loss, figures in suite["iqm"]["by_loss"].items():
        low, high = figures["ci"]
        assert 0 <= low <= figures["iqm"] <= high <= 1, loss
    assert suite["verdict"].startswith("over 2 multiclass problems (iris, wine), ")
    assert "with 2 problems no Wilcoxon p can fall below 0.500" in suite["verdict"]
    assert "other_suites" not in data


def test_text_and_markdown_end_with_the_suite_section_and_its_diagram(studies):
    markdown = render_study(studies, "markdown")
    text = render_study(studies, "text")
    head, suite = markdown.split("## Suite of 2 multiclass problems")
    assert "## Study of iris" in head and "## Study of wine" in head
    assert "**Critical-difference diagram**" in suite and "```\n1" in suite
    assert text.index("suite of 2 multiclass problems") > text.index("study of wine")
    assert "critical-difference diagram (average rank;" in text
    assert text.count("●") == 3 and "suite verdict: over 2 multiclass problems" in text


def test_one_problem_has_no_suite(studies):
    assert "suite" not in json.loads(render_study(studies[:1], "json"))
    assert "suite" not in render_study(studies[:1], "text").lower()
    assert "Suite" not in render_study(studies[:1], "markdown")


def test_the_headless_command_prints_each_study_then_the_suite(lossterm_cli):
    done = lossterm_cli("--headless", "--tune", "--problem", "iris", "--problem", "blobs",
                        *(arg for loss in LOSSES for arg in ("--loss", loss)), *SHORT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.index("study of iris") < out.index("study of blobs") < \
        out.index("suite of 2 multiclass problems: iris, blobs")
    (verdict,) = [line for line in out.splitlines() if line.startswith("suite verdict: ")]
    assert "Holm-adjusted" in verdict and "α = 0.05" in verdict
