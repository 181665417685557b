"""The protocol block of a study report: what a reproducibility checklist asks (grid,
split, seeds, checkpoint, selection, test, runs), one item a line.

Apart from the tables (:mod:`.study_rows`) because it describes the procedure, not its
figures, and says it differently for the two protocols; the text and Markdown reports
print it as it is (JSON carries the same facts as fields, :mod:`.study_data`).
"""

from __future__ import annotations

from lossterm.analysis.study import ProblemStudy
from lossterm.core.words import counted
from lossterm.report.study_rows import rate


def protocol_lines(study: ProblemStudy) -> list[str]:
    """What a reproducibility checklist asks, one item a line."""
    p, rows = study.protocol, study.rows
    grid = study.grid
    checkpoint = ("the epoch with the best validation " + study.checkpoint_metric
                  + " (weights restored)"
                  if p.checkpoint == "best" else "the last epoch")
    lines = [
        f"optimizer: {study.optimizer}, {study.epochs} epochs per run",
        f"learning-rate grid: {rate(grid[0])} to {rate(grid[-1])}, {len(grid)} log-spaced "
        f"points per loss" + _extended_words(study),
        f"split: {rows['training']} training / {rows['validation']} validation / "
        f"{rows['test']} test rows; validation = {p.validation_share:.0%} of the training rows"
        + {"regression": "", "multilabel": ", stratified by label combination where the "
           "strata fit"}.get(study.kind, ", stratified") + ", seeded",
    ]
    if replicated(study):
        lines += _replicated_lines(study, checkpoint)
    else:
        lines += _shared_lines(study, checkpoint)
    return lines


def replicated(study: ProblemStudy) -> bool:
    """Whether each replicate made its own selection (the default protocol)."""
    return study.protocol.selection == "replicate"


def _extended_words(study: ProblemStudy) -> str:
    if replicated(study):
        counts = [(s.loss, sum(r.extended is not None for r in s.replicates), s.extended)
                  for s in study.losses]
        said = [f"{loss} ({side}, {n} of {len(study.final_seeds)})" for loss, n, side in counts
                if n]
        return f"; extended once at an edge in replicates of {', '.join(said)}" if said else ""
    extended = sorted({f"{s.loss} ({s.extended})" for s in study.losses if s.extended})
    return f"; extended once at an edge for {', '.join(extended)}" if extended else ""


def _replicated_lines(study: ProblemStudy, checkpoint: str) -> list[str]:
    p, runs = study.protocol, study.runs
    per_rate = (f"{p.tune_seeds} seeds per rate, its figure the mean of its models at its "
                "chosen rate" if p.tune_seeds > 1 else "one seed per rate")
    return [
        f"replicates: {p.seeds} per loss, paired (seeds {_seeds(study.final_seeds)}, the same "
        f"for every loss); each trains every rate from its own seeds ({per_rate}) and chooses "
        f"its rate on validation: score = validation {study.metric} at the checkpoint; a rate "
        "where a run diverged ranks last; ties go to the rate nearest the grid's centre",
        f"checkpoint: {checkpoint}; chosen on validation only",
        "test: each replicate's chosen model read once, after every choice",
        f"verdict metric: {study.metric} ({'higher' if study.higher else 'lower'} is better); "
        "paired t-tests over replicates (each carries its own selection), Holm-adjusted over "
        "all pairs",
        f"runs: {runs.get('tuning', 0)} ({len(study.losses)} losses x {p.seeds} replicates x "
        f"{len(study.grid)} rates x {p.tune_seeds}) + {runs.get('tuning (extended)', 0)} "
        f"extended = {sum(runs.values())}; {sum(study.seconds.values()):.1f} s",
    ]


def _shared_lines(study: ProblemStudy, checkpoint: str) -> list[str]:
    p, runs = study.protocol, study.runs
    return [
        f"tuning (shared: once for all final seeds): {counted(p.tune_seeds, 'seed')} per rate "
        f"({_seeds(study.tuning_seeds)}); score = mean validation {study.metric} at the "
        "checkpoint; a rate where any run diverged ranks last",
        f"checkpoint: {checkpoint}; chosen on validation only",
        f"final: {counted(p.seeds, 'paired seed')} per loss ({_seeds(study.final_seeds)}) at its chosen "
        "rate, same training rows; test split read once per final model, after training",
        f"selection and verdict metric: {study.metric} "
        f"({'higher' if study.higher else 'lower'} is better); paired t-tests, Holm-adjusted "
        "over all pairs (the final seeds leave the selection out)",
        f"runs: {runs.get('tuning', 0)} tuning + {runs.get('tuning (extended)', 0)} extended + "
        f"{runs.get('final', 0)} final = {sum(runs.values())}; "
        f"{sum(study.seconds.values()):.1f} s",
    ]


def _seeds(seeds: list[int]) -> str:
    return str(seeds[0]) if len(seeds) == 1 else f"{seeds[0]}–{seeds[-1]}"
