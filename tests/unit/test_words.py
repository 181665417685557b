"""Counts agree with their nouns wherever a line counts seeds (issue 21, 16: "1 paired seeds")."""

from lossterm.analysis.arms import untuned_protocol
from lossterm.analysis.verdict import decide
from lossterm.core.words import counted


def test_a_count_agrees_with_its_noun():
    assert [counted(n, "paired seed") for n in (0, 1, 2)] == [
        "0 paired seeds", "1 paired seed", "2 paired seeds"]
    assert counted(1, "replicate") == "1 replicate"
    assert counted(3, "analysis", "analyses") == "3 analyses"


def test_a_verdict_over_one_seed_says_one_paired_seed():
    """Two losses that kept one seed in common: the line said "1 paired seeds"."""
    line = decide("circles", {"bce": {0: 0.85}, "hinge": {0: 0.80}}, "accuracy").line
    assert "1 paired seed;" in line and "1 paired seeds" not in line
    assert "1 paired seed;" in untuned_protocol([0.01], 1)
    assert "3 paired seeds;" in untuned_protocol([0.01], 3)
