"""Counts in words a person reads: "1 paired seed", "3 paired seeds"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun`` in agreement ("1 seed", "0 seeds", "2 replicates"); ``plural``
    where adding an s is wrong. Every line that counts seeds, runs or replicates goes
    through here, so none says "1 paired seeds"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
