"""The report's content, independent of format: one row per run, then remarks."""

from __future__ import annotations

import math

from lossterm.training.records import DONE, RunResult

COLUMNS = ("problem", "loss", "output layer", "targets", "metric",
           "Train", "Test", "epochs", "seconds", "status")


def figure(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.3f}"


def epochs_cell(result: RunResult) -> str:
    if result.epochs_run == result.epochs:
        return str(result.epochs)
    return f"{result.epochs_run}/{result.epochs}"


def row(result: RunResult) -> tuple[str, ...]:
    return (
        result.problem, result.loss, result.output_layer, result.target_encoding,
        result.metric, figure(result.train_metric), figure(result.test_metric),
        epochs_cell(result), f"{result.seconds:.1f}", result.status,
    )


def remarks(results: list[RunResult]) -> tuple[list[str], list[str]]:
    """Warnings and notes, each once, each line prefixed with where it applies."""
    warnings: list[str] = []
    notes: list[str] = []
    for r in results:
        where = f"{r.problem}/{r.loss}"
        for w in r.warnings:
            _add_once(warnings, f"{r.problem}: {w}")
        if r.message:
            _add_once(notes, f"{where} {r.status}: {r.message}")
        for n in r.notes:
            _add_once(notes, n)
        legacy = _legacy_accuracy_note(r)
        if legacy and not any(n.startswith(f"{where} seed") for n in notes):
            notes.append(legacy)
    return warnings, notes


def _add_once(lines: list[str], line: str) -> None:
    if line not in lines:
        lines.append(line)


def _legacy_accuracy_note(r: RunResult) -> str:
    history = r.history
    if "val_keras3_accuracy" not in history or not history["val_keras3_accuracy"]:
        return ""
    k2, k3 = history["val_keras2_accuracy"][-1], history["val_keras3_accuracy"][-1]
    return (f"{r.problem}/{r.loss} seed {r.seed}: test accuracy {figure(r.test_metric)} at f > 0; "
            f"plain 'accuracy' would have said {figure(k3)} in Keras 3, {figure(k2)} in Keras 2")


def figure_lines(results: list[RunResult]) -> list[str]:
    """The test figures beside the headline one, per (problem, loss), means over the seeds
    that trained to the end: each target's MSE for a regression on several targets, the
    four multilabel figures. Empty for one-target problems."""
    groups: dict[tuple[str, str], list[RunResult]] = {}
    for r in results:
        if r.status == DONE and r.records:
            groups.setdefault((r.problem, r.loss), []).append(r)
    lines = []
    for (problem, loss), runs in groups.items():
        logs = [r.records[-1].logs for r in runs]
        names = [k[4:] for k in logs[0]
                 if k.startswith("val_") and k != "val_loss" and _extra(k[4:], runs[0])]
        if not names:
            continue
        values = {n: sum(log["val_" + n] for log in logs) / len(logs) for n in names}
        over = f", mean over {len(runs)} seeds" if len(runs) > 1 else ""
        lines.append(f"{problem}/{loss} (test{over}): " + ", ".join(
            f"{n} {figure(v)}" + (" (mean over targets)" if n == "mse" else "")
            for n, v in values.items()))
    return lines


def _extra(name: str, result: RunResult) -> bool:
    if result.kind == "multilabel":
        return True
    return result.kind == "regression" and any("[" in k for k in result.records[-1].logs) \
        and (name == "mse" or name.startswith("mse["))
