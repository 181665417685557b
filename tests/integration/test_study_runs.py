"""The store's study runs in process: what a study keeps, what it finds again, and that a
sweep and the TUI's S resume through the same service path as ``--headless``."""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
from dataclasses import replace

import numpy as np

from lossterm import service
from lossterm.analysis.study.protocol import Protocol
from lossterm.app.messages import StudyDone, StudyProgress
from lossterm.app.study import study_worker as tui_study
from lossterm.data.problems import get_problem
from lossterm.losses.own import load_loss_file
from lossterm.options import Options
from lossterm.report.noise import render_noise_sweep
from lossterm.report.study import study_to_dict
from lossterm.storage.store import Store
from lossterm.storage.study_runs import StudyRuns, decode, encode, study_key
from lossterm.training.listener import RunListener
from lossterm.training.records import DIVERGED, FAILED, STOPPED, RunConfig


class Counting(RunListener):
    """Counts the runs that train and the runs said to be resumed."""

    def __init__(self):
        self.trained, self.kept = 0, 0

    def resumed(self, label, kept, total):
        self.kept += kept

    def run_started(self, index, job):
        self.trained += 1


def without_seconds(value):
    """A report less its timings (they differ between any two runs)."""
    if isinstance(value, str):
        return re.sub(r" in [\d.]+ s\b", " in _ s", value)
    if isinstance(value, dict):
        return {k: without_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_seconds(v) for v in value]
    return value


def options(**more) -> Options:
    return Options(problems=("circles",), losses=("bce", "hinge"),
                   base=RunConfig(problem="", loss="", epochs=4),
                   protocol=Protocol(grid=(0.01, 0.1), tune_seeds=1, seeds=2), **more)


def same(a, b) -> bool:
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


def test_a_run_reads_back_exactly_and_only_runs_that_ended_for_good_are_kept(tmp_path):
    jobs = service.plan(Options(problems=("regression",), losses=("mse",),
                                base=RunConfig(problem="", loss="", epochs=6,
                                               learning_rate=50.0), seeds=1)).runs
    ok = service.plan(Options(problems=("circles",), losses=("bce",),
                              base=RunConfig(problem="", loss="", epochs=3))).runs
    diverged, done = service.train_runs(jobs + ok)
    assert diverged.status == DIVERGED and done.weights is not None
    runs = StudyRuns(tmp_path / "s.sqlite")
    for result, job in ((diverged, jobs[0]), (done, ok[0])):
        back = decode(*encode(result))
        for name in result.__dataclass_fields__:
            mine, theirs = getattr(result, name), getattr(back, name)
            if name == "weights":
                assert mine is None or all(a.dtype == b.dtype and np.array_equal(a, b)
                                           for a, b in zip(mine, theirs))
            elif name == "records":
                assert [[same(getattr(a, f), getattr(b, f)) for f in ("train_loss", "test_loss")]
                        for a, b in zip(mine, theirs)] == [[True, True]] * len(mine)
                assert [dict(a.logs).keys() for a in mine] == [dict(b.logs).keys() for b in theirs]
            else:
                assert same(mine, theirs), name
        assert runs.keep(study_key(job, "tuning"), job, "tuning", result)
    for status in (STOPPED, FAILED):
        assert not runs.keep(study_key(ok[0], "final"), ok[0], "final",
                             replace(done, status=status))
    assert runs.count() == 2


def write(path, body: str):
    """A loss file whose one loss, ``mine``, is the mean of ``body`` of the error."""
    path.write_text("from keras import ops\n\n\ndef mine(y_true, y_pred):\n"
                    f"    return ops.mean({body}(y_true - y_pred), axis=-1)\n\n\n"
                    "mine.kind = 'binary'\n")
    return path


