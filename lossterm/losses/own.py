"""Your own loss: ``--loss-file losses.py:my_loss`` loads a function written with
``keras.ops`` and makes it a loss record like the catalogue's.

The function takes ``(y_true, y_pred)`` and returns one value per sample,
reducing over the LAST axis only (``keras.ops.mean(..., axis=-1)``), so that
it serves ``model.fit``'s ``(n, units)`` tensors and the population engines'
stacked ``(P, n, units)`` ones alike. Its kind, output head and target
encoding come from attributes on the function::

    def my_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)
    my_loss.kind = "regression"           # regression, binary or multiclass
    my_loss.head = "linear"               # optional: linear, softplus, sigmoid, tanh,
                                          #   softmax, scores (default by kind)
    my_loss.encoding = "as-is"            # optional: as-is, pm1 ({-1, 1}), one-hot,
                                          #   integer (default by kind and head)

or from options after a second colon, which win over the attributes:
``losses.py:my_loss:kind=binary,head=sigmoid``.

The file is the user's own Python and runs because they asked for it. Before
any training a probe batch checks what the function returns (finite, one value
per sample, with and without a leading member axis, inside the backend's
compiled function, with a finite gradient); anything wrong is one line
(:class:`UsageError`) naming the file, never a traceback.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from lossterm.core.errors import UsageError
from lossterm.core.types import Encoding, Kind
from lossterm.losses.catalogue import register_own_loss
from lossterm.losses.heads import (
    LINEAR,
    SCORES,
    SIGMOID,
    SOFTMAX,
    SOFTPLUS,
    TANH,
)
from lossterm.losses.probe import one_line, probe, stdout_to_stderr
from lossterm.losses.reference import Reference
from lossterm.losses.spec import LossSpec
from lossterm.runtime.backend import load_keras

HEADS = {"linear": LINEAR, "softplus": SOFTPLUS, "sigmoid": SIGMOID, "tanh": TANH,
         "softmax": SOFTMAX, "scores": SCORES, "linear scores": SCORES}
ENCODINGS = {"as-is": Encoding.AS_IS, "pm1": Encoding.PLUS_MINUS_ONE,
             "{-1,1}": Encoding.PLUS_MINUS_ONE, "one-hot": Encoding.ONE_HOT,
             "integer": Encoding.INTEGER}
# What fits each kind; the first is the default.
KIND_HEADS = {Kind.REGRESSION: (LINEAR, SOFTPLUS), Kind.BINARY: (SIGMOID, TANH),
              Kind.MULTICLASS: (SOFTMAX, SCORES)}
KIND_ENCODINGS = {Kind.REGRESSION: (Encoding.AS_IS,),
                  Kind.BINARY: (Encoding.AS_IS, Encoding.PLUS_MINUS_ONE),
                  Kind.MULTICLASS: (Encoding.ONE_HOT, Encoding.INTEGER)}
OPTIONS = ("kind", "head", "encoding")
_SPEC = re.compile(r"(?P<path>.+?\.py):(?P<function>[^:,=]+)(?::(?P<options>.*))?")


@dataclass(frozen=True, kw_only=True)
class OwnLossSpec(LossSpec):
    """A loss record for a function in the user's file: trains, sweeps and exports like
    a catalogue record; its Keras object wraps the function."""

    function: object = field(compare=False, repr=False)
    path: str = ""  # the file, as given
    code: str = ""  # the function's source with what it needs from its file

    @property
    def class_name(self) -> str:
        return "".join(part.title() for part in self.name.split("_")) + "Loss"

    def make_keras_loss(self, **options):
        return _loss_class(self.class_name)(self.function, name=self.name, **options)

    def keras_code(self) -> tuple[str, str]:
        wrapper = _WRAPPER.format(cls=self.class_name, fn=self.name)
        return f"{self.code}\n\n{wrapper}", f"{self.class_name}()"


_WRAPPER = '''class {cls}(keras.losses.Loss):
    """{fn} as a Keras loss: one value per sample, averaged over the batch."""

    def call(self, y_true, y_pred):
        y_pred = keras.ops.convert_to_tensor(y_pred)
        return {fn}(keras.ops.cast(y_true, y_pred.dtype), y_pred)'''


def _loss_class(class_name: str) -> type:
    """The Keras Loss subclass that calls a function (the same arithmetic as _WRAPPER)."""

    keras: Any = load_keras()  # declared Any: OwnLoss subclasses its (untyped) Loss

    class OwnLoss(keras.losses.Loss):
        def __init__(self, function, reduction="sum_over_batch_size", name="own_loss",
                     dtype=None):
            super().__init__(name=name, reduction=reduction, dtype=dtype)
            self.function = function

        def call(self, y_true, y_pred):
            y_pred = keras.ops.convert_to_tensor(y_pred)
            return self.function(keras.ops.cast(y_true, y_pred.dtype), y_pred)

    OwnLoss.__name__ = OwnLoss.__qualname__ = class_name
    return OwnLoss


def load_loss_file(text: str) -> OwnLossSpec:
    """The record for ``FILE.py:FUNCTION[:kind=...,head=...,encoding=...]``, probed; a
    UsageError (one line naming the file) for anything that would not train."""
    match = _SPEC.fullmatch(text.strip())
    if not match:
        raise UsageError(f"--loss-file {text!r}: give FILE.py:FUNCTION, e.g. "
                         f"losses.py:my_loss (options after a second colon: "
                         f"losses.py:my_loss:kind=binary)")
    path, name = match["path"], match["function"].strip()
    where = f"--loss-file {path}"
    options = _parse_options(where, match["options"])
    module = _import(where, Path(path).expanduser())
    function = getattr(module, name, None)
    if function is None:
        defined = sorted(n for n, v in vars(module).items()
                         if callable(v) and getattr(v, "__module__", None) == module.__name__)
        listed = ", ".join(defined) or "none"
        raise UsageError(f"{where}: no function {name!r} in it (functions there: {listed})")
    if not callable(function):
        raise UsageError(f"{where}: {name!r} is a {type(function).__name__}, not a function")
    kind, head, encoding = _describe(where, name, function, options)
    spec = OwnLossSpec(
        name=name, title=f"{name} (your own, from {Path(path).name})", kind=kind, head=head,
        head_reason=f"{head.key}: as {path} says", target_encoding=encoding,
        keras_class="", keras_module="", function=function, path=path,
        code=_source(where, module, name),
        reference=Reference(_reference(function), f"your function {name}, in {path}", None,
                            "your own"),
        summary=f"your own loss, {name} in {path}",
        why=textwrap.dedent(function.__doc__ or "").strip()
            or f"your own loss: the function {name} in {path}.",
        pitfalls="lossterm checked only that it returns finite values, one per sample, "
                 "with a finite gradient on a probe batch; what it means is yours to say.",
        family=(name,),
    )
    probe(where, spec)
    return spec


def _parse_options(where: str, text: str | None) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        key, equals, value = (part.strip() for part in item.partition("="))
        if key not in OPTIONS or not equals or not value:
            raise UsageError(f"{where}: {item!r} is not an option; give kind=..., head=... "
                             f"or encoding=... after the function's name")
        options[key] = value
    return options


def _import(where: str, path: Path) -> ModuleType:
    if not path.exists():
        raise UsageError(f"{where}: no such file")
    if not path.is_file():
        raise UsageError(f"{where}: not a file")

    load_keras()  # quietly, and with the chosen backend, before the user's file imports it
    module_name = "lossterm_loss_file_" + re.sub(r"\W", "_", path.stem)
    loader_spec = importlib.util.spec_from_file_location(module_name, path)
    if loader_spec is None or loader_spec.loader is None:  # a suffix no importer takes
        raise UsageError(f"{where}: Python cannot import this file (a .py file?)")
    module = importlib.util.module_from_spec(loader_spec)
    try:
        with stdout_to_stderr():
            loader_spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise UsageError(f"{where}: syntax error on line {exc.lineno}: {exc.msg}") from None
    except SystemExit as exc:  # the file's own sys.exit() must not become lossterm's exit
        raise UsageError(f"{where}: importing it called sys.exit({exc.code!r}); a loss file "
                         "should only define functions") from None
    except Exception as exc:
        raise UsageError(f"{where}: importing it raised {one_line(exc)}") from None
    return module


def _describe(where: str, name: str, function, options: dict[str, str]):
    """Kind, head and encoding from the options, else the function's attributes."""
    def given(key: str) -> str | None:
        value = options.get(key, getattr(function, key, None))
        return None if value is None else str(value).strip().lower()

    kind_text = given("kind")
    if kind_text is None:
        raise UsageError(f"{where}: {name} does not say its kind; set {name}.kind = "
                         f"'regression', 'binary' or 'multiclass' in the file, or add "
                         f":kind=... after the function's name")
    if kind_text not in KIND_HEADS:  # multilabel problems take built-in binary losses only
        raise UsageError(f"{where}: {name}'s kind {kind_text!r} is not regression, binary "
                         f"or multiclass")
    kind = Kind(kind_text)
    head_text = given("head")
    if head_text is None:
        head = KIND_HEADS[kind][0]
    elif head_text not in HEADS:
        raise UsageError(f"{where}: {name}'s head {head_text!r} is not one of "
                         f"{', '.join(h for h in HEADS if h != 'linear scores')}")
    else:
        head = HEADS[head_text]
    if head not in KIND_HEADS[kind]:
        fits = " or ".join(h.key for h in KIND_HEADS[kind])
        raise UsageError(f"{where}: a {head.key} head does not fit a {kind} loss; use {fits}")
    encoding_text = given("encoding")
    if encoding_text is None:
        encoding = Encoding.PLUS_MINUS_ONE if head == TANH else KIND_ENCODINGS[kind][0]
    elif encoding_text.replace("_", "-") not in ENCODINGS:
        raise UsageError(f"{where}: {name}'s encoding {encoding_text!r} is not one of "
                         f"as-is, pm1, one-hot, integer")
    else:
        encoding = ENCODINGS[encoding_text.replace("_", "-")]
    if encoding not in KIND_ENCODINGS[kind]:
        fits = " or ".join(_ENCODING_NAMES[e] for e in KIND_ENCODINGS[kind])
        raise UsageError(f"{where}: {_ENCODING_NAMES[encoding]} targets do not fit a {kind} "
                         f"loss; use {fits}")
    return kind, head, encoding


