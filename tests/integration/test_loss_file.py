"""--loss-file: a user's own keras.ops loss trains, sweeps and exports like a built-in one;
a file that would not train is one line and exit 2 before any training."""

import json
import textwrap

import numpy as np
import pytest

import lossterm
from lossterm.core.types import Encoding, Kind
from lossterm.losses.own import load_loss_file
from tests.helpers.cli import one_line_exit_2, reproduce
from tests.helpers.loss_files import GOOD, bad_loss_files


def test_a_squared_error_file_trains_exactly_as_mse(losses_py):
    spec = load_loss_file(f"{losses_py}:squared")
    own = lossterm.run("regression", spec, epochs=8, seed=2)
    builtin = lossterm.run("regression", "mse", epochs=8, seed=2)
    assert own.status == builtin.status == "done"
    for key in ("loss", "val_loss", "mse", "val_mse"):
        np.testing.assert_allclose(own.history[key], builtin.history[key], rtol=1e-6, atol=1e-6)


def test_a_binary_loss_with_a_sigmoid_head_learns_circles(losses_py):
    spec = load_loss_file(f"{losses_py}:my_bce")
    result = lossterm.run("circles", spec, epochs=60, seed=0)
    assert result.status == "done", result.message
    assert result.test_metric > 0.7  # chance is 0.5; cross-entropy gets about 0.75 by epoch 60
    assert result.history["loss"][-1] < result.history["loss"][0]


def test_headless_run_and_seeds_name_the_loss(lossterm_cli, losses_py):
    done = lossterm_cli("--headless", "--problem", "circles", "--loss-file",
                        f"{losses_py}:my_bce", "--loss", "bce", "--epochs", "5", "--seeds", "2",
                        "--format", "json", "--no-store")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    runs = [r for r in report["runs"] if r["loss"] == "my_bce"]
    assert [r["seed"] for r in runs] == [0, 1]
    assert {r["output_layer"] for r in runs} == {"1, sigmoid"}
    bce = {r["seed"]: r["test_metric"] for r in report["runs"]
           if r["loss"] == "binary_crossentropy"}
    # The same arithmetic as Keras's BinaryCrossentropy, so the same figures.
    assert {r["seed"]: r["test_metric"] for r in runs} == pytest.approx(bce, abs=1e-6)


def test_a_fair_study_tunes_it_like_a_built_in(lossterm_cli, losses_py):
    done = lossterm_cli("--headless", "--problem", "circles", "--loss-file",
                        f"{losses_py}:my_bce", "--loss", "bce", "--tune", "--seeds", "2",
                        "--epochs", "5", "--lr-grid", "0.01:0.1:2", "--format", "json",
                        "--no-store")
    assert done.returncode == 0, done.stderr
    (study,) = json.loads(done.stdout)["studies"]
    arms = {arm["loss"]: arm for arm in study["study"]["losses"]}
    assert set(arms) == {"my_bce", "binary_crossentropy"}
    # The same arithmetic, so the same rate chosen and the same test figures.
    assert arms["my_bce"]["chosen_learning_rate"] == arms["binary_crossentropy"][
        "chosen_learning_rate"]
    assert arms["my_bce"]["test"]["mean"] == pytest.approx(
        arms["binary_crossentropy"]["test"]["mean"], abs=1e-6)


def test_the_exported_script_carries_the_function_and_reproduces_the_run(
        lossterm_cli, tmp_path, losses_py):
    figure, again = reproduce(lossterm_cli, tmp_path, "--problem", "regression",
                               "--loss-file", f"{losses_py}:squared", "--epochs", "10")
    assert again == pytest.approx(figure, rel=1e-4, abs=1e-6)
    script = (tmp_path / "again.py").read_text()
    # The function with what it uses from its file, not the rest of the file.
    assert "def squared(" in script and "def _residual(" in script and "SCALE = 1.0" in script
    assert "def my_bce(" not in script and "def raises(" not in script


@pytest.mark.parametrize("case", [0, 4])  # a missing file (no Keras) and a wrong shape
def test_bad_loss_file_on_the_command_line_exits_2(lossterm_cli, tmp_path, losses_py, case):
    text, expected = bad_loss_files(tmp_path, losses_py)[case]
    one_line_exit_2(lossterm_cli("--headless", "--loss-file", text), expected)


def test_a_built_in_name_is_refused(lossterm_cli, tmp_path):
    path = tmp_path / "clash.py"
    path.write_text(textwrap.dedent('''
        from keras import ops
        def hinge(y_true, y_pred):
            return ops.mean(ops.relu(1.0 - y_true * y_pred), axis=-1)
        hinge.kind = "binary"
        hinge.head = "tanh"
    '''))
    one_line_exit_2(lossterm_cli("--headless", "--loss-file", f"{path}:hinge"),
                     "'hinge' is the name of a built-in loss (hinge); rename the function")


def test_what_the_file_prints_stays_out_of_the_report(lossterm_cli, tmp_path, losses_py):
    noisy = tmp_path / "noisy.py"
    noisy.write_text('print("hello from the loss file")\n' + GOOD)
    done = lossterm_cli("--headless", "--loss-file", f"{noisy}:squared", "--epochs", "2",
                        "--format", "json", "--no-store")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["runs"][0]["loss"] == "squared"
    assert "hello from the loss file" in done.stderr


def test_the_record_says_what_the_file_says(losses_py):
    spec = load_loss_file(f"{losses_py}:my_bce")
    assert (spec.name, spec.kind, spec.head.key, spec.target_encoding) == (
        "my_bce", Kind.BINARY, "sigmoid", Encoding.AS_IS)
    # Options after a second colon, where the file says nothing; defaults by kind and head.
    hinge = load_loss_file(f"{losses_py}:margin:kind=binary,head=tanh")
    assert (hinge.head.key, hinge.target_encoding) == ("tanh", Encoding.PLUS_MINUS_ONE)
    assert hinge.output_layer(2) == "1, tanh"
    smoothed = load_loss_file(f"{losses_py}:smoothed")  # softmax by default, integer labels
    assert (smoothed.head.key, smoothed.target_encoding) == ("softmax", Encoding.INTEGER)
    assert lossterm.run("blobs", smoothed, epochs=2).status == "done"
    regression = load_loss_file(f"{losses_py}:squared")
    assert (regression.head.key, regression.target_encoding) == ("linear", Encoding.AS_IS)
    assert regression.why == "Squared error, as mse computes it."
