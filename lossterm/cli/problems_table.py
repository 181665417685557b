"""``lossterm --list-problems``: every built-in problem with its size, split and defaults.

No Keras import: the tutorial's problems are generated and the bundled datasets read
from scikit-learn's own copies (no download), so the sizes printed are the arrays a
run trains on, not figures typed in by hand.
"""

from __future__ import annotations

import io
import shutil

from lossterm.data.problems import BUILTIN_PROBLEMS, RECIPES, TUTORIAL_PROBLEMS, Dataset, get_problem


def problems_text(width: int | None = None) -> str:
    from rich.console import Console
    from rich.table import Column, Table

    width = width or max(shutil.get_terminal_size((160, 24)).columns, 120)
    table = Table(*(Column(h, no_wrap=True) for h in (
        "problem", "kind", "rows", "features", "classes", "train / test", "epochs", "width")),
        Column("split", ratio=1), title="built-in problems (lossterm --problem NAME)",
        title_justify="left")
    for name in BUILTIN_PROBLEMS:
        problem, recipe = get_problem(name), RECIPES[name]
        n_train, n_test = len(problem.y_train), len(problem.y_test)
        table.add_row(name + (" (tutorial)" if name in TUTORIAL_PROBLEMS else ""),
                      problem.kind, f"{n_train + n_test:,}", str(problem.n_features),
                      str(problem.n_classes) if problem.n_classes else "-",
                      f"{n_train} / {n_test}", str(problem.epochs), str(problem.hidden_units),
                      _rule(recipe))
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(table)
    buffer.write("A study (--tune) carves its validation rows out of the training rows "
                 "(--val-size, default 20%, stratified, seeded); the test rows are read once.\n"
                 "Your own data: --data FILE --target COLUMN.\n")
    return buffer.getvalue()


def _rule(recipe) -> str:
    """How the rows were split, without the counts the table already shows."""

    if isinstance(recipe, Dataset):
        return recipe.split_text.split(", ", 1)[1]
    return "the tutorial's: the first half of the rows train"
