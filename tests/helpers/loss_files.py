"""A user's loss file (--loss-file) with good and bad losses, for the loss-file tests."""

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




def bad_loss_files(tmp_path, losses_py):
    """Loss files (and FILE:FUNCTION arguments) that must be refused, each with what the
    one-line error says."""
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


