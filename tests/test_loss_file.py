"""--loss-file: a user's own keras.ops loss trains, sweeps and exports like a built-in one;
a file that would not train is one line and exit 2 before any training."""

import json
import textwrap

import numpy as np
import pytest
from test_bad_input import _one_line_exit_2
from test_export import _reproduce

import lossterm
from lossterm.core.errors import UsageError
from lossterm.core.types import Encoding, Kind
from lossterm.losses.own import load_loss_file
from lossterm.losses.probe import probe_batch

GOOD = '''
import keras
from keras import ops

SCALE = 1.0


def _residual(y_true, y_pred):
    return SCALE * (y_true - y_pred)


def squared(y_true, y_pred):
    """Squared error, as mse computes it."""
    return ops.mean(ops.square(_residual(y_true, y_pred)), axis=-1)


squared.kind = "regression"


def my_bce(y_true, y_pred):
    p = ops.clip(y_pred, 1e-7, 1 - 1e-7)
    return -ops.mean(y_true * ops.log(p) + (1 - y_true) * ops.log(1 - p), axis=-1)


my_bce.kind = "binary"
my_bce.head = "sigmoid"
my_bce.encoding = "as-is"


def margin(y_true, y_pred):
    return ops.mean(ops.relu(1.0 - y_true * y_pred), axis=-1)


def unlabelled(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def whole_batch(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred))


whole_batch.kind = "regression"


def not_a_number(y_true, y_pred):
    return ops.mean(y_pred, axis=-1) * float("nan")


not_a_number.kind = "regression"


def raises(y_true, y_pred):
    raise ValueError("my mistake")


raises.kind = "regression"


def with_numpy(y_true, y_pred):
    import numpy as np
    return np.mean(np.asarray(y_true) - np.asarray(y_pred), axis=-1).astype("float32") * 0 + 1


with_numpy.kind = "regression"


def smoothed(y_true, y_pred):
    k = ops.shape(y_pred)[-1]
    target = 0.9 * ops.one_hot(ops.cast(y_true, "int32"), k) + 0.1 / k
    return -ops.sum(target * ops.log(ops.clip(y_pred, 1e-7, 1.0)), axis=-1)


smoothed.kind = "multiclass"
smoothed.encoding = "integer"
'''


@pytest.fixture
def losses_py(tmp_path):
    path = tmp_path / "losses.py"
    path.write_text(GOOD)
    return path


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


def test_it_takes_stacked_members_as_the_population_engine_hands_them(losses_py):
    import keras

    spec = load_loss_file(f"{losses_py}:my_bce")
    loss = spec.make_keras_loss()
    y, pred = probe_batch(spec, members=3, seed=1)
    stacked = keras.ops.convert_to_numpy(loss.call(y, pred))
    assert stacked.shape == (3, 8)
    for member in range(3):  # each member's row is the member's own loss
        alone = keras.ops.convert_to_numpy(loss.call(y[member], pred[member]))
        np.testing.assert_allclose(stacked[member], alone, rtol=1e-6)


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
    figure, again = _reproduce(lossterm_cli, tmp_path, "--problem", "regression",
                               "--loss-file", f"{losses_py}:squared", "--epochs", "10")
    assert again == pytest.approx(figure, rel=1e-4, abs=1e-6)
    script = (tmp_path / "again.py").read_text()
    # The function with what it uses from its file, not the rest of the file.
    assert "def squared(" in script and "def _residual(" in script and "SCALE = 1.0" in script
    assert "def my_bce(" not in script and "def raises(" not in script


