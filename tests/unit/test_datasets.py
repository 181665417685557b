"""scikit-learn's bundled datasets as built-in problems; the tutorial's three untouched."""

import numpy as np
import pytest

from lossterm.core.errors import UsageError
from lossterm.data.problems import (
    BUILTIN_PROBLEMS,
    DATASET_NAMES,
    PROBLEM_NAMES,
    RECIPES,
    TUTORIAL_PROBLEMS,
    get_problem,
    tutorial_problem_name,
)

# name: kind, rows, features, classes, train rows, test rows
EXPECTED = {
    "iris": ("multiclass", 150, 4, 3, 105, 45),
    "wine": ("multiclass", 178, 13, 3, 124, 54),
    "breast_cancer": ("binary", 569, 30, 2, 398, 171),
    "digits": ("multiclass", 1797, 64, 10, 1257, 540),
    "diabetes": ("regression", 442, 10, 0, 309, 133),
}


def test_the_five_datasets_are_built_in_and_the_tutorials_three_stay_the_tutorials():
    assert set(DATASET_NAMES) == set(EXPECTED)
    assert TUTORIAL_PROBLEMS == PROBLEM_NAMES == ("regression", "circles", "blobs")
    assert BUILTIN_PROBLEMS == TUTORIAL_PROBLEMS + DATASET_NAMES
    for kind, name in (("regression", "regression"), ("binary", "circles"),
                       ("multiclass", "blobs")):
        assert tutorial_problem_name(kind) == name


@pytest.mark.parametrize("name", list(EXPECTED))
def test_kind_sizes_and_a_stratified_seeded_split(name):
    kind, rows, features, classes, n_train, n_test = EXPECTED[name]
    p = get_problem(name)
    assert (p.kind, p.n_features, p.n_classes) == (kind, features, classes)
    assert (len(p.X_train), len(p.X_test)) == (n_train, n_test)
    assert n_train + n_test == rows and n_test >= 0.3 * rows
    assert p.source.builtin == name and p.source.regenerable
    again = RECIPES[name].split()
    np.testing.assert_array_equal(p.X_test, again[2].astype(np.float32))
    if kind != "regression":
        share_train = np.bincount(p.y_train) / n_train
        share_test = np.bincount(p.y_test) / n_test
        assert np.all(np.abs(share_train - share_test) < 1.5 / n_test + 1e-9)
        assert len(p.class_labels) == classes


@pytest.mark.parametrize("name", list(EXPECTED))
def test_standardized_with_the_training_rows_only(name):
    p = get_problem(name)
    std = p.X_train.std(axis=0)
    assert np.allclose(p.X_train.mean(axis=0), 0, atol=1e-5)
    assert np.allclose(std[std > 0], 1, atol=1e-4)  # digits has pixels always 0 in train
    assert not np.allclose(p.X_test.mean(axis=0), 0, atol=1e-3)  # test rows were not used
    if p.kind == "regression":
        assert abs(p.y_train.mean()) < 1e-5 and abs(p.y_train.std() - 1) < 1e-4
        assert abs(p.y_test.mean()) > 1e-4


def test_breast_cancer_class_1_is_benign():
    p = get_problem("breast_cancer")
    assert p.class_labels == ("malignant", "benign")
    assert np.bincount(p.y_all).tolist() == [212, 357]


@pytest.mark.parametrize("name", BUILTIN_PROBLEMS)
def test_recipe_code_makes_the_same_arrays(name):
    """The lines an exported script runs give exactly the problem's split."""
    p = get_problem(name)
    namespace = {"np": np, "KIND": str(p.kind)}
    exec(RECIPES[name].code(), namespace)
    for split in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(namespace[split], getattr(p, split))
        assert namespace[split].dtype == getattr(p, split).dtype


def test_unknown_problem_lists_the_datasets():
    with pytest.raises(UsageError, match="digits, diabetes"):
        get_problem("mnist")


def test_the_default_plan_is_still_the_tutorials_nine():
    from lossterm.training.plan import plan_runs

    runs = plan_runs().runs
    assert len(runs) == 9
    assert {job.problem.name for job in runs} == set(TUTORIAL_PROBLEMS)


def test_a_perturbation_with_no_problem_named_touches_only_the_tutorials():
    from lossterm.data.perturb import Perturbation
    from lossterm.options import Options
    from lossterm.service import load_problems

    problems = load_problems(Options(perturbation=Perturbation(label_noise=0.1)))
    assert [p.source.builtin for p in problems] == ["circles", "blobs"]


def test_the_scatter_shows_the_first_two_principal_components():
    from lossterm.app.widgets.scatter import plane

    p = get_problem("digits")
    train, test, axes = plane(p)
    assert axes == ("pc1", "pc2") and train.shape == (1257, 2) and test.shape == (540, 2)
    assert np.allclose(train.mean(axis=0), 0, atol=1e-4)  # fitted on the training rows
    assert train[:, 0].var() >= train[:, 1].var()