_ENCODING_NAMES = {Encoding.AS_IS: "as-is", Encoding.PLUS_MINUS_ONE: "pm1",
                   Encoding.ONE_HOT: "one-hot", Encoding.INTEGER: "integer"}


def _source(where: str, module, name: str) -> str:
    """The function's source and what it needs from its file: the file's imports and the
    top-level definitions it uses (transitively), in the file's order."""
    try:
        text = Path(module.__file__).read_text(encoding="utf-8")
        tree = ast.parse(text)
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        raise UsageError(f"{where}: cannot read its source: {one_line(exc)}") from None
    defines: dict[str, ast.stmt] = {}
    for node in tree.body:
        for defined in _defined_names(node):
            defines.setdefault(defined, node)
    if name not in defines:
        raise UsageError(f"{where}: {name} is not defined at the top of the file (it must "
                         f"be a def there for its source to go into exports)")
    needed: set[int] = set()
    todo = [defines[name]]
    while todo:
        node = todo.pop()
        if id(node) in needed:
            continue
        needed.add(id(node))
        for used in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}:
            if used in defines and id(defines[used]) not in needed:
                todo.append(defines[used])
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    # The definitions it uses, and attributes set on them (my_loss.delta = 2.0) in case
    # the function reads its own; my_loss.kind and the like come along, harmless.
    kept = [node for node in tree.body if id(node) in needed or _sets_attribute_of(node, {
        n for n, d in defines.items() if id(d) in needed})]

    def segment(node):
        return ast.get_source_segment(text, node)

    return ("\n".join(map(segment, imports)) + "\n\n\n"
            + "\n\n".join(map(segment, kept))).strip()


def _sets_attribute_of(node: ast.stmt, names: set[str]) -> bool:
    return isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in names
        for t in node.targets)


def _defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _reference(function):
    """A NumPy-in, float-out form of the function (for the theory screen's curves)."""
    def reference(y, p) -> float:
        keras = load_keras()
        y, p = np.asarray(y, np.float32), np.asarray(p, np.float32)
        y, p = (a.reshape(-1, 1) if a.ndim <= 1 else a for a in (y, p))
        return float(np.mean(keras.ops.convert_to_numpy(function(y, p))))

    return reference


def load_loss_files(texts) -> list[str]:
    """Load, probe and register each ``--loss-file``; return the names the losses now
    answer to (``get_loss`` resolves them for the rest of the process)."""

    names = []
    for text in texts:
        spec = load_loss_file(text)
        register_own_loss(spec)
        names.append(spec.name)
    return names
