"""The TUI's run board on its own: no app, no Textual, no training."""

from dataclasses import replace

import pytest

from lossterm import service
from lossterm.app.state import OverlayRefused, RunBoard, base_problem, overall_status
from lossterm.core.types import Status
from lossterm.options import Options
from lossterm.training.fit import new_result
from lossterm.training.records import EpochRecord, RunConfig


def _jobs(problem="circles", losses=("bce",), seeds=1):
    options = Options(problems=(problem,), losses=losses, seeds=seeds,
                      base=RunConfig("", "", epochs=3))
    return service.plan(options).runs


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


def test_the_curves_show_the_overlay_and_the_run_training_else_the_latest():
    board = RunBoard()
    assert board.shown_runs() == []
    first, second, _ = board.add_planned(_jobs(losses=("bce", "hinge", "squared_hinge")),
                                             seeds=1)
    _train(board, first, [Status.DONE])
    assert board.shown_runs() == [first]
    board.toggle_overlay(first.id)
    board.next_queued()
    board.seed_started(second.id, 0)
    # The run training now joins the overlay: its live curves stay in view (audit item 9).
    assert board.shown_runs() == [first, second] and first.overlay
    board.seed_finished(second.id, _result(second.jobs[0]))
    board.run_finished(second.id)
    assert board.shown_runs() == [first]
    board.toggle_overlay(second.id)
    assert board.shown_runs() == [first, second]
    board.toggle_overlay(first.id)
    board.toggle_overlay(second.id)
    assert board.shown_runs() == [second] and not first.overlay


def test_the_last_curves_stay_until_the_next_queued_run_has_an_epoch():
    """Issue 21 item 7: a queued run starting blanked the curves until its first epoch."""
    board = RunBoard()
    first, second = board.add_planned(_jobs(losses=("bce", "hinge")), seeds=1)
    board.next_queued()
    board.seed_started(first.id, 0)
    assert board.shown_runs() == [first]  # nothing else to show: its own (empty) pane
    board.epoch_done(first.id, _record(1))
    board.seed_finished(first.id, _result(first.jobs[0]))
    board.run_finished(first.id)
    board.next_queued()
    board.seed_started(second.id, 0)
    assert board.training is second and board.shown_runs() == [first]
    board.epoch_done(second.id, _record(1))
    assert board.shown_runs() == [second]


def test_a_run_on_another_problem_trains_alone_and_cannot_join_the_overlay():
    """Never two metrics on one axis (audit item 6): regression/mse with circles/bce."""
    board = RunBoard()
    (circles,) = board.add_planned(_jobs("circles", ("bce",)), seeds=1)
    _train(board, circles, [Status.DONE])
    board.toggle_overlay(circles.id)
    (regression,) = board.add_planned(_jobs("regression", ("mse",)), seeds=1)
    board.next_queued()
    board.seed_started(regression.id, 0)
    assert board.shown_runs() == [circles]  # until regression has an epoch to draw
    board.epoch_done(regression.id, _record(1))
    assert board.shown_runs() == [regression] and board.overlay_hidden()
    board.seed_finished(regression.id, _result(regression.jobs[0]))
    board.run_finished(regression.id)
    with pytest.raises(OverlayRefused, match="different metric"):
        board.toggle_overlay(regression.id)
    assert not regression.overlay and board.shown_runs() == [circles]


def test_a_perturbed_problem_shares_the_axes_of_its_clean_one():
    assert base_problem("circles+noise0.2+imbalance0.5") == "circles"
    board = RunBoard()
    (clean,) = board.add_planned(_jobs("circles", ("bce",)), seeds=1)
    (noisy,) = board.add_planned(_jobs("circles", ("bce",)), seeds=1)
    noisy.config = replace(noisy.config, problem="circles+noise0.2")
    board.toggle_overlay(clean.id)
    board.toggle_overlay(noisy.id)
    assert board.overlay == [clean, noisy]


def test_training_again_takes_the_next_seeds_not_the_same_ones():
    """Pressing t again must not repeat seed 0 (audit item 11)."""
    board = RunBoard()
    jobs = _jobs(losses=("bce",), seeds=2)
    fresh, lines = board.fresh_seeds(jobs, 2)
    assert [j.seed for j in fresh] == [0, 1] and lines == []
    (run,) = board.add_planned(fresh, 2)
    again, lines = board.fresh_seeds(_jobs(losses=("bce",), seeds=2), 2)
    assert [j.seed for j in again] == [2, 3]  # queued seeds count already
    assert lines == ["bce on circles: seed 0, 1 already trained; training seed 2-3"]
    _train(board, run, [Status.DONE, Status.STOPPED])
    again, _ = board.fresh_seeds(_jobs(losses=("bce",), seeds=1), 1)
    assert [j.seed for j in again] == [1]  # a stopped seed can be trained again
    other, _ = board.fresh_seeds(_jobs(losses=("hinge",), seeds=1), 1)
    assert [j.seed for j in other] == [0]  # another loss keeps its seeds: runs stay paired


def test_seeds_in_the_stores_history_count_as_trained():
    board = RunBoard()
    (job,) = _jobs(losses=("bce",))
    board.add_history([_result(job)])
    fresh, _ = board.fresh_seeds(_jobs(losses=("bce",)), 1)
    assert [j.seed for j in fresh] == [1]


def test_a_run_ending_at_an_absurd_mse_counts_as_diverged():
    """Test MSE 1.5e33 on standardized targets is no result (audit item 3)."""
    board = RunBoard()
    (run,) = board.add_planned(_jobs("regression", ("mse",)), seeds=1)
    result = new_result(run.jobs[0])
    logs = {"loss": 1.0, "val_loss": 1.0, "mse": 1.5e33, "val_mse": 1.5e33}
    result.records = [EpochRecord(1, 1.0, 1.0, 1.5e33, 1.5e33, 0.01, logs)]
    board.next_queued()
    board.seed_started(run.id, 0)
    board.seed_finished(run.id, result)
    board.run_finished(run.id)
    assert run.status == Status.DIVERGED and run.trouble == "diverged"
    assert "1.5e+33 is over 1e+06 times the target's variance" in run.results[0].message
    assert run.figure("test") is None


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
    assert board.regions_run(first.jobs[0].problem).regions == "first"
    second.results.append(replace(_result(second.jobs[0]), regions="second"))
    assert board.regions_run(first.jobs[0].problem).regions == "second"
    assert board.regions_run(_jobs("blobs", ("cce",))[0].problem) is None


def test_stored_runs_of_a_loss_no_longer_in_the_catalogue_keep_their_name():
    board = RunBoard()
    result = _result(_jobs()[0])
    result.loss = "retired_loss"
    (run,) = board.add_history([result])
    assert run.short_name == "retired_loss" and run.from_history and run.finished
