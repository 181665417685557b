"""A study as data: the JSON report (every final run, every loss's figures, the protocol
as fields) and the runs TensorBoard is given (tuning, final and test, each labelled with
the split its figures were measured on).

Apart from :mod:`.study` (text and Markdown) because these are read by programs, not
people: every figure is a number or null, never a formatted string.
"""

from __future__ import annotations

import json
import math

from lossterm.analysis.budget import budget_json, budget_of
from lossterm.analysis.stats import interval_words
from lossterm.analysis.study import LossStudy, ProblemStudy
from lossterm.analysis.suites import suites_of
from lossterm.report.render import run_to_dict
from lossterm.report.study_rows import (
    matrix_columns,
    matrix_means,
    run_remarks,
    test_summary,
    validation_mean,
)
from lossterm.report.suite import suites_json
from lossterm.report.verdict import PAIR_TEST, modes_json, pairs_json
from lossterm.storage.tensorboard import BoardRun


def _num(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def protocol_json(study: ProblemStudy) -> dict:
    p = study.protocol
    return {
        "learning_rate_grid": list(study.grid), "tune_seeds": p.tune_seeds,
        "validation_share": p.validation_share, "checkpoint": p.checkpoint,
        "metric": study.metric, "higher_is_better": study.higher,
        "optimizer": study.optimizer, "epochs": study.epochs, "seeds": p.seeds,
        "tuning_seeds": study.tuning_seeds, "final_seeds": study.final_seeds,
        "grid_extension_points": p.extend_points,
        "extended": {s.loss: s.extended for s in study.losses if s.extended},
        "rows": dict(study.rows), "runs": dict(study.runs),
        "seconds": {k: round(v, 3) for k, v in study.seconds.items()},
        "selection_in": p.selection,
        "selection": ("in every replicate: " if p.selection == "replicate" else "once: ")
                     + "mean validation metric over the seeds of a rate at the checkpoint; "
                     "rates where a run diverged rank last; ties go to the rate nearest the "
                     "grid's centre",
        "test": "read once per final model, after every choice",
        "tests": PAIR_TEST,
    }


def loss_json(study: ProblemStudy, s: LossStudy) -> dict:
    t = test_summary(study, s)
    return {
        "loss": s.loss, "chosen_learning_rate": s.chosen_learning_rate,
        "chosen_learning_rates": [[lr, n] for lr, n in s.chosen_rates.items()],
        "validation_curve": [[lr, _num(v)] for lr, v in s.validation_curve],
        "validation_score": _num(validation_mean(s)),
        "test": {"mean": _num(t.mean), "sd": _num(t.std), "ci": [_num(t.ci_low), _num(t.ci_high)],
                 "n": t.n, "ci_method": interval_words(study.metric),
                 "bimodal": modes_json(study.verdict.modes.get(s.loss))},
        "metrics": {name: _num(matrix_means(s, name)) for name in matrix_columns(study)},
        "metrics_not_applicable": dict(s.not_applicable),
        "by_seed": [{"seed": seed, "learning_rate": _rate_of(s, seed),
                     "validation": _num(s.validation[seed]),
                     "checkpoint_epoch": s.checkpoints[seed], "test": _num(s.test[seed]),
                     "metrics": {k: _num(v) for k, v in s.test_metrics[seed].items()}}
                    for seed in sorted(s.test)],
        "extended": s.extended, "warning": s.warning,
    }


def _rate_of(s: LossStudy, seed: int) -> float | None:
    """The rate replicate ``seed`` chose (the shared protocol: the one chosen rate)."""
    rep = next((r for r in s.replicates if r.seed == seed), None)
    return s.chosen_learning_rate if rep is None else rep.chosen_learning_rate


def comparisons_json(study: ProblemStudy) -> list[dict]:
    return pairs_json(study.verdict)


def study_to_dict(study: ProblemStudy) -> dict:
    return {"protocol": protocol_json(study),
            "losses": [loss_json(study, s) for s in study.losses],
            "comparisons": comparisons_json(study),
            "tied_for_best": list(study.verdict.tied_for_best),
            "verdict": study.verdict.line, "verdict_notes": study.verdict.notes,
            "budget": budget_json(budget_of(study)),
            "warnings": list(study.warnings),
            "run_warnings": run_remarks(study)[0], "run_notes": run_remarks(study)[1]}


def final_run_json(study: ProblemStudy, s: LossStudy, run) -> dict:
    """A final run as today's ``runs`` entries, with its figures named for what they are:
    ``history``'s ``val_*`` are validation figures; ``test_metric`` is the test split's."""
    out = run_to_dict(run)
    figures = out["figures"]  # the logs' "test" figures are validation figures here
    out["figures"] = {"train": figures.get("train", {}), "validation": figures.get("test", {}),
                      "test": {k: _num(v) for k, v in s.run_tests.get(run.seed, {}).items()}}
    out.update({"phase": "final", "learning_rate": run.learning_rate,
                "validation_metric": _num(s.validation.get(run.seed)),
                "checkpoint_epoch": s.checkpoints.get(run.seed),
                "test_metric": _num(s.test.get(run.seed))})
    return out


def study_json(studies: list[ProblemStudy], header: str = "") -> str:
    payload: dict[str, object] = {
        "runs": [final_run_json(st, s, r) for st in studies for s in st.losses for r in s.final],
        "studies": [{"problem": st.problem, "study": study_to_dict(st)} for st in studies],
    }
    payload.update(suites_json(suites_of(studies)))  # "suite": two problems or more
    if header:
        payload["header"] = header
    return json.dumps(payload, indent=2) + "\n"

# --- TensorBoard ---------------------------------------------------------------------------


def board_runs(studies: list[ProblemStudy]) -> list:
    """Every run of the studies for :func:`lossterm.storage.tensorboard.write_tensorboard`:
    tuning and final runs with their validation curves and checkpoint score, and each
    final model's test scores as a run of its own (``PROBLEM/test/LOSS/seed=N``, no
    curves), so no figure is labelled with a split it was not measured on."""

    out = []
    for st in studies:
        for s in st.losses:
            for run, score in zip(s.tuning, s.tuning_scores):
                out.append(BoardRun.from_result(
                    f"{st.problem}/tuning/{s.loss}/lr={run.learning_rate:g}/seed={run.seed}",
                    run, _hparams(st, run, "tuning"), {st.metric: score}, "validation"))
            for run in s.final:
                out.append(BoardRun.from_result(
                    f"{st.problem}/final/{s.loss}/seed={run.seed}", run,
                    _hparams(st, run, "final"), {st.metric: s.validation.get(run.seed)},
                    "validation"))
                if run.seed in s.run_tests:
                    out.append(BoardRun(
                        f"{st.problem}/test/{s.loss}/seed={run.seed}",
                        {"problem": st.problem, "loss": s.loss, "seed": run.seed,
                         **_hparams(st, run, "test")},
                        (), s.run_tests[run.seed], run.metric, "test"))
    return out


def _hparams(study: ProblemStudy, run, phase: str) -> dict:
    return {"learning_rate": float(run.learning_rate), "optimizer": study.optimizer,
            "phase": phase, "checkpoint": study.protocol.checkpoint}
