"""Numbers as the TUI writes them: short, whatever their size."""

from __future__ import annotations

import math


def compact(value: float | None, digits: int = 3) -> str:
    """A figure in at most about eight characters: 0.853, 12.4, 1.5e+33, never 40 digits."""
    if value is None:
        return "—"
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    size = abs(value)
    if size != 0 and (size >= 10 ** 5 or size < 10 ** -(digits)):
        return f"{value:.{max(digits - 1, 1)}g}".replace("e+", "e")
    if size >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}f}" if size < 10 else f"{value:.1f}"


def tick(value: float, span: float) -> str:
    """An axis label, with as many decimals as the axis span needs, and no trailing zeros."""
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.2g}".replace("e+", "e")
    decimals = max(0, -math.floor(math.log10(span)) + 1) if span > 0 else 2
    text = f"{value:.{min(decimals, 4)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
