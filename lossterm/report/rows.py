"""The report's content, independent of format: one row per run, then remarks."""

from __future__ import annotations

import math

from lossterm.engine.records import RunResult

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
