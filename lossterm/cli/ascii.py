"""Output for terminals that take only ASCII (``PYTHONIOENCODING=ascii``, ``LANG=C`` over SSH).

Reports use box-drawing tables and symbols (−, ×, ≤, Σ, ŷ). Where the stream cannot
encode them, a write would raise UnicodeEncodeError and lose the report; instead each
such character becomes readable ASCII (``<=``, ``x``, ``+--+``), and anything else
(a name the user typed with an accent) is written as its escape, ``\\xe9``, so that
what is shown is never a different, plausible-looking name.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata

HANDLER = "lossterm-ascii"

SYMBOLS = {
    "−": "-", "–": "-", "—": "--", "‐": "-", "×": "x", "÷": "/", "·": "*", "⋅": "*",
    "•": "*", "…": "...", "≤": "<=", "≥": ">=", "≠": "!=", "≈": "~", "±": "+/-",
    "→": "->", "←": "<-", "↑": "^", "↓": "v", "⇒": "=>", "∞": "inf", "√": "sqrt",
    "Σ": "sum", "∑": "sum", "∏": "prod", "∂": "d", "ŷ": "y^", "‘": "'", "’": "'",
    "“": '"', "”": '"', "²": "^2", "³": "^3", "½": "1/2", "µ": "u", "μ": "u",
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "eps", "θ": "theta",
    "λ": "lambda", "σ": "sigma", "τ": "tau", "ρ": "rho", "π": "pi", "✓": "ok", "✗": "x",
    "▲": "^", "▼": "v", "█": "#", "░": ".", "▒": ":", "▓": "#", "\u00a0": " ",
}


def ascii_for(char: str) -> str | None:
    """The readable ASCII for one character, or None when it has none."""
    if char in SYMBOLS:
        return SYMBOLS[char]
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        words = set(name.split())
        vertical = bool(words & {"VERTICAL", "UP", "DOWN"})
        horizontal = bool(words & {"HORIZONTAL", "LEFT", "RIGHT"})
        if horizontal and not vertical:
            return "=" if words & {"HEAVY", "DOUBLE"} else "-"
        if vertical and not horizontal:
            return "|"
        return "+"  # corners and junctions
    if name.startswith(("LOWER ", "UPPER ")) and "BLOCK" in name:  # sparkline bars
        return "#"
    return None


def _replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    out = []
    for char in text:
        swap = ascii_for(char)
        out.append(swap if swap is not None else char.encode("ascii", "backslashreplace")
                   .decode("ascii"))
    return "".join(out), error.end


codecs.register_error(HANDLER, _replace)


def tolerate_narrow_encodings() -> None:
    """Make stdout and stderr write what their encoding lacks as ASCII, not raise."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding.startswith("utf") or not hasattr(stream, "reconfigure"):
            continue
        try:
            stream.reconfigure(errors=HANDLER)
        except (ValueError, OSError):  # a closed or detached stream: nothing to protect
            continue
