"""The PyTorch population engine: stacked weights, each mini-batch step a traced program.

Like the TensorFlow engine, members are stacked: kernels are ``(P, in, out)``
tensors, each member's mini-batch is gathered with its own permutation into a
``(P, B, in)`` tensor, and the gradient of the members' summed losses gives
every member its own gradient (the members share no weight). The loss is
Keras's own loss object (``loss.call`` on torch tensors) and the update is the
shared rule of ``optimizers.py``, so every loss and optimizer of the catalogue
runs unchanged.

Run eagerly, a step of these tiny models is some 90 kernels of a few
microseconds each behind far more Python (Keras converts and checks every
argument). So the step -- forward, loss, ``torch.func.grad``, update -- is
traced once per input shape into a graph of ATen ops (``make_fx`` on fake
tensors), and that graph into TorchScript (``torch.jit.trace``), which runs it
without Python. Measured on 800 steps of circles x 10 members: eager 0.40 s,
the FX graph 0.18 s, TorchScript 0.09 s, all bit-identical. ``torch.jit`` is
deprecated in favour of ``torch.compile`` (where it is gone, the FX graph runs
as it is); but ``torch.compile`` on the CPU spent 10 s compiling each step (one
per problem, loss and population size) and then ran it no faster than eager.

A loss whose Python branches on its data's values cannot be traced on fake
tensors. Keras's hinge and squared hinge ask on every call whether the labels
are 0 and 1 (``keras.ops.cond``); while tracing, such a condition on the labels
computes both branches and selects elementwise (``_label_conditions_traced``),
which is exact. What is left (Keras's categorical generalized cross-entropy:
PyTorch's one-hot checks its labels' values; an own loss file that branches)
runs its loss and the loss's gradient eagerly, between a traced forward pass
and a traced backward pass and update -- the same numbers, about 2.5x slower
than a fully traced step, and 1.5x faster than all eager.

Kernels run on one thread (:func:`configure_threads`), as TensorFlow's do:
the ops are too small to split, and the sweep runs two populations at a time.
Which rows there are (a lone member's copy, a diverged member's row refilled)
the shared loop decides (``loop.py``); a new number of rows traces again.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from collections.abc import Sequence

import numpy as np

from lossterm.losses import LossSpec
from lossterm.runtime.backend import load_keras
from lossterm.training.population.core import Data, EpochOutput, Layout, mlp
from lossterm.training.population.optimizers import StackedOptimizer


def configure_threads() -> bool:
    """One intra-op thread, unless ``OMP_NUM_THREADS`` or ``TORCH_NUM_THREADS`` says
    otherwise; returns whether it was set. Numbers do not depend on it here."""

    import torch

    if "OMP_NUM_THREADS" in os.environ or "TORCH_NUM_THREADS" in os.environ:
        return False
    torch.set_num_threads(1)
    return True


_WITH_LOSS = ("step", "evaluate")  # the programs that hold the loss
_TRACING = threading.Lock()
_HERE = threading.local()  # ``tracing``: this thread is tracing a program now


class _BranchOnPredictions(Exception):
    """A ``keras.ops.cond`` whose branches depend on the predictions: left untraced."""


@contextlib.contextmanager
def _label_conditions_traced():
    """While this thread traces, ``keras.ops.cond`` on a tensor computes both branches and
    picks with ``torch.where``.

    Keras's torch ``cond`` is a Python ``if`` on the predicate's value, which
    no trace can follow; Keras's hinge and squared hinge use one on every call
    (are the labels 0 and 1? then map them to -1 and 1). Computing both
    branches and selecting elementwise gives exactly the chosen branch's values
    for whatever labels a batch holds. Only where neither branch depends on the
    predictions: there a ``where`` could carry a NaN from the unchosen branch's
    gradient, so tracing stops and the loss runs eagerly instead. Other threads
    (and this one, after) see Keras's own ``cond``.
    """
    try:
        from keras.src.backend.torch import core
    except ImportError:  # Keras moved it: such losses run their loss eagerly
        yield
        return
    import torch
    from torch.utils._pytree import tree_leaves, tree_map

    keras_cond = core.cond

    def cond(pred, true_fn, false_fn):
        if not getattr(_HERE, "tracing", False) or not torch.is_tensor(pred):
            return keras_cond(pred, true_fn, false_fn)
        on_true, on_false = true_fn(), false_fn()
        if any(getattr(t, "requires_grad", False) for t in tree_leaves((on_true, on_false))):
            raise _BranchOnPredictions
        return tree_map(lambda a, b: torch.where(pred, a, b), on_true, on_false)

    core.cond, _HERE.tracing = cond, True
    try:
        yield
    finally:
        core.cond, _HERE.tracing = keras_cond, False


class TorchEngine:
    """A :class:`~lossterm.training.population.core.PopulationEngine` on PyTorch.

    The state is one flat tuple of tensors: the weights, each slot's tensors
    (one per weight), the learning rates and the step count."""

    def __init__(self, layout: Layout, spec: LossSpec, data: Data, batch_size: int,
                 optimizer: StackedOptimizer, hyper: dict):
        import torch

        keras = load_keras()
        configure_threads()
        self._torch, self.layout, self.optimizer, self.hyper = torch, layout, optimizer, hyper
        self._device = _device()
        self._loss = spec.make_keras_loss()
        self._activations = [keras.activations.get(a) for a in layout.activations]
        self._data = tuple(torch.tensor(a, device=self._device)
                           for a in (data.x_train, data.y_train, data.x_test, data.y_test))
        self._batch_size = int(batch_size)
        self._weights = len(layout.shapes)
        self._state: tuple = ()
        self._programs: dict = {}  # (what, input shapes) -> the program that runs it
        self.loss_traced = True  # False: the loss's Python reads its data; it runs eagerly

    def start(self, weights: list[np.ndarray], learning_rates: np.ndarray) -> None:
        torch = self._torch
        stacks = [torch.tensor(w, device=self._device) for w in weights]
        slots = [torch.zeros_like(w) for _ in range(self.optimizer.slots) for w in stacks]
        rates = torch.tensor(np.asarray(learning_rates, np.float32), device=self._device)
        self._state = (*stacks, *slots, rates, torch.zeros((), device=self._device))

    def epoch(self, permutations: np.ndarray) -> EpochOutput:
        torch = self._torch
        x_train, y_train = self._data[:2]
        perm = torch.as_tensor(permutations, dtype=torch.long, device=self._device)
        n, size, state = perm.shape[1], self._batch_size, self._state
        with torch.no_grad():
            for start in range(0, n, size):
                idx = perm[:, start:start + size]
                step = self._program("step", self._step, (*state, x_train, y_train, idx))
                if step is not None:
                    state = step(*state, x_train, y_train, idx)
                else:  # the loss eagerly, between two programs
                    weights = state[:self._weights]
                    pred = self._program("forward rows", self._forward_rows,
                                         (*weights, x_train, idx))(*weights, x_train, idx)
                    args = (*state, x_train, idx, self._loss_gradient(y_train[idx], pred))
                    state = self._program("update", self._update, args)(*args)
            losses, pred, val_pred = self._evaluate_all(state[:self._weights])
        self._state = tuple(state)
        losses, pred, val_pred = (t.detach().cpu().numpy() for t in (losses, pred, val_pred))
        return EpochOutput(losses[0], losses[1], pred, val_pred)

    def keep(self, rows: Sequence[int]) -> None:
        index = self._torch.as_tensor(list(rows), dtype=self._torch.long, device=self._device)
        *stacked, step = self._state
        self._state = (*(t.index_select(0, index) for t in stacked), step)

    def weights(self) -> list[np.ndarray]:
        return [w.detach().cpu().numpy() for w in self._state[:self._weights]]

    def _program(self, what: str, function, args: tuple):
        """``function`` for these input shapes, traced on first use; ``None`` for a
        function holding the loss (``step``, ``evaluate``) when the loss cannot be."""
        if what in _WITH_LOSS and not self.loss_traced:
            return None
        key = (what, tuple(args[0].shape), tuple(args[-1].shape))  # members, rows: all shapes
        if key not in self._programs:
            self._programs[key] = self._trace(function, args, what in _WITH_LOSS)
        return self._programs[key]

    def _trace(self, function, args: tuple, has_loss: bool):
        """``function`` as TorchScript, else as an FX graph (see the module).

        When a function holding the loss cannot be traced, the engine turns to
        running the loss eagerly (``loss_traced`` False) and this returns ``None``."""
        try:
            from torch.fx.experimental.proxy_tensor import make_fx
        except ImportError:  # a PyTorch without it: the programs run eagerly
            return function

        def flat(*tensors):  # make_fx counts a bound method's self
            return function(*tensors)

        with _TRACING:  # tracing patches torch globally: one population at a time
            try:
                with _label_conditions_traced():
                    graph = make_fx(flat, tracing_mode="fake")(*args)
            except Exception:
                if not has_loss:  # not expected (our own code): run it as it is
                    return function
                self.loss_traced = False  # data-dependent Python in the loss
                return None
            if hasattr(self._torch, "jit"):
                try:
                    with warnings.catch_warnings():  # torch.jit.trace is deprecated (module doc)
                        warnings.simplefilter("ignore")
                        graph = self._torch.jit.trace(graph, args, check_trace=False)
                except Exception:
                    pass
        # ``forward``, not the module itself: ``Module.__call__`` is patched while
        # another thread's population traces (make_fx's tracer), which must not see it
        return graph.forward

    def _loss_gradient(self, yb, pred):
        """Each member's loss gradient with respect to its predictions, run eagerly."""
        torch = self._torch
        with torch.enable_grad():
            pred = pred.detach().requires_grad_(True)
            return torch.autograd.grad(self._member_losses(yb, pred).sum(), pred)[0]

    # Traced into programs; ``state`` as ``start`` lays it out.
    def _step(self, *state_and_batch):
        """One mini-batch: every member's gradient of its own loss, then its update."""
        from torch.func import grad

        *state, x_train, y_train, idx = state_and_batch
        xb, yb = x_train[idx], y_train[idx]
        weights = list(state[:self._weights])

        def total(w):
            return self._member_losses(yb, self._forward(w, xb)).sum()

        return self._apply(state, grad(total)(weights))

    def _update(self, *state_and_batch):
        """The step's second half when the loss ran eagerly: its gradient with respect
        to the predictions (``gp``) carried back through the MLP, then the update."""
        from torch.func import vjp

        *state, x_train, idx, gp = state_and_batch
        xb = x_train[idx]
        back = vjp(lambda w: self._forward(w, xb), list(state[:self._weights]))[1]
        return self._apply(state, back(gp)[0])

    def _apply(self, state, grads):
        """The optimizer's update of the flat ``state`` with the weights' ``grads``."""
        k, n_slots = self._weights, self.optimizer.slots
        slots = tuple(list(state[k * (1 + i):k * (2 + i)]) for i in range(n_slots))
        rates, step = state[-2], state[-1]
        lrs = [rates.reshape(-1, *[1] * len(s)) for s in self.layout.shapes]
        weights, slots = self.optimizer.apply(list(state[:k]), list(grads), slots, lrs, step,
                                              self.hyper, TORCH_OPS)
        return (*weights, *(t for slot in slots for t in slot), rates, step + 1)

    def _forward_rows(self, *weights_x_idx):
        *weights, x, idx = weights_x_idx
        return self._forward(weights, x[idx])

    def _evaluate_all(self, weights):
        """Losses ``(2, P)`` and predictions on both splits: traced, or (once an epoch,
        when the loss cannot be traced) run as it is."""
        args = (*weights, *self._data)
        program = self._program("evaluate", self._evaluate, args)
        return (program or self._evaluate)(*args)

    def _evaluate(self, *weights_and_data):
        """Each member's loss on the training and test splits, and its predictions."""
        *weights, x_train, y_train, x_test, y_test = weights_and_data
        pred, val_pred = self._forward(weights, x_train), self._forward(weights, x_test)
        losses = self._torch.stack([self._member_losses(y_train, pred, shared=True),
                                    self._member_losses(y_test, val_pred, shared=True)])
        return losses, pred, val_pred

    def _forward(self, weights, x):
        """Stacked MLP: ``x`` is ``(P, B, in)``, or ``(n, in)`` shared by every member.

        Computed feature-major, ``K^T x^T`` with rows last: the same products
        and sums, but PyTorch's batched matmul on the CPU is 2-3x faster so
        when the output is narrow (one unit over 500 rows: 96 us against 220).
        For a single model it takes another kernel whose rounding differs in
        the last bit, which is why a lone member runs beside its copy (``loop.py``)."""
        torch = self._torch
        *hidden, head = self._activations

        def head_on_rows(z):  # the head's activation acts on the last axis (softmax)
            return head(z.transpose(1, 2))

        return mlp(weights, x.transpose(-1, -2), [*hidden, head_on_rows],  # (P, in, B) or (in, n)
                   lambda x, kernel, bias: torch.matmul(kernel.transpose(1, 2), x)
                   + bias[:, :, None])

    def _member_losses(self, y, pred, shared: bool = False):
        """Each member's Keras loss, averaged per member as ``sum_over_batch_size`` does.

        ``shared``: ``y`` is the split's targets, the same for every member."""
        if shared:
            y = y.expand(pred.shape[0], *y.shape)
        values = self._loss.call(y.to(pred.dtype), pred)  # (P, n)
        return values.sum(dim=1) / values.shape[1]


class TorchOps:
    """The few operations the optimizer rules use, straight on torch tensors.

    ``keras.ops`` would do the same arithmetic but converts and checks every
    argument first, which was a third of an epoch here; the rules stay the ones
    in ``optimizers.py`` (tested equal to Keras's optimizers on this backend)."""

    add = staticmethod(lambda a, b: a + b)
    subtract = staticmethod(lambda a, b: a - b)
    multiply = staticmethod(lambda a, b: a * b)
    divide = staticmethod(lambda a, b: a / b)

    @staticmethod
    def square(x):
        import torch

        return torch.square(x)

    @staticmethod
    def sqrt(x):
        import torch

        return torch.sqrt(x)

    @staticmethod
    def power(a, b):
        import torch

        return torch.pow(a, b)

    @staticmethod
    def cast(x, dtype):
        import torch

        return x.to(dtype) if torch.is_tensor(x) else torch.tensor(x, dtype=dtype)


TORCH_OPS = TorchOps()


def _device():
    """Keras's device for the torch backend (a GPU when one is visible)."""

    return load_keras().ops.convert_to_tensor(np.zeros(1, np.float32)).device
