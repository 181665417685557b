"""--loss-file, without training: a file that would not train is refused in one line naming
it, and stacked (member-axis) inputs are taken as the population engine hands them. Training
with it: tests/integration/test_loss_file.py."""

import numpy as np
import pytest

from lossterm.core.errors import UsageError
from lossterm.losses.own import load_loss_file
from lossterm.losses.probe import probe_batch


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
