"""The command line as a user meets it: reports, errors, exit codes, speed of --help."""

import json
import os
import subprocess
import sys

import pytest

RUN_KEYS = {"problem", "loss", "kind", "output_activation", "target_encoding", "metric",
            "train_metric", "test_metric", "epochs", "seconds", "status", "warnings", "history"}


def test_headless_json_has_the_documented_shape(lossterm_cli):
    done = lossterm_cli("--headless", "--problem", "circles", "--loss", "bce", "--loss", "hinge",
                        "--epochs", "3", "--format", "json")
    assert done.returncode == 0, done.stderr
    runs = json.loads(done.stdout)["runs"]
    assert [r["loss"] for r in runs] == ["binary_crossentropy", "hinge"]
    for run in runs:
        assert set(run) >= RUN_KEYS
        assert run["epochs"] == 3 and run["status"] == "done" and run["kind"] == "binary"
        assert len(run["history"]["val_accuracy"]) == 3
        assert run["test_metric"] == run["history"]["val_accuracy"][-1]
    assert runs[1]["target_encoding"] == "{-1,1}" and runs[1]["output_activation"] == "tanh"
    assert "Traceback" not in done.stderr


def test_default_headless_is_the_tutorials_nine_with_warnings(lossterm_cli):
    done = lossterm_cli("--headless", "--epochs", "2", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert lines[0].startswith("| problem | loss | output layer | targets | metric | Train | Test")
    assert len(lines) == 1 + 9
    assert "| blobs | kl_divergence | 3, softmax | one-hot | accuracy |" in done.stdout
    assert "**warning:** regression: mean_squared_logarithmic_error" in done.stdout


def test_text_report_has_the_table_and_the_device_line(lossterm_cli):
    done = lossterm_cli("--headless", "--problem", "blobs", "--loss", "all", "--epochs", "1")
    assert done.returncode == 0, done.stderr
    assert "training on CPU" in done.stdout or "training on GPU" in done.stdout
    for loss in ("categorical_crossentropy", "categorical_hinge", "categorical_focal_crossentropy"):
        assert loss in done.stdout


def test_loss_all_skips_what_cannot_take_the_data_and_says_why(lossterm_cli):
    done = lossterm_cli("--headless", "--problem", "regression", "--loss", "all", "--epochs", "1",
                        "--format", "json")
    assert done.returncode == 0, done.stderr
    losses = {r["loss"] for r in json.loads(done.stdout)["runs"]}
    assert "poisson" not in losses and "huber" in losses and len(losses) == 6
    assert "skipped poisson needs targets >= 0" in done.stderr


@pytest.mark.parametrize("args, expected", [
    (["--loss", "cosine"], "unknown loss 'cosine'; choose from mean_squared_error"),
    (["--problem", "moons"], "unknown problem 'moons'; choose from regression, circles, blobs"),
    (["--problem", "regression", "--loss", "hinge"], "hinge fits binary problems"),
    (["--problem", "regression", "--loss", "poisson"], "poisson needs targets >= 0"),
    (["--epochs", "0"], "epochs must be at least 1"),
    (["--epochs", "ten"], "argument --epochs: invalid int value: 'ten'"),
    (["--format", "html"], "argument --format: invalid choice: 'html'"),
    (["--loss", "all"], "--loss all needs --problem"),
])
def test_bad_input_is_one_line_and_exit_2(lossterm_cli, args, expected):
    done = lossterm_cli("--headless", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lossterm: error: ")
    assert expected in lines[0]


def test_output_is_written_atomically_and_replaces(lossterm_cli, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    done = lossterm_cli("--headless", "--loss", "mae", "--epochs", "2", "--format", "json",
                        "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert json.loads(target.read_text())["runs"][0]["loss"] == "mean_absolute_error"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temp file left


def test_unwritable_output_is_refused_before_training(lossterm_cli, tmp_path):
    done = lossterm_cli("--headless", "--output", str(tmp_path / "missing" / "r.txt"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr


def test_help_is_instant_and_loads_no_tensorflow():
    code = ("import sys\nfrom lossterm.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
            "assert 'textual' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--headless" in done.stdout and "exit codes" in done.stdout


def test_list_losses_prints_the_catalogue_without_keras():
    code = ("import sys\nfrom lossterm.cli.main import main\nmain(['--list-losses'])\n"
            "assert 'keras' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in ("binary_focal_crossentropy", "kullback_leibler_divergence", "poisson"):
        assert name in done.stdout


def test_list_problems_gives_every_builtin_problem_its_size_and_split():
    code = ("import sys\nfrom lossterm.cli.main import main\nmain(['--list-problems'])\n"
            "assert 'keras' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "160"})
    assert done.returncode == 0, done.stderr
    rows = {line.split("│")[1].strip().split()[0]: [c.strip() for c in line.split("│")[2:]]
            for line in done.stdout.splitlines() if line.startswith("│ ") and
            line.split("│")[1].strip()}
    # kind, rows, features, classes, train / test, epochs, width, split
    assert rows["digits"][:5] == ["multiclass", "1,797", "64", "10", "1257 / 540"]
    assert rows["breast_cancer"][:5] == ["binary", "569", "30", "2", "398 / 171"]
    assert rows["diabetes"][:5] == ["regression", "442", "10", "-", "309 / 133"]
    assert rows["circles"][4] == "500 / 500"
    assert set(rows) == {"regression", "circles", "blobs", "iris", "wine", "breast_cancer",
                         "digits", "diabetes"}
    assert "stratified by class, seed 0" in rows["iris"][7]


def test_headless_never_imports_textual():
    code = ("import sys\nfrom lossterm.cli.main import main\n"
            "rc = main(['--headless', '--loss', 'bce', '--epochs', '1', '--format', 'json'])\n"
            "assert rc == 0 and 'textual' not in sys.modules, sorted(sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # TensorFlow's import chatter is kept off the terminal


def test_engine_imports_no_ui():
    """Every module below the front ends (core to storage), and the service, options and
    API all front ends share, imports without Textual or Rich (found by walking the
    packages, so a new module is checked the day it is added)."""
    code = (
        "import importlib, pkgutil, sys, lossterm\n"
        "layers = ['core', 'runtime', 'data', 'metrics', 'losses', 'training', 'analysis',"
        " 'storage']\n"
        "names = [m.name for layer in layers for m in pkgutil.walk_packages("
        "importlib.import_module('lossterm.' + layer).__path__, f'lossterm.{layer}.')]\n"
        # the one module whose import loads Keras (which imports Rich itself): a local
        # cluster's forkserver imports it so its workers start with Keras loaded
        "names.remove('lossterm.runtime.keras_preload')\n"
        "names += ['lossterm.service', 'lossterm.options', 'lossterm.api']\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "    ui = {'textual', 'rich'} & {m.split('.')[0] for m in sys.modules}\n"
        "    assert not ui, (name, ui)\n"
        "print(len(names))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 20  # the walk found the modules


def test_the_format_choices_are_the_report_formats():
    """--help stays free of the engine's imports, so cli.py spells the formats out: they
    must stay the engine's Format set."""
    from lossterm.cli.main import FORMAT_CHOICES
    from lossterm.core.types import Format

    assert tuple(Format) == FORMAT_CHOICES
