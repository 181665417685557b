"""Reports over run results: Rich text, Markdown and JSON from one set of rows."""

from lossterm.report.render import FORMATS, render

__all__ = ["FORMATS", "render"]
