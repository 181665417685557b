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