def test_the_key_changes_with_what_changes_a_result(tmp_path):
    (job,) = service.plan(Options(problems=("circles",), losses=("bce",))).runs
    key = study_key(job, "tuning")
    assert study_key(replace(job), "tuning") == key
    other_data = replace(job, problem=service.perturbed(
        get_problem("circles"), replace(options(), perturbation=replace(
            options().perturbation, label_noise=0.1))))
    own = replace(job, loss=load_loss_file(f"{write(tmp_path / 'a.py', 'ops.abs')}:mine"))
    edited = replace(job, loss=load_loss_file(f"{write(tmp_path / 'b.py', 'ops.square')}:mine"))
    assert own.loss.name == edited.loss.name == "mine"
    assert study_key(own, "tuning") != study_key(edited, "tuning")  # another source
    for changed in (study_key(own, "tuning"), study_key(edited, "tuning"),
                    study_key(job, "final"), study_key(job.with_seed(1), "tuning"),
                    study_key(replace(job, learning_rate=0.5), "tuning"),
                    study_key(replace(job, epochs=job.epochs + 1), "tuning"),
                    study_key(replace(job, checkpoint="best"), "tuning"),
                    study_key(other_data, "tuning")):
        assert changed != key


def test_a_sweep_resumes_and_gives_the_same_points(tmp_path):
    work = service.sweep_work(options(noise_rates=(0.0, 0.3)))
    first, again = Counting(), Counting()
    runs = StudyRuns(tmp_path / "s.sqlite")
    one = service.run_sweep(work, listener=first, runs=runs)
    two = service.run_sweep(work, listener=again, runs=StudyRuns(tmp_path / "s.sqlite"))
    assert first.trained == runs.count() > 0 and first.kept == 0
    assert again.trained == 0 and again.kept == runs.count()
    assert without_seconds(json.loads(render_noise_sweep(one, "json"))) == \
        without_seconds(json.loads(render_noise_sweep(two, "json")))
    fresh = Counting()
    service.run_sweep(work, listener=fresh, runs=StudyRuns(tmp_path / "s.sqlite", fresh=True))
    assert fresh.trained == first.trained


def test_the_tuis_s_resumes_through_the_same_path(tmp_path):
    store = Store(tmp_path / "runs.sqlite")
    problem = get_problem("circles")
    posted: list[list] = [[], []]
    for seen in posted:
        tui_study(problem, ["bce", "hinge"], options(), threading.Event(), seen.append,
                  store=store)
    first, second = (next(m for m in seen if isinstance(m, StudyDone)) for seen in posted)
    assert first.study is not None and second.study is not None
    assert without_seconds(study_to_dict(first.study)) == \
        without_seconds(study_to_dict(second.study))
    phases = [m for m in posted[1] if isinstance(m, StudyProgress)]
    assert phases and all("resumed from the store" in m.phase and m.total == 0 for m in phases)
    assert not any("resumed" in m.phase for m in posted[0] if isinstance(m, StudyProgress))
    assert store.results() == []  # the run history stays as it was: study runs are apart


def test_a_store_that_cannot_be_written_leaves_the_study_whole_and_says_why(tmp_path):
    path = tmp_path / "s.sqlite"
    runs = StudyRuns(path, timeout=0.1)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another process holding the store
    try:
        (study,) = service.run_study(service.study_work(options()), runs=runs)
    finally:
        holder.rollback()
        holder.close()
    assert study.verdict is not None and runs.count() == 0
    assert "could not" in runs.failed and "locked" in runs.failed


def test_the_apis_study_resumes_from_a_store_it_is_given(tmp_path):
    import lossterm

    path = tmp_path / "api.sqlite"
    small = dict(seeds=2, lr_grid=(0.01, 0.1), epochs=3)
    first = lossterm.study("circles", ["bce", "hinge"], store=path, **small)
    kept = StudyRuns(path).count()
    seen: list[int] = []

    def watching(jobs, phase):  # a trainer that says what it was asked to train
        from lossterm.analysis.study.run import default_trainer
        seen.append(len(jobs))
        return default_trainer(jobs, phase)

    again = lossterm.study("circles", ["bce", "hinge"], store=path, trainer=watching, **small)
    assert kept > 0 and seen == []  # every run came from the store
    assert without_seconds(study_to_dict(first)) == without_seconds(study_to_dict(again))
    assert lossterm.study("circles", ["bce", "hinge"], trainer=watching, **small) and seen
