"""Study reports: the protocol block, the ranking, the isolation view, every pair and the
verdict, as text (Rich), Markdown and JSON, from :class:`ProblemStudy` values."""

from __future__ import annotations

import io
import json
import math

from lossterm.analysis.stats import interval_words, summarize
from lossterm.analysis.study import LossStudy, ProblemStudy
from lossterm.core.metric import get_metric, metric_names_for, metric_title
from lossterm.core.types import Format
from lossterm.report.render import run_to_dict
from lossterm.report.rows import remarks
from lossterm.report.verdict import PAIR_COLUMNS, PAIR_TEST, mean_flag, modes_json, pairs_json
from lossterm.report.verdict import pair_rows as verdict_pair_rows
from lossterm.storage.tensorboard import BoardRun

SPARKS = "▁▂▃▄▅▆▇█"
NO_SCORE = "×"  # a grid point where some tuning run diverged


def render_study(studies: list[ProblemStudy], fmt: str = "text", *, width: int = 160,
                 header: str = "") -> str:
    if fmt == Format.JSON:
        return study_json(studies, header=header)
    if fmt == Format.MARKDOWN:
        return study_markdown(studies, header=header)
    return study_text(studies, width=width, header=header)

# --- figures -------------------------------------------------------------------------------


def value(study: ProblemStudy, v: float | None) -> str:
    """A metric value as people read it: 3 decimals for shares, 4 significant digits else."""
    if v is None or not math.isfinite(v):
        return "—"
    return get_metric(study.metric).text(v)


def rate(lr: float | None) -> str:
    return "—" if lr is None else f"{lr:.3g}"


def sparkline(scores: list[float | None], higher: bool) -> str:
    """One character per grid point, taller = better; ``×`` where a run diverged. Errors
    (lower is better, positive) are drawn on a log scale: they span decades over a grid."""
    finite = [s for s in scores if s is not None]
    if not finite:
        return NO_SCORE * len(scores)
    scale = math.log if not higher and min(finite) > 0 else float  # errors span decades
    low, high = scale(min(finite)), scale(max(finite))
    out = []
    for s in scores:
        if s is None:
            out.append(NO_SCORE)
            continue
        s = scale(s)
        share = 0.5 if high == low else (s - low) / (high - low)
        out.append(SPARKS[round((share if higher else 1 - share) * (len(SPARKS) - 1))])
    return "".join(out)


def test_summary(study: ProblemStudy, loss: LossStudy):
    return summarize(list(loss.test.values()), study.metric)


def validation_mean(loss: LossStudy) -> float | None:
    return (sum(loss.validation.values()) / len(loss.validation)) if loss.validation else None

# --- the protocol block --------------------------------------------------------------------


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
        f"tuning (shared: once for all final seeds): {p.tune_seeds} seeds per rate "
        f"({_seeds(study.tuning_seeds)}); score = mean validation {study.metric} at the "
        "checkpoint; a rate where any run diverged ranks last",
        f"checkpoint: {checkpoint}; chosen on validation only",
        f"final: {p.seeds} paired seeds per loss ({_seeds(study.final_seeds)}) at its chosen "
        "rate, same training rows; test split read once per final model, after training",
        f"selection and verdict metric: {study.metric} "
        f"({'higher' if study.higher else 'lower'} is better); paired t-tests, Holm-adjusted "
        "over all pairs (the final seeds leave the selection out)",
        f"runs: {runs.get('tuning', 0)} tuning + {runs.get('tuning (extended)', 0)} extended + "
        f"{runs.get('final', 0)} final = {sum(runs.values())}; "
        f"{sum(study.seconds.values()):.1f} s",
    ]


def chosen_words(s: LossStudy) -> str:
    """The chosen rate, or with replicates the rate most chose and how many chose it."""
    counts = s.chosen_rates
    if not counts:
        return "—"
    if not s.replicates:
        return rate(s.chosen_learning_rate)
    lr, n = next(iter(counts.items()))
    return rate(lr) if n == len(s.replicates) else f"{rate(lr)} ({n}/{len(s.replicates)})"


