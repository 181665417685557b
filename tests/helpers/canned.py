"""A trainer that replays canned epochs: the real app, stable pictures for snapshots.

Curves are smooth functions of the epoch with parameters taken from the loss
name, so every loss looks different and every run of the suite looks the same.
Predicted regions come from a simple rule on the real data (nearest class
centre; for circles, the radius), so the scatter can show them too.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from lossterm.training.fit import new_result, resolve
from lossterm.training.records import DONE, STOPPED, EpochRecord, RunResult


def canned_trainer(configs, *, stop, listener) -> list[RunResult]:
    """The engine's sweep interface, replaying canned epochs for each config."""
    results = []
    for index, config in enumerate(configs):
        listener.run_started(index, config)
        results.append(_canned_run(config, stop, lambda r, i=index: listener.epoch_ended(i, r)))
        listener.run_ended(index, results[-1])
    return results


def _canned_run(config, stop, on_epoch) -> RunResult:
    config = resolve(config)
    problem, spec = config.problem, config.loss
    result = new_result(config)
    rate = 0.02 + (zlib.crc32(spec.name.encode()) % 50) / 1000 + 0.004 * config.seed
    for epoch in range(1, config.epochs + 1):
        if stop.is_set():
            result.status, result.message = STOPPED, f"stopped before epoch {epoch}"
            break
        record = _record(spec, epoch, rate)
        result.records.append(record)
        on_epoch(record)
    result.status = result.status if result.status == STOPPED else DONE
    result.seconds = round(0.004 * len(result.records), 3)
    result.regions = _regions(problem)
    return result


def _record(spec, epoch: int, rate: float) -> EpochRecord:
    decay = math.exp(-rate * epoch)
    loss, val_loss = 0.02 + decay, 0.03 + 1.1 * decay
    if spec.metric == "mse":
        train, test = 0.002 + 0.8 * decay, 0.004 + 0.9 * decay
    else:
        train, test = 0.85 - 0.35 * decay, 0.84 - 0.36 * decay
    logs = {"loss": loss, "val_loss": val_loss, spec.metric: train, "val_" + spec.metric: test}
    return EpochRecord(epoch, loss, val_loss, train, test, 0.004, logs)


