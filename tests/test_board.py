"""The TUI's run board on its own: no app, no Textual, no training."""

from dataclasses import replace

import pytest

from lossterm import pipeline
from lossterm.app.state import RunBoard, overall_status
from lossterm.engine import RunConfig
from lossterm.engine.records import EpochRecord
from lossterm.engine.training import new_result
from lossterm.engine.types import Status
from lossterm.options import Options


def _jobs(problem="circles", losses=("bce",), seeds=1):
    options = Options(problems=(problem,), losses=losses, seeds=seeds,
                      base=RunConfig("", "", epochs=3))
    return pipeline.plan(options).runs


def _result(job, status=Status.DONE, epochs=3):
    result = new_result(job)
    result.status = status
    result.records = [_record(e) for e in range(1, epochs + 1)]
    return result


def _record(epoch):
    logs = {"loss": 1.0 / epoch, "val_loss": 1.1 / epoch, "accuracy": 0.5, "val_accuracy": 0.5}
    return EpochRecord(epoch, 1.0 / epoch, 1.1 / epoch, 0.5, 0.5, 0.01, logs)


def _train(board, run, statuses):
    """Play a run's seeds through the board as the worker's messages would."""
    board.next_queued()
    for job, status in zip(run.jobs, statuses):
        board.seed_started(run.id, job.seed)
        board.epoch_done(run.id, _record(1))
        board.seed_finished(run.id, _result(job, status))
    return board.run_finished(run.id)


def test_planned_jobs_become_runs_of_seeds_each_queued_in_order():
    board = RunBoard()
    runs = board.add_planned(_jobs(losses=("all",), seeds=2), seeds=2)
    assert len(runs) >= 2 and all(len(r.jobs) == 2 for r in runs)
    assert [r.id for r in runs] == list(range(1, len(runs) + 1))
    assert {r.status for r in runs} == {Status.QUEUED}
    assert [board.next_queued().id for _ in runs] == [r.id for r in runs]
    assert board.next_queued() is None


@pytest.mark.parametrize("statuses, seeds, expected", [
    ([Status.DONE] * 3, 3, Status.DONE),
    ([Status.DONE, Status.DIVERGED, Status.DONE], 3, Status.DIVERGED),
    ([Status.DIVERGED, Status.FAILED, Status.DONE], 3, Status.FAILED),
    ([Status.DONE, Status.STOPPED], 3, Status.STOPPED),
    ([Status.DONE, Status.DONE], 3, Status.STOPPED),  # cut short between seeds
])
def test_a_runs_status_comes_from_its_seeds(statuses, seeds, expected):
    assert overall_status(statuses, seeds) == expected


def test_a_run_trains_through_its_seeds_and_ends_with_their_status():
    board = RunBoard()
    (run,) = board.add_planned(_jobs(seeds=3), seeds=3)
    board.next_queued()
    board.seed_started(run.id, 0)
    assert board.training is run and run.status == Status.TRAINING
    board.seed_finished(run.id, _result(run.jobs[0], Status.DIVERGED))
    for job in run.jobs[1:]:
        board.seed_started(run.id, job.seed)
        board.seed_finished(run.id, _result(job))
    assert board.run_finished(run.id).status == Status.DIVERGED
    assert board.training is None and len(run.results) == 3


def test_a_run_refused_before_training_has_failed():
    board = RunBoard()
    (run,) = board.add_planned(_jobs(), seeds=1)
    assert board.run_finished(run.id, "no such thing").status == Status.FAILED


def test_clear_keeps_queued_and_training_runs_and_drops_finished_and_history_ones():
    board = RunBoard()
    done, training, queued = board.add_planned(_jobs(losses=("bce", "hinge", "squared_hinge")), seeds=1)
    _train(board, done, [Status.DONE])
    board.next_queued()
    board.seed_started(training.id, 0)
    job = done.jobs[0]
    history = board.add_history([_result(job, Status.INCOMPLETE, epochs=1),
                                 _result(job, Status.STOPPED),
                                 _result(job, Status.RUNNING, epochs=1)])  # another process's
    gone = board.clear_finished()
    assert {r.id for r in gone} == {done.id, history[0].id, history[1].id}
    assert list(board.runs) == [training.id, queued.id, history[2].id]


def test_the_curves_show_the_overlay_else_the_run_training_else_the_latest():
    board = RunBoard()
    assert board.shown_runs() == []
    first, second = board.add_planned(_jobs(losses=("bce", "hinge")), seeds=1)
    _train(board, first, [Status.DONE])
    assert board.shown_runs() == [first]
    board.next_queued()
    board.seed_started(second.id, 0)
    assert board.shown_runs() == [second]
    board.toggle_overlay(first.id)
    assert board.shown_runs() == [first] and first.overlay
    board.toggle_overlay(second.id)
    assert board.shown_runs() == [first, second]
    board.toggle_overlay(first.id)
    board.toggle_overlay(second.id)
    assert board.shown_runs() == [second] and not first.overlay


def test_every_change_bumps_the_version_and_the_revisions_of_the_runs_it_touched():
    board = RunBoard()
    first, second = board.add_planned(_jobs(losses=("bce", "hinge")), seeds=1)
    version, revisions = board.version, (board.revision(first.id), board.revision(second.id))
    board.seed_started(first.id, 0)
    board.epoch_done(first.id, _record(1))
    assert board.version == version + 2 and board.last.kind == "epoch"
    assert board.revision(first.id) == revisions[0] + 2
    assert board.revision(second.id) == revisions[1]


def test_messages_about_runs_already_cleared_change_nothing():
    board = RunBoard()
    (run,) = board.add_planned(_jobs(), seeds=1)
    _train(board, run, [Status.DONE])
    board.clear_finished()
    version = board.version
    assert board.epoch_done(run.id, _record(2)) is None
    assert board.toggle_overlay(run.id) is None
    assert board.version == version


def test_regions_are_the_latest_run_on_that_very_problem():
    board = RunBoard()
    first, second = board.add_planned(_jobs(losses=("bce", "hinge")), seeds=1)
    _train(board, first, [Status.DONE])
    first.results[0].regions = "first"
    assert board.regions_for(first.jobs[0].problem) == "first"
    second.results.append(replace(_result(second.jobs[0]), regions="second"))
    assert board.regions_for(first.jobs[0].problem) == "second"
    assert board.regions_for(_jobs("blobs", ("cce",))[0].problem) is None


def test_stored_runs_of_a_loss_no_longer_in_the_catalogue_keep_their_name():
    board = RunBoard()
    result = _result(_jobs()[0])
    result.loss = "retired_loss"
    (run,) = board.add_history([result])
    assert run.short_name == "retired_loss" and run.from_history and run.finished
