"""A study's TensorBoard log directory, written from known runs and read back the ways
TensorBoard reads it (scalars, HParams session and experiment); names and refusals. The real
server and the no-TensorFlow import check: tests/integration/test_tensorboard.py."""

import numpy as np
import pytest

from lossterm.core.errors import UsageError
from lossterm.storage.tensorboard import BoardRun, check_logdir, write_tensorboard
from lossterm.training.records import RunResult
from tests.helpers.boards import RUNS, records


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("board") / "study"
    return logdir, write_tensorboard(logdir, RUNS)


def accumulator(path):
    from tensorboard.backend.event_processing import event_accumulator as ea

    acc = ea.EventAccumulator(str(path), size_guidance={ea.TENSORS: 0})  # every event
    acc.Reload()
    return acc


def series(acc, tag) -> tuple[list[int], list[float]]:
    from tensorboard.util import tensor_util

    events = acc.Tensors(tag)
    return ([e.step for e in events],
            [float(tensor_util.make_ndarray(e.tensor_proto)) for e in events])


def test_one_folder_per_run_with_train_and_held_out_curves(board):
    logdir, folders = board
    assert folders == [logdir / "circles/hinge/lr=0.001/seed=0/tune",
                       logdir / "circles/hinge/lr=0.01/seed=1/final",
                       logdir / "circles/binary_crossentropy/lr=0.1/seed=1/final"]
    assert sorted(p.name for p in folders[0].iterdir() if p.is_dir()) == ["train", "validation"]
    assert sorted(p.name for p in folders[2].iterdir() if p.is_dir()) == ["test", "train"]


@pytest.mark.parametrize("index", range(len(RUNS)))
def test_scalars_per_epoch_equal_the_records(board, index):
    run, folder = RUNS[index], board[1][index]
    train, held = accumulator(folder / "train"), accumulator(folder / run.held_out)
    epochs = [r.epoch for r in run.records]
    expected = {
        (train, "epoch_loss"): [r.train_loss for r in run.records],
        (train, "epoch_accuracy"): [r.train_metric for r in run.records],
        (held, "epoch_loss"): [r.test_loss for r in run.records],
        (held, "epoch_accuracy"): [r.test_metric for r in run.records],
    }
    if "keras2_accuracy" in run.records[0].logs:
        expected[train, "epoch_keras2_accuracy"] = [r.logs["keras2_accuracy"]
                                                   for r in run.records]
        expected[held, "epoch_keras2_accuracy"] = [r.logs["val_keras2_accuracy"]
                                                  for r in run.records]
    assert set(held.Tags()["tensors"]) == {tag for acc, tag in expected if acc is held}
    for (acc, tag), values in expected.items():
        steps, read = series(acc, tag)
        assert steps == epochs, tag
        assert read == pytest.approx(values, rel=1e-6), tag  # stored as float32


@pytest.mark.parametrize("index", range(len(RUNS)))
def test_the_session_holds_the_runs_hyperparameters_and_final_scores(board, index):
    from tensorboard.plugins.hparams import metadata

    run, folder = RUNS[index], board[1][index]
    acc = accumulator(folder)
    content = acc.SummaryMetadata(metadata.SESSION_START_INFO_TAG).plugin_data.content
    session = metadata.parse_session_start_info_plugin_data(content)
    assert session.group_name == run.name
    assert session.hparams["loss"].string_value == run.hparams["loss"]
    assert session.hparams["learning_rate"].number_value == run.hparams["learning_rate"]
    assert session.hparams["seed"].number_value == run.hparams["seed"]
    assert session.hparams["phase"].string_value == run.hparams["phase"]
    finals = {t for t in acc.Tags()["tensors"] if t != metadata.SESSION_START_INFO_TAG}
    assert finals == {f"{run.held_out}/{k}" for k, v in run.final.items() if v is not None}
    for key in ("accuracy", "log_loss"):
        if run.final[key] is not None:
            steps, values = series(acc, f"{run.held_out}/{key}")
            assert steps == [run.records[-1].epoch]
            assert values == pytest.approx([run.final[key]], rel=1e-6)


def test_the_experiment_lists_every_value_and_metric(board):
    from tensorboard.plugins.hparams import metadata

    acc = accumulator(board[0])
    content = acc.SummaryMetadata(metadata.EXPERIMENT_TAG).plugin_data.content
    experiment = metadata.parse_experiment_plugin_data(content)
    domains = {info.name: list(info.domain_discrete) for info in experiment.hparam_infos}
    assert domains == {
        "problem": ["circles"], "loss": ["binary_crossentropy", "hinge"],
        "learning_rate": [0.001, 0.01, 0.1], "seed": [0, 1], "optimizer": ["sgd"],
        "phase": ["final", "tune"]}
    columns = {(m.name.group, m.name.tag) for m in experiment.metric_infos}
    assert {("", "validation/accuracy"), ("", "test/accuracy"), ("", "test/log_loss"),
            ("train", "epoch_loss"), ("validation", "epoch_accuracy"),
            ("test", "epoch_loss")} <= columns
    assert ("", "validation/log_loss") not in columns  # never a figure: n/a on tanh


def test_a_used_directory_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "old").write_text("an earlier study")
    with pytest.raises(UsageError, match="is not empty") as error:
        write_tensorboard(tmp_path, RUNS)
    assert error.value.field == "tensorboard"
    assert "--tensorboard" in error.value.render(lambda f: "--" + f)
    assert [p.name for p in tmp_path.iterdir()] == ["old"]
    assert check_logdir(tmp_path / "new") == tmp_path / "new"
    with pytest.raises(UsageError, match="is not a directory"):
        check_logdir(tmp_path / "old")


def test_run_names_become_safe_distinct_folders(tmp_path):
    run = RUNS[2]
    odd = BoardRun("../circles/bce: lr 0.1", run.hparams, run.records, run.final, "accuracy")
    assert write_tensorboard(tmp_path / "a", [odd]) == [tmp_path / "a/circles/bce_lr_0.1"]
    with pytest.raises(ValueError, match="share a folder"):
        write_tensorboard(tmp_path / "b", [odd, odd])
    with pytest.raises(ValueError, match="mixes types"):
        write_tensorboard(tmp_path / "c", [run, BoardRun("x", {**run.hparams, "seed": "one"},
                                                         run.records, run.final)])


def test_a_board_run_from_a_run_result():
    result = RunResult(problem="circles", loss="hinge", kind="binary", output_activation="tanh",
                       output_layer="1, tanh", target_encoding="{-1,1}", metric="accuracy",
                       seed=3, epochs=4, records=records(0, 4))
    run = BoardRun.from_result("circles/hinge/3", result,
                               {"learning_rate": 0.01, "phase": "final"}, {"accuracy": 0.7})
    assert dict(run.hparams) == {"problem": "circles", "loss": "hinge", "seed": 3,
                                 "learning_rate": 0.01, "phase": "final"}
    assert run.metric == "accuracy" and run.records == tuple(result.records)
    assert run.held_out == "test"
    np.testing.assert_equal([r.epoch for r in run.records], [1, 2, 3, 4])