def _seeds(seeds: list[int]) -> str:
    return str(seeds[0]) if len(seeds) == 1 else f"{seeds[0]}–{seeds[-1]}"

# --- rows ----------------------------------------------------------------------------------


LOSS_COLUMNS = ("rank", "loss", "chosen lr", "validation", "test mean ± sd", "test 95% CI",
                "seeds", "tied for best")


def loss_rows(study: ProblemStudy) -> list[tuple[str, ...]]:
    order = study.verdict.ranking + [s.loss for s in study.losses
                                     if s.loss not in study.verdict.ranking]
    rows: list[tuple[str, ...]] = []
    for loss in order:
        s = study.loss(loss)
        t = test_summary(study, s)
        rank = str(study.verdict.ranking.index(loss) + 1) if loss in study.verdict.ranking else ""
        pm = "—" if t.n == 0 else value(study, t.mean) + (
            "" if math.isnan(t.std) else f" ± {value(study, t.std)}") + mean_flag(s.test.values())
        ci = "—" if math.isnan(t.ci_low) else f"{value(study, t.ci_low)}–{value(study, t.ci_high)}"
        planned = study.protocol.seeds
        used = f"{len(s.test)}/{planned}" if len(s.test) != planned else str(len(s.test))
        rows.append((rank, loss, chosen_words(s), value(study, validation_mean(s)),
                     pm, ci, used, "yes" if loss in study.verdict.tied_for_best else ""))
    return rows


def pair_rows(study: ProblemStudy) -> list[tuple[str, ...]]:
    return verdict_pair_rows(study.verdict, study.metric)


def matrix_columns(study: ProblemStudy) -> tuple[str, ...]:
    """The kind's metrics, then any per-target ones the scores hold (``mse[a]``, ...)."""

    names = metric_names_for(study.kind)
    extra = dict.fromkeys(k for s in study.losses for m in s.test_metrics.values() for k in m
                          if k not in names)
    return names + tuple(extra)


def matrix_means(s: LossStudy, name: str) -> float | None:
    values = [v for m in s.test_metrics.values() if (v := m.get(name)) is not None]
    return float(sum(values) / len(values)) if values else None


def matrix_rows(study: ProblemStudy) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]:
    """The metric matrix: each loss's final models on every metric of the kind (test,
    mean over seeds), and each reason a figure is missing, said once."""

    names = matrix_columns(study)
    rows: list[tuple[str, ...]] = []
    reasons: dict[str, list[str]] = {}  # why a figure is missing -> the losses it is missing for
    for s in study.losses:
        cells = [s.loss]
        for name in names:
            v = matrix_means(s, name)
            if v is None and name in s.not_applicable:
                reasons.setdefault(s.not_applicable[name], []).append(s.loss)
                cells.append("n/a")
            else:
                cells.append("—" if v is None else f"{v:.4g}")
        rows.append(tuple(cells))
    notes = [f"n/a: {why.removeprefix('n/a — ')} ({', '.join(dict.fromkeys(losses))})"
             for why, losses in reasons.items()]
    return ("loss", *(metric_title(n) for n in names)), rows, notes


def run_remarks(study: ProblemStudy) -> tuple[list[str], list[str]]:
    """The final runs' warnings and notes (what the checks say of a loss on this data, and
    why a run diverged), each once, as the plain report gives them."""

    return remarks([r for s in study.losses for r in s.final])


def isolation_rows(study: ProblemStudy) -> list[tuple[str, str, str]]:
    """Per loss: a sparkline and the validation score at every rate, the chosen one marked."""
    rows = []
    for s in study.losses:
        cells = []
        for i, (lr, score) in enumerate(s.validation_curve):
            text = f"{rate(lr)}: {value(study, score) if score is not None else NO_SCORE}"
            cells.append(f"[{text}]" if i == s.chosen else text)
        rows.append((s.loss, sparkline([v for _, v in s.validation_curve], study.higher),
                     "  ".join(cells)))
    return rows

# --- text ----------------------------------------------------------------------------------