def _regions(problem):
    if problem.kind == "regression":
        return None
    X = np.concatenate([problem.X_train, problem.X_test])
    (x0, y0), (x1, y1) = X.min(axis=0), X.max(axis=0)
    xs, ys = np.meshgrid(np.linspace(x0, x1, 64), np.linspace(y0, y1, 24))
    grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
    if problem.name == "circles":
        classes = (np.hypot(grid[:, 0], grid[:, 1]) < 0.65).astype(int)
    else:
        centres = np.stack([problem.X_train[problem.y_train == c].mean(axis=0)
                            for c in range(problem.n_classes)])
        classes = np.argmin(((grid[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    return xs.ravel(), ys.ravel(), classes


def canned_loader() -> str:
    return "Keras 3 (canned), tensorflow backend, training on CPU"


def exploding_trainer(jobs, *, stop, listener) -> list[RunResult]:
    """Canned regression runs where MAPE blows up as the audit saw on diabetes.csv: every
    value finite, the test MSE 1.5e33 at the end; the other losses converge."""
    results = []
    for index, job in enumerate(jobs):
        listener.run_started(index, job)
        result = new_result(job)
        rate = 0.2 + (zlib.crc32(job.loss.name.encode()) % 50) / 100
        for epoch in range(1, job.epochs + 1):
            if job.loss.name == "mean_absolute_percentage_error":
                mse = 1.5 * 10.0 ** (33 * epoch / job.epochs)
            else:
                mse = 0.05 + 0.9 * math.exp(-rate * epoch / 4)
            logs = {"loss": mse, "val_loss": 1.1 * mse, "mse": mse, "val_mse": 1.1 * mse}
            record = EpochRecord(epoch, mse, 1.1 * mse, mse, 1.1 * mse, 0.001, logs)
            result.records.append(record)
            listener.epoch_ended(index, record)
        result.status, result.seconds = DONE, 0.001 * job.epochs
        listener.run_ended(index, result)
        results.append(result)
    return results


def canned_compare_view():
    """A study's compare view with fixed figures (the shape from_study builds), for the
    compare screen's snapshots: four circles losses, one far behind on one seed."""
    import math

    from lossterm.app.compare import Band, CompareView, Row

    grid = [10 ** (k / 2) * 1e-4 for k in range(9)]  # 1e-4 ... 1

    def curve(peak: float, at: int) -> tuple:
        return tuple((lr, round(0.5 + (peak - 0.5) * math.exp(-((k - at) / 2.2) ** 2), 4))
                     for k, lr in enumerate(grid))

    def band(final: float, spread: float) -> Band:
        mean = [0.5 + (final - 0.5) * (1 - math.exp(-e / 25)) for e in range(1, 201)]
        return Band(tuple(mean), tuple(m - spread for m in mean), tuple(m + spread for m in mean))

    rows = (Row(1, "squared_hinge", 0.01, 10, 0.834, 0.010, (0.827, 0.841), None, True),
            Row(2, "binary_focal_crossentropy", 0.0316, 10, 0.834, 0.011, (0.826, 0.841),
                1.0, True),
            Row(3, "binary_crossentropy", 0.0316, 10, 0.829, 0.006, (0.825, 0.833), 1.0, True),
            Row(4, "hinge", 0.316, 10, 0.797, 0.106, (0.721, 0.872), 1.0, True))
    chosen = {r.loss: r.learning_rate for r in rows}
    isolation = {"squared_hinge": curve(0.87, 4), "binary_focal_crossentropy": curve(0.86, 5),
                 "binary_crossentropy": curve(0.86, 5), "hinge": curve(0.85, 7)}
    matrix = {r.loss: {"accuracy": r.mean, "balanced_accuracy": r.mean - 0.001, "f1": 0.84,
                       "roc_auc": 0.92, "log_loss": None if "hinge" in r.loss else 0.41,
                       "brier": None if "hinge" in r.loss else 0.13,
                       "ece": None if "hinge" in r.loss else 0.05} for r in rows}
    return CompareView(
        problem="circles", metric="accuracy", higher=True, tuned=True,
        verdict="on circles, all 4 tie for best: squared_hinge, binary_focal_crossentropy, "
                "binary_crossentropy and hinge (each at its own learning rate, chosen on "
                "validation; 10 paired seeds; test accuracy; Holm-adjusted)",
        protocol=("each loss at its own learning rate: 9 rates 0.0001–1 (log), 3 tuning "
                  "seeds, scored on validation (100 rows)",
                  "checkpoint: best epoch on validation; then 10 paired seeds per loss, test "
                  "(500 rows) read once; pairs Holm-adjusted"),
        rows=rows, curve_split="validation",
        curves={r.loss: band(r.mean, 0.01) for r in rows},
        series={r.loss: ([[m + 0.01 for m in band(r.mean, 0).mean]] * 3,
                         [[m + d for m in band(r.mean, 0).mean] for d in (-0.01, 0, 0.01)])
                for r in rows},
        isolation=isolation, chosen=chosen, matrix=matrix,
        not_applicable={"log_loss": "n/a — not a probability", "brier": "n/a — not a "
                        "probability", "ece": "n/a — not a probability"})


def canned_robustness_view():
    """A noise sweep's compare view with fixed figures (the shape from_sweep builds), for the
    robustness screen's snapshots: iris's nine multiclass losses at four label-noise rates,
    three of them identical (cce, scce, kl_divergence), as a real sweep of iris gives."""
    from dataclasses import replace

    from lossterm.app.compare import sweep_table

    losses = ("categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence",
              "categorical_hinge", "categorical_focal_crossentropy",
              "categorical_generalized_cross_entropy", "symmetric_cross_entropy",
              "nce_rce", "mae_prob")
    rates = (0.0, 0.2, 0.4, 0.6)
    start = {"categorical_crossentropy": 0.963, "sparse_categorical_crossentropy": 0.963,
             "kl_divergence": 0.963, "categorical_hinge": 0.978,
             "categorical_focal_crossentropy": 0.956, "categorical_generalized_cross_entropy": 0.97,
             "symmetric_cross_entropy": 0.948, "nce_rce": 0.941,
             "mae_prob": 0.889}
    # how fast each falls: at noise 0.6 they end 0.04 apart (0.39 to 0.63), so every marker
    # but the identical three's has a point of its own
    drop = {"categorical_hinge": 1.126, "categorical_focal_crossentropy": 1.008,
            "symmetric_cross_entropy": 0.762, "mae_prob": 0.726,
            "categorical_generalized_cross_entropy": 0.728, "nce_rce": 0.6}

    def mean(loss: str, rate: float) -> float:
        return round(start[loss] - drop.get(loss, 0.944) * rate * rate * 1.45, 3)

    robustness = {loss: tuple((r, mean(loss, r), mean(loss, r) - 0.04, mean(loss, r) + 0.04)
                              for r in rates) for loss in losses}
    sds = {loss: 0.013 + 0.01 * (i % 4) for i, loss in enumerate(losses)}
    tied = {r: {loss for loss in losses if mean(loss, r) >= max(mean(x, r) for x in losses) - 0.05}
            for r in rates}
    base = canned_compare_view()
    verdict = "\n".join(
        f"noise {r:g}: " + (f"all {len(losses)} tie for best" if len(tied[r]) == len(losses) else
                            f"{len(tied[r])} tie for best; behind: "
                            + ", ".join(x for x in ("mae_prob", "nce_rce", "sce")
                                        if len(tied[r]) < len(losses)))
        for r in rates)
    protocol = ("robustness of iris to symmetric label noise: clean-test accuracy at each rate "
                "(★ tied for best there); p's isolation plot and curves and m's matrix are "
                "noise 0.6's",
                "each point is a fair study: every loss's learning rate tuned on that point's "
                "noisy validation rows (1 tuning seed per rate, checkpoint 'best' chosen on "
                "validation), then 3 paired final seeds at the chosen rate; test read once per "
                "final model",
                "splits: test rows clean (45, never perturbed); the 105 training rows noisy")
    return replace(base, problem="iris", verdict=verdict, protocol=protocol,
                   robustness=robustness, noise_kind="symmetric",
                   rates_table=sweep_table("accuracy", True, rates,
                                           {loss: {r: (mean(loss, r), sds[loss]) for r in rates}
                                            for loss in losses}, tied),
                   warnings=("3 final seeds: a verdict has little power; --seeds 10 for one "
                             "that can tell losses apart",))
