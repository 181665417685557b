"""The message a suite study's worker ends with (apart from :mod:`lossterm.app.suite`,
which starts the worker, and :mod:`lossterm.app.suite_study`, which posts it, so neither
imports the other)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from lossterm.analysis.study.results import ProblemStudy
from lossterm.analysis.suite import Suite
from lossterm.options import Options


@dataclass
class SuiteDone(Message):
    """A suite study ended: each problem's study and the suites across them, or why not."""

    problems: list[str]  # as listed in the picker, in the studies' order
    studies: list[ProblemStudy]
    suites: list[Suite]
    error: str = ""
    options: Options | None = None  # what the studies ran under (seeds included)
