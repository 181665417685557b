"""Seeds grouped into one HParams trial per setting (lossterm.storage.board_groups), from
known runs, written and read back with TensorBoard's own reader. A real study's groups:
tests/integration/test_board_groups.py."""

import math

import numpy as np
import pytest

from lossterm.storage.board_groups import board_groups
from lossterm.storage.tensorboard import BoardRun, write_tensorboard
from tests.helpers.boards import records


def run(seed, phase, final, lr=0.1, held_out="validation", loss="focal", **settings):
    return BoardRun(f"blobs/{phase}/{loss}/{settings}/lr={lr}/seed={seed}",
                    {"problem": "blobs", "loss": loss, "seed": seed, "learning_rate": lr,
                     "optimizer": "sgd", "phase": phase, **settings},
                    records(seed, 3) if phase != "test" else (), final, "accuracy", held_out)


RUNS = [
    run(0, "final", {"accuracy": 0.81}, gamma=2.0),
    run(1, "final", {"accuracy": 0.85}, gamma=2.0),
    run(2, "final", {"accuracy": None}, gamma=2.0),  # diverged: no figure
    run(0, "test", {"accuracy": 0.79, "macro_f1": 0.70}, held_out="test", gamma=2.0),
    run(1, "test", {"accuracy": 0.83, "macro_f1": 0.74}, held_out="test", gamma=2.0),
    run(0, "final", {"accuracy": 0.60}, gamma=0.5),  # another loss setting: another group
    run(0, "tuning", {"accuracy": 0.70}, lr=0.01, gamma=2.0),
    run(1, "tuning", {"accuracy": float("nan")}, lr=0.01, gamma=2.0),
]


def test_one_group_per_setting_and_phase_with_the_test_runs_joining_the_final_ones():
    groups = {g.name: g for g in board_groups(RUNS)}
    assert list(groups) == ["blobs/groups/focal/gamma=2/lr=0.1/final",
                            "blobs/groups/focal/gamma=0.5/lr=0.1/final",
                            "blobs/groups/focal/gamma=2/lr=0.01/tuning"]
    final = groups["blobs/groups/focal/gamma=2/lr=0.1/final"]
    assert dict(final.figures) == {"validation/accuracy": (0.81, 0.85),
                                   "test/accuracy": (0.79, 0.83), "test/macro_f1": (0.70, 0.74)}
    assert final.hparams["seeds"] == "0,1,2" and "seed" not in final.hparams
    assert final.hparams["phase"] == "final" and final.hparams["gamma"] == 2.0
    assert final.step == 3
    assert dict(groups["blobs/groups/focal/gamma=2/lr=0.01/tuning"].figures) == {
        "validation/accuracy": (0.70,)}  # NaN left out


def test_statistics_are_numpys_and_one_figure_has_no_sd():
    final, single, _ = board_groups(RUNS)
    scalars = final.scalars()
    assert scalars["validation/accuracy/mean"] == pytest.approx(np.mean([0.81, 0.85]))
    assert scalars["validation/accuracy/sd"] == pytest.approx(np.std([0.81, 0.85], ddof=1))
    assert scalars["validation/accuracy/n"] == 2
    assert scalars["test/macro_f1/sd"] == pytest.approx(np.std([0.70, 0.74], ddof=1))
    assert single.scalars() == {"validation/accuracy/mean": 0.60, "validation/accuracy/n": 1}


def test_groups_read_back_beside_the_runs_and_declared_in_the_experiment(tmp_path):
    from tensorboard.backend.event_processing import event_accumulator as ea
    from tensorboard.plugins.hparams import metadata
    from tensorboard.util import tensor_util

    groups = board_groups(RUNS)
    folders = write_tensorboard(tmp_path / "board", RUNS, groups)
    assert len(folders) == len(RUNS) + len(groups)
    root = ea.EventAccumulator(str(tmp_path / "board"))
    root.Reload()
    content = root.SummaryMetadata(metadata.EXPERIMENT_TAG).plugin_data.content
    declared = {m.name.tag: m.display_name
                for m in metadata.parse_experiment_plugin_data(content).metric_infos}
    assert declared["test/accuracy/mean"] == "accuracy mean over seeds (test)"
    assert declared["validation/accuracy/sd"] == "accuracy SD over seeds (validation)"
    assert declared["test/macro_f1/n"] == "macro_f1 n over seeds (test)"
    for group, folder in zip(groups, folders[len(RUNS):]):
        acc = ea.EventAccumulator(str(folder), size_guidance={ea.TENSORS: 0})
        acc.Reload()
        session = metadata.parse_session_start_info_plugin_data(
            acc.SummaryMetadata(metadata.SESSION_START_INFO_TAG).plugin_data.content)
        assert session.group_name == group.name
        assert session.hparams["seeds"].string_value == group.hparams["seeds"]
        read = {tag: float(tensor_util.make_ndarray(acc.Tensors(tag)[-1].tensor_proto))
                for tag in acc.Tags()["tensors"] if not tag.startswith("_hparams_")}
        assert read == pytest.approx(group.scalars(), rel=1e-6)  # float32 on disk
        assert all(math.isfinite(v) for v in read.values())
