"""--loss-file, without training: a file that would not train is refused in one line naming
it, and stacked (member-axis) inputs are taken as the population engine hands them. Training
with it: tests/integration/test_loss_file.py."""

import numpy as np
import pytest

from lossterm.core.errors import UsageError
from lossterm.losses.own import load_loss_file
from lossterm.losses.probe import probe_batch
from tests.helpers.loss_files import bad_loss_files


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


def test_a_file_that_would_not_train_is_one_line_naming_it(tmp_path, losses_py):
    for text, expected in bad_loss_files(tmp_path, losses_py):
        with pytest.raises(UsageError) as caught:
            load_loss_file(text)
        message = str(caught.value)
        assert expected in message, (text, message)
        assert "\n" not in message
        assert message.startswith("--loss-file ")
