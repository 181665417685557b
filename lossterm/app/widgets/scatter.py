"""The dataset as an ASCII scatter: classes coloured, train (•) and test (x) apart.

Regression data has 20 features; it is shown as the feature most correlated
with the target against the target, which shows how learnable it is.

The App says which problem to show; the predicted regions behind the points
come from the run board it watches (``data_bind``): the latest run on that
very problem that has regions, while ``show_regions`` (the ``r`` key) is on.
It replots only when the problem or the regions change, not every epoch.
"""

from __future__ import annotations

import numpy as np
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from lossterm.app.state import RunBoard
from lossterm.data.problems import REGRESSION, Problem

CLASS_COLORS = ("cyan", "orange", "green", "magenta", "red", "blue", "yellow", "white")


class DatasetScatter(PlotextPlot):
    board: reactive[RunBoard | None] = reactive(None, init=False, repaint=False)
    show_regions: reactive[bool] = reactive(True, init=False, repaint=False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.problem: Problem | None = None
        self.regions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.regions_label = ""  # the run the regions come from: "#3 bce"

    def show(self, problem: Problem | None) -> None:
        """Plot ``problem``, with the regions of the latest run on it if any."""
        self.problem = problem
        self._draw(force=True)

    def watch_board(self) -> None:
        self._draw()

    def watch_show_regions(self) -> None:
        self._draw()

    def _draw(self, force: bool = False) -> None:
        """Replot if forced or the regions to show changed: (xs, ys, classes) of a grid."""
        run = None
        if self.show_regions and self.board is not None and self.problem is not None:
            run = self.board.regions_run(self.problem)
        regions = run.regions if run is not None else None
        if force or regions is not self.regions:
            self.regions = regions
            self.regions_label = run.label if run is not None else ""
            self.replot()

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if self.problem is None:
            plt.title("loading data…")
        elif self.problem.n_targets > 1 and self.problem.kind == REGRESSION:
            self._plot_targets(plt, self.problem)
        elif self.problem.n_targets > 1:
            self._plot_label_sets(plt, self.problem)
        elif self.problem.kind == REGRESSION:
            self._plot_regression(plt, self.problem)
        else:
            self._plot_classes(plt, self.problem)
        self.refresh()

    def _plot_classes(self, plt, p: Problem) -> None:
        train_xy, test_xy, axes = plane(p)
        if self.regions is not None and p.n_features == 2:
            xs, ys, classes = self.regions
            for c in range(p.n_classes):
                mask = classes == c
                plt.scatter(xs[mask], ys[mask], marker="·", color=CLASS_COLORS[c])
        for c in range(p.n_classes):
            color = CLASS_COLORS[c % len(CLASS_COLORS)]
            train, test = train_xy[p.y_train == c], test_xy[p.y_test == c]
            plt.scatter(train[:, 0], train[:, 1], marker="•", color=color)
            plt.scatter(test[:, 0], test[:, 1], marker="x", color=color)
        wide = self.size.width >= 34
        if axes != ("x1", "x2"):
            plt.title("PCA 1 vs 2" if not wide else "first two principal components")
        elif self.regions is not None:
            plt.title(f"· predicted by {self.regions_label}" if wide else f"·{self.regions_label}")
        else:
            plt.title("• train  x test" if wide else "•train xtest")

    def _plot_targets(self, plt, p: Problem) -> None:
        """Several regression targets: the first two against each other."""
        names = p.targets
        plt.scatter(p.y_train[:, 0], p.y_train[:, 1], marker="•", color="cyan")
        plt.scatter(p.y_test[:, 0], p.y_test[:, 1], marker="x", color="cyan")
        more = f" (of {len(names)})" if len(names) > 2 else ""
        plt.title(f"{names[1]} vs {names[0]}{more}")

    def _plot_label_sets(self, plt, p: Problem) -> None:
        """Multilabel: the rows in their plane, coloured by their set of the first three
        labels (no regions: a label set is not one class)."""
        train_xy, test_xy, _ = plane(p)
        weights = 1 << np.arange(min(p.n_targets, 3))
        for xy, y, marker in ((train_xy, p.y_train, "•"), (test_xy, p.y_test, "x")):
            sets = y[:, :len(weights)] @ weights
            for code in np.unique(sets):
                rows = xy[sets == code]
                plt.scatter(rows[:, 0], rows[:, 1], marker=marker,
                            color=CLASS_COLORS[int(code) % len(CLASS_COLORS)])
        plt.title("colour: label set" if self.size.width >= 34 else "label sets")

    def _plot_regression(self, plt, p: Problem) -> None:
        column, r = most_informative_feature(p)
        plt.scatter(p.X_train[:, column], p.y_train, marker="•", color="cyan")
        plt.scatter(p.X_test[:, column], p.y_test, marker="x", color="cyan")
        plt.title(f"y vs x{column + 1}, r={r:+.2f}")


def most_informative_feature(p: Problem) -> tuple[int, float]:
    """The feature with the largest |correlation| with the target, and that correlation."""
    X = np.concatenate([p.X_train, p.X_test])
    y = p.y_all
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    r = (Xc * yc[:, None]).sum(axis=0) / (
        np.sqrt((Xc**2).sum(axis=0) * (yc**2).sum()) + 1e-12)
    column = int(np.argmax(np.abs(r)))
    return column, float(r[column])


def plane(p: Problem) -> tuple[np.ndarray, np.ndarray, tuple[str, str]]:
    """Train and test rows in 2-D: the features themselves if there are two, else their
    first two principal components (fitted on the training rows)."""
    if p.n_features == 2:
        return p.X_train, p.X_test, ("x1", "x2")
    mean = p.X_train.mean(axis=0)
    _, _, vt = np.linalg.svd(p.X_train - mean, full_matrices=False)
    basis = vt[:2].T
    return (p.X_train - mean) @ basis, (p.X_test - mean) @ basis, ("pc1", "pc2")