def _bad(tmp_path, losses_py):
    syntax = tmp_path / "syntax.py"
    syntax.write_text("def broken(y_true, y_pred)\n    return y_pred\n")
    failing = tmp_path / "failing.py"
    failing.write_text("import no_such_module_here\n")
    return [
        (f"{tmp_path / 'missing.py'}:my_loss", "missing.py: no such file"),
        (f"{losses_py}:nowhere", "no function 'nowhere' in it"),
        (f"{syntax}:broken", "syntax.py: syntax error on line 1"),
        (f"{failing}:f", "importing it raised ModuleNotFoundError"),
        (f"{losses_py}:whole_batch", ("returned shape () for predictions of shape (8, 1); it "
                                      "must return one value per sample, shape (8,)")),
        (f"{losses_py}:not_a_number", "returned NaN or infinite values"),
        (f"{losses_py}:raises", ("raises failed on a probe batch of shape (8, 1): "
                                 "ValueError: my mistake")),
        (f"{losses_py}:with_numpy", "with_numpy failed on a probe batch"),  # not keras.ops: no graph
        (f"{losses_py}:unlabelled", "unlabelled does not say its kind; set unlabelled.kind"),
        (f"{losses_py}:margin:kind=binary,head=softmax",
         "a softmax head does not fit a binary loss; use sigmoid or tanh"),
        (f"{losses_py}:squared:colour=red", "'colour=red' is not an option"),
        (f"{losses_py}", "give FILE.py:FUNCTION"),
    ]


def test_a_file_that_would_not_train_is_one_line_naming_it(tmp_path, losses_py):
    for text, expected in _bad(tmp_path, losses_py):
        with pytest.raises(UsageError) as caught:
            load_loss_file(text)
        message = str(caught.value)
        assert expected in message, (text, message)
        assert "\n" not in message
        assert message.startswith("--loss-file ")


@pytest.mark.parametrize("case", [0, 4])  # a missing file (no Keras) and a wrong shape
def test_bad_loss_file_on_the_command_line_exits_2(lossterm_cli, tmp_path, losses_py, case):
    text, expected = _bad(tmp_path, losses_py)[case]
    _one_line_exit_2(lossterm_cli("--headless", "--loss-file", text), expected)


def test_a_built_in_name_is_refused(lossterm_cli, tmp_path):
    path = tmp_path / "clash.py"
    path.write_text(textwrap.dedent('''
        from keras import ops
        def hinge(y_true, y_pred):
            return ops.mean(ops.relu(1.0 - y_true * y_pred), axis=-1)
        hinge.kind = "binary"
        hinge.head = "tanh"
    '''))
    _one_line_exit_2(lossterm_cli("--headless", "--loss-file", f"{path}:hinge"),
                     "'hinge' is the name of a built-in loss (hinge); rename the function")


def test_what_the_file_prints_stays_out_of_the_report(lossterm_cli, tmp_path, losses_py):
    noisy = tmp_path / "noisy.py"
    noisy.write_text('print("hello from the loss file")\n' + GOOD)
    done = lossterm_cli("--headless", "--loss-file", f"{noisy}:squared", "--epochs", "2",
                        "--format", "json", "--no-store")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["runs"][0]["loss"] == "squared"
    assert "hello from the loss file" in done.stderr


def test_the_tui_picker_lists_and_selects_it(losses_py, monkeypatch):
    import asyncio

    from lossterm.losses import catalogue

    monkeypatch.setattr(catalogue, "_OWN", {})  # registered for this test only: other TUI
    # tests in this process (snapshots of the picker) must not see it

    from lossterm.app.app import make_app
    from lossterm.app.widgets.picker import Picker
    from lossterm.losses.own import load_loss_files
    from lossterm.training.records import RunConfig

    (name,) = load_loss_files([f"{losses_py}:my_bce"])
    app = make_app(base=RunConfig(problem="", loss="", epochs=2), problem="circles", loss=name)

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            picker = app.query_one(Picker)
            listed = [picker.query_one("#losses").get_option_at_index(i).id
                      for i in range(picker.query_one("#losses").option_count)]
            return picker.loss, listed

    selected, listed = asyncio.run(main())
    assert selected == "my_bce" and "my_bce" in listed