def study_text(studies: list[ProblemStudy], *, width: int = 160, header: str = "") -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, soft_wrap=False)
    if header:
        console.print(header, highlight=False, markup=False, soft_wrap=True)
    for study in studies:
        console.print(f"\nstudy of {study.problem}: each loss at its own learning rate, "
                      f"chosen on validation; test read once", highlight=False, markup=False, soft_wrap=True)
        console.print("protocol:", highlight=False, markup=False, soft_wrap=True)
        for line in protocol_lines(study):
            console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
        console.print(_table(Table, LOSS_COLUMNS, loss_rows(study),
                             f"test {study.metric}, final models; {interval_words(study.metric)}"))
        console.print(f"validation {study.metric} at each learning rate (isolation view; "
                      f"[chosen]; {NO_SCORE} = a run diverged):", highlight=False, markup=False,
                      soft_wrap=True)
        for loss, spark, cells in isolation_rows(study):
            console.print(f"  {loss:<28} {spark}  {cells}", highlight=False, markup=False, soft_wrap=True)
        columns, rows, notes = matrix_rows(study)
        console.print(_table(Table, columns, rows, "metric matrix (test, mean over final seeds)"))
        for line in notes:
            console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
        if study.verdict.pairs:
            console.print(_table(Table, PAIR_COLUMNS, pair_rows(study),
                                 "every pair (paired t-test over seeds, Holm-adjusted)"))
        console.print(f"tied for best: {', '.join(study.verdict.tied_for_best) or '—'}",
                      highlight=False)
        console.print(f"verdict: {study.verdict.line}", highlight=False, markup=False, soft_wrap=True)
        for line in study.verdict.notes:
            console.print(f"note: {line}", highlight=False, markup=False, soft_wrap=True)
        warnings, notes = run_remarks(study)
        for line in study.warnings + warnings:
            console.print(f"warning: {line}", highlight=False, markup=False, soft_wrap=True)
        for line in notes:
            console.print(f"note: {line}", highlight=False, markup=False, soft_wrap=True)
    return buffer.getvalue()


def _table(Table, columns, rows, title):
    from rich.markup import escape  # per-target columns read "MSE[a]", not a markup tag

    table = Table(*(escape(c) for c in columns), title=title, title_justify="left")
    for cells in rows:
        table.add_row(*cells)
    return table

# --- Markdown ------------------------------------------------------------------------------


def _md_line(cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _md_table(columns, rows) -> list[str]:
    return [_md_line(columns), "|" + "|".join("---" for _ in columns) + "|",
            *(_md_line(r) for r in rows)]


def study_markdown(studies: list[ProblemStudy], header: str = "") -> str:
    out = [f"# {header}", ""] if header else []
    for study in studies:
        out += [f"## Study of {study.problem}", "", f"**Verdict:** {study.verdict.line}", "",
                "**Protocol**", ""]
        out += [f"- {line}" for line in protocol_lines(study)]
        out += ["", *_md_table(LOSS_COLUMNS, loss_rows(study)), "",
                f"**Validation {study.metric} at each learning rate** (chosen in bold; "
                f"{NO_SCORE} = a run diverged)", ""]
        iso = [(loss, spark, cells.replace("[", "**").replace("]", "**"))
               for loss, spark, cells in isolation_rows(study)]
        out += _md_table(("loss", "shape", "rate: score"), iso)
        columns, rows, notes = matrix_rows(study)
        out += ["", "**Metric matrix** (test, mean over final seeds)", "",
                *_md_table(columns, rows)]
        out += [f"- {line}" for line in notes]
        if study.verdict.pairs:
            out += ["", "**Every pair** (paired t-test over seeds, Holm-adjusted)", ""]
            out += _md_table(PAIR_COLUMNS, pair_rows(study))
        out += ["", f"Tied for best: {', '.join(study.verdict.tied_for_best) or '—'}"]
        out += [f"- note: {n}" for n in study.verdict.notes]
        warnings, notes = run_remarks(study)
        out += [f"- **warning:** {w}" for w in study.warnings + warnings]
        out += [f"- note: {n}" for n in notes]
        out.append("")
    return "\n".join(out)

# --- JSON ----------------------------------------------------------------------------------


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
