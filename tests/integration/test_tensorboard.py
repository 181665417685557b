"""A study's TensorBoard log directory served by the real TensorBoard, and written without
importing TensorFlow (the files read back: tests/unit/test_tensorboard_files.py)."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from lossterm.storage.tensorboard import write_tensorboard
from tests.helpers.boards import RUNS
from tests.helpers.guard import DEADLOCK_GUARD


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("board") / "study"
    return logdir, write_tensorboard(logdir, RUNS)


@pytest.mark.filterwarnings("ignore:html5lib's sanitizer is deprecated:DeprecationWarning")
def test_tensorboard_serves_the_study_on_its_hparams_dashboard(board):
    """The real server, asked what its HParams dashboard asks."""
    from tensorboard import program

    server = program.TensorBoard()
    server.configure(argv=[None, "--logdir", str(board[0]), "--host", "127.0.0.1", "--port",
                           "0", "--load_fast", "false", "--reload_task", "blocking",
                           "--reload_interval", "0"])
    url = server.launch()

    def ask(path, body):
        request = urllib.request.Request(url + "data/plugin/hparams/" + path,
                                         json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=DEADLOCK_GUARD) as reply:
            return json.load(reply)

    experiment = ask("experiment", {"experimentName": ""})
    assert {h["name"] for h in experiment["hparamInfos"]} == set(RUNS[0].hparams)
    groups = ask("session_groups", {"experimentName": "", "startIndex": 0, "sliceSize": 100,
                                    "allowedStatuses": ["STATUS_UNKNOWN"], "colParams": []})
    by_name = {g["name"]: g for g in groups["sessionGroups"]}
    assert set(by_name) == {run.name for run in RUNS}
    final = by_name[RUNS[2].name]
    assert final["hparams"]["loss"] == "binary_crossentropy"
    assert final["hparams"]["learning_rate"] == 0.1
    scores = {(m["name"].get("group", ""), m["name"]["tag"]): m["value"]
              for m in final["metricValues"]}
    assert scores[("", "test/accuracy")] == pytest.approx(0.83, rel=1e-6)
    assert scores[("test", "epoch_loss")] == pytest.approx(RUNS[2].records[-1].test_loss)


def test_writing_needs_no_tensorflow(tmp_path):
    code = ("import sys\n"
            "from tests.helpers.boards import RUNS\n"
            "from lossterm.storage.tensorboard import write_tensorboard\n"
            f"write_tensorboard({str(tmp_path / 'study')!r}, RUNS)\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, cwd=str(Path(__file__).resolve().parents[2]), timeout=DEADLOCK_GUARD)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "study" / "circles").is_dir()
