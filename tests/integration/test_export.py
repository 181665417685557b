"""Exports: CSVLogger-shaped histories, and scripts that reproduce a run on their own."""

import csv
import os
import subprocess
import sys

import pytest

from tests.helpers.cli import reproduce
from tests.helpers.guard import DEADLOCK_GUARD


def test_csv_export_has_csvloggers_columns(lossterm_cli, tmp_path):
    out = tmp_path / "csv"
    done = lossterm_cli("--headless", "--problem", "circles", "--loss", "hinge", "--epochs", "3",
                        "--export-csv", str(out), "--no-store")
    assert done.returncode == 0, done.stderr
    (path,) = out.iterdir()
    assert path.name == "circles_hinge_seed0.csv"
    with path.open() as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header[0] == "epoch" and header[1:] == sorted(header[1:])
    assert {"loss", "val_loss", "accuracy", "val_accuracy", "keras3_accuracy"} <= set(header)
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]


@pytest.mark.parametrize("args", [
    ("--problem", "circles", "--loss", "hinge", "--epochs", "15"),
    ("--problem", "regression", "--loss", "huber", "--epochs", "10"),
    ("--problem", "blobs", "--loss", "scce", "--epochs", "10"),
    ("--problem", "blobs", "--loss", "categorical_hinge", "--epochs", "10"),  # linear scores
    ("--problem", "circles", "--loss", "bce", "--epochs", "10", "--optimizer", "adam",
     "--layers", "16,8"),  # Keras's Adam on two hidden layers
    ("--problem", "blobs", "--loss", "cce", "--epochs", "10", "--backend", "torch"),
    ("--problem", "circles", "--loss", "hinge", "--epochs", "10", "--backend", "torch",
     "--optimizer", "rmsprop"),  # the loss run eagerly between traced programs
])
def test_exported_script_reproduces_the_final_test_metric(lossterm_cli, tmp_path, args):
    lossterm_figure, script_figure = reproduce(lossterm_cli, tmp_path, *args)
    assert script_figure == pytest.approx(lossterm_figure, rel=1e-4, abs=1e-6)


def test_exported_script_for_own_perturbed_data(lossterm_cli, tmp_path, labelled_csv):
    lossterm_figure, script_figure = reproduce(
        lossterm_cli, tmp_path, "--data", str(labelled_csv), "--target", "answer",
        "--label-noise", "0.1", "--loss", "bce", "--epochs", "10")
    assert (tmp_path / "again.npz").exists()
    assert script_figure == pytest.approx(lossterm_figure, abs=1e-6)


def test_export_code_needs_exactly_one_run(lossterm_cli, tmp_path):
    done = lossterm_cli("--headless", "--export-code", str(tmp_path / "x.py"))
    assert done.returncode == 2
    assert "--export-code writes one run's script; this request has 9 runs" in done.stderr


def test_export_code_replaces_a_script_whole_and_keeps_a_link_a_link(lossterm_cli, tmp_path,
                                                                     labelled_csv):
    """The script and its data are written beside the target and renamed into place: an
    older script is replaced whole (its permissions kept), a symlink still points where
    it did, and no temporary file is left behind."""
    real = tmp_path / "scripts" / "run.py"
    real.parent.mkdir()
    real.write_text("# an older script\n")
    real.chmod(0o750)
    link = tmp_path / "latest.py"
    link.symlink_to(real)
    done = lossterm_cli("--headless", "--data", str(labelled_csv), "--target", "answer",
                        "--loss", "bce", "--epochs", "2", "--no-store",
                        "--export-code", str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and link.resolve() == real
    assert "import keras" in real.read_text() and (real.stat().st_mode & 0o777) == 0o750
    assert sorted(p.name for p in real.parent.iterdir()) == ["run.npz", "run.py"]
    rerun = subprocess.run([sys.executable, str(link)], capture_output=True, text=True,
                           cwd=tmp_path, timeout=DEADLOCK_GUARD,
                           env={**os.environ, "KERAS_BACKEND": "tensorflow"})
    assert rerun.returncode == 0, rerun.stderr  # run through the link, it finds its data
