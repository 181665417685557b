"""TensorBoard runs with known figures, shared by the file tests and the server test."""

from lossterm.storage.tensorboard import BoardRun
from lossterm.training.records import EpochRecord


def records(index: int, epochs: int, tanh: bool = False) -> list[EpochRecord]:
    """Epochs whose figures differ from run to run, so a mix-up shows."""
    out = []
    for e in range(1, epochs + 1):
        train_loss, test_loss = 1.0 / (e + index), 1.1 / (e + index)
        train_acc, test_acc = 0.5 + 0.04 * e + 0.01 * index, 0.45 + 0.04 * e + 0.01 * index
        logs = {"loss": train_loss, "val_loss": test_loss, "accuracy": train_acc,
                "val_accuracy": test_acc}
        if tanh:
            logs.update(keras2_accuracy=train_acc / 2, val_keras2_accuracy=test_acc / 2)
        out.append(EpochRecord(e, train_loss, test_loss, train_acc, test_acc, 0.25, logs))
    return out


RUNS = [
    BoardRun("circles/hinge/lr=0.001/seed=0/tune",
             {"problem": "circles", "loss": "hinge", "learning_rate": 0.001, "seed": 0,
              "optimizer": "sgd", "phase": "tune"},
             records(0, 4, tanh=True), {"accuracy": 0.61, "log_loss": None}, "accuracy",
             held_out="validation"),
    BoardRun("circles/hinge/lr=0.01/seed=1/final",
             {"problem": "circles", "loss": "hinge", "learning_rate": 0.01, "seed": 1,
              "optimizer": "sgd", "phase": "final"},
             records(1, 5, tanh=True), {"accuracy": 0.72, "log_loss": None}, "accuracy"),
    BoardRun("circles/binary_crossentropy/lr=0.1/seed=1/final",
             {"problem": "circles", "loss": "binary_crossentropy", "learning_rate": 0.1,
              "seed": 1, "optimizer": "sgd", "phase": "final"},
             records(2, 3), {"accuracy": 0.83, "log_loss": 0.41}, "accuracy"),
]


