"""Calibration: A/A studies of one loss against itself measure the protocol's false-claim
rate on the user's own problem, from the command line and from Python."""

import json

import pytest

import lossterm
from lossterm.cli.main import main

TINY = ("--problem", "circles", "--loss", "bce", "--epochs", "2", "--lr-grid", "0.01:0.1:2",
        "--seeds", "3", "--no-store", "--no-progress")


def test_calibrate_on_a_tiny_problem_reports_each_a_a_study_and_the_rate(capsys):
    assert main(["--headless", *TINY, "--calibrate", "2", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)["calibration"]
    assert out["problem"] == "circles" and out["loss"] == "binary_crossentropy"
    assert out["studies"] == 2 and out["selection"] == "replicate" and out["seeds"] == 3
    assert out["claims"] == sum(s["claimed"] for s in out["each"])
    assert out["false_claim_rate"] == pytest.approx(out["claims"] / 2)
    low, high = out["ci"]
    assert 0 <= low <= out["false_claim_rate"] <= high <= 1 and high > 0.5  # 2 studies say little
    assert out["stated_level"] == pytest.approx(0.05)
    # every study has its own seeds and validation draw; every replicate chose from the grid
    assert [s["seed"] for s in out["each"]] == [0, 100000]
    assert [s["data_seed"] for s in out["each"]] == [0, 1]
    for s in out["each"]:
        assert s["pairs"] == 3 and len(s["chosen_rates"]) == 3
        # a rate from the grid, or one step past its edge when the choice sat there
        assert all(0.001 <= r <= 1.0 for pair in s["chosen_rates"] for r in pair)
        assert (s["p"] < 0.05) == s["claimed"]
    assert out["verdict"].startswith("A/A calibration on circles: binary_crossentropy")


def test_calibrate_text_report_says_the_protocol_and_the_level(capsys):
    assert main(["--headless", *TINY, "--calibrate", "1"]) == 0
    out = capsys.readouterr().out
    assert "against a copy of itself" in out and "a new draw per study" in out
    assert "stated level 5%" in out and "95% CI" in out


@pytest.mark.parametrize("extra, message", [
    (("--calibrate", "0"), "at least 1 study"),
    (("--calibrate", "2", "--loss", "hinge"), "name exactly one --loss"),
    (("--calibrate", "2", "--no-tune"), "--no-tune does not go with --calibrate"),
    (("--calibrate", "2", "--problem", "breast_cancer"), "exactly one --problem"),
    (("--calibrate", "2", "--noise-sweep", "0,0.2"), "--noise-sweep does not go"),
])
def test_calibrate_refusals_are_one_line_and_exit_2(extra, message, capsys):
    assert main(["--headless", *TINY, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_python_calibrate_counts_claims_of_a_loss_against_itself():
    seen = []
    c = lossterm.calibrate("regression", "mse", 2, seeds=3, epochs=2, lr_grid=[0.01, 0.1],
                           on_study=lambda so_far: seen.append(len(so_far.studies)))
    assert seen == [1, 2] and c.loss == "mean_squared_error" and c.metric == "mse"
    assert c.claims == sum(s.claimed for s in c.studies) and 0 <= c.rate <= 1
    low, high = c.interval
    assert 0 <= low <= c.rate <= high <= 1
    # the two arms are independent draws: their test figures are not the same numbers
    assert all(s.difference != 0 for s in c.studies)
    with pytest.raises(lossterm.core.errors.UsageError):
        lossterm.calibrate("regression", ["mse", "mae"], 2)
