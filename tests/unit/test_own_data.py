"""Own CSV data: kinds inferred, labels as strings, splits, standardization, perturbations."""


import numpy as np
import pytest

from lossterm.core.errors import UsageError
from lossterm.data.own import DataOptions, load_csv
from lossterm.data.perturb import Perturbation, perturb
from lossterm.data.problems import get_problem
from tests.helpers.files import write_csv


def test_string_labels_and_a_text_feature(labelled_csv):
    p = load_csv(DataOptions(str(labelled_csv), "answer"))
    assert (p.name, p.kind, p.n_classes) == ("labelled.csv", "binary", 2)
    assert p.class_labels == ("no", "yes")
    assert p.feature_names == ("x1", "x2", "colour=blue", "colour=red")  # one-hot
    assert len(p.X_train) == len(p.X_test) == 100
    assert np.allclose(p.X_train.mean(axis=0), 0, atol=1e-6)  # standardized on train only
    assert not np.allclose(p.X_test.mean(axis=0), 0, atol=1e-6)
    assert abs(p.y_train.mean() - p.y_test.mean()) < 0.02  # stratified


def test_regression_is_inferred_and_the_target_standardized(numeric_csv):
    p = load_csv(DataOptions(str(numeric_csv), "y", test_size=0.25))
    assert p.kind == "regression" and len(p.X_test) == 50
    assert abs(p.y_train.mean()) < 1e-5 and abs(p.y_train.std() - 1) < 1e-4
    raw = load_csv(DataOptions(str(numeric_csv), "y", raw_target=True))
    assert raw.y_train.std() > 2


def test_integer_classes_are_multiclass(tmp_path):
    rows = [[i % 7, (i * 3) % 5, i % 3] for i in range(60)]
    p = load_csv(DataOptions(str(write_csv(tmp_path / "m.csv", ["a", "b", "c"], rows)), "c"))
    assert p.kind == "multiclass" and p.n_classes == 3


def test_the_split_is_seeded(labelled_csv):
    a = load_csv(DataOptions(str(labelled_csv), "answer", seed=1)).X_train
    b = load_csv(DataOptions(str(labelled_csv), "answer", seed=1)).X_train
    c = load_csv(DataOptions(str(labelled_csv), "answer", seed=2)).X_train
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_cells_are_data_never_code(tmp_path):
    marker = tmp_path / "executed"
    payload = f"__import__('os').system('touch {marker}')"
    rows = [[i, payload if i % 2 else "plain", i % 2] for i in range(40)]
    p = load_csv(DataOptions(str(write_csv(tmp_path / "evil.csv", ["a", "b", "t"], rows)), "t"))
    assert not marker.exists()
    assert any(payload in name for name in p.feature_names)  # just a category


def test_label_noise_flips_training_labels_only():
    clean = get_problem("circles")
    noisy = perturb(clean, Perturbation(label_noise=0.2))
    assert noisy.name == "circles+noise0.2"
    assert np.sum(noisy.y_train != clean.y_train) == 100
    assert np.array_equal(noisy.y_test, clean.y_test)
    assert "100 of 500 training labels flipped" in noisy.warnings[0]


def test_outliers_move_regression_targets():
    clean = get_problem("regression")
    bad = perturb(clean, Perturbation(outliers=0.05, seed=3))
    moved = np.abs(bad.y_train - clean.y_train)
    assert np.sum(moved > 0) == 25 and moved.max() >= 5 * clean.y_train.std() * 0.99
    assert np.array_equal(bad.y_test, clean.y_test)


def test_imbalance_keeps_a_share_of_class_1():
    clean = get_problem("circles")
    thin = perturb(clean, Perturbation(imbalance=0.2))
    assert np.sum(thin.y_train == 1) == round(0.2 * np.sum(clean.y_train == 1))
    assert np.sum(thin.y_train == 0) == np.sum(clean.y_train == 0)


@pytest.mark.parametrize("problem, p, field, message", [
    ("regression", Perturbation(label_noise=0.1), "label_noise", "need a classification problem"),
    ("circles", Perturbation(outliers=0.1), "outliers", "--outliers needs a regression problem"),
    ("circles", Perturbation(label_noise=1.5), "label_noise", "--label-noise must be in [0, 1)"),
    ("circles", Perturbation(imbalance=0.0), "imbalance", "--imbalance must be in (0, 1]"),
])
def test_perturbations_that_do_not_apply(problem, p, field, message):
    """The engine names the field; the command line words it as its flag."""
    from lossterm.cli.main import flag_for

    with pytest.raises(UsageError) as caught:
        perturb(get_problem(problem), p)
    assert caught.value.field == field
    assert message in caught.value.render(flag_for)
    assert "--" not in str(caught.value)  # the engine's own wording has no flags


def test_a_file_named_after_a_built_in_problem_never_replaces_it(tmp_path):
    """Own data called circles.csv is its own problem; the built-in circles stays as it was,
    in the same process, and each exports the right data code."""
    from lossterm.storage.export import export_script
    from lossterm.training.fit import resolve
    from lossterm.training.records import RunConfig

    before = get_problem("circles")
    rng = np.random.default_rng(5)
    rows = [[f"{a:.3f}", f"{b:.3f}", f"{a + b + c:.3f}"]
            for a, b, c in rng.normal(size=(80, 3))]
    own = load_csv(DataOptions(str(write_csv(tmp_path / "circles.csv", ["a", "b", "y"], rows)),
                               "y"))
    after = get_problem("circles")
    assert own.name == "circles.csv" and own.kind == "regression" and own.n_features == 2
    assert after is before and after.kind == "binary" and after.n_features == 2
    assert np.array_equal(after.X_train, before.X_train)
    with pytest.raises(ValueError):  # a problem's arrays are read-only: no run can change them
        after.X_train[0, 0] = 1.0

    builtin_script, own_script = tmp_path / "builtin.py", tmp_path / "own.py"
    export_script(resolve(RunConfig(after, "bce")), builtin_script)
    written = export_script(resolve(RunConfig(own, "mse")), own_script)
    assert "make_circles(n_samples=1000, noise=0.1, random_state=1)" in builtin_script.read_text()
    assert "make_circles" not in own_script.read_text()
    assert [p.suffix for p in written] == [".py", ".npz"]
    saved = np.load(own_script.with_suffix(".npz"))
    assert np.array_equal(saved["X_train"], own.X_train)


# --- files as people have them: delimiters, BOM, gzip, Parquet ---------------------------


def _arrays(problem):
    return (problem.X_train, problem.y_train, problem.X_test, problem.y_test,
            problem.feature_names, problem.class_labels, problem.kind)


def _same_problem(a, b):
    for left, right in zip(_arrays(a), _arrays(b)):
        if isinstance(left, np.ndarray):
            assert np.array_equal(left, right)
        else:
            assert left == right


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters_load_to_the_same_arrays(labelled_csv, tmp_path, delimiter):
    text = labelled_csv.read_text().replace(",", delimiter)
    other = tmp_path / "labelled.txt"
    other.write_text(text)
    _same_problem(load_csv(DataOptions(str(other), "answer")),
                  load_csv(DataOptions(str(labelled_csv), "answer")))


def test_a_semicolon_file_with_decimal_points_and_quoted_text(tmp_path):
    rows = [f'{i / 10};"say ""{"hi" if i % 2 else "yo"}""; ok";{i % 2}' for i in range(40)]
    path = tmp_path / "quoted.csv"
    path.write_text("x;greeting;t\n" + "\n".join(rows) + "\n")
    p = load_csv(DataOptions(str(path), "t"))
    assert p.feature_names == ("x", 'greeting=say "hi"; ok', 'greeting=say "yo"; ok')


def test_a_byte_order_mark_is_not_part_of_the_first_column(labelled_csv, tmp_path):
    bom = tmp_path / "labelled.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + labelled_csv.read_bytes())
    p = load_csv(DataOptions(str(bom), "answer"))
    assert p.feature_names[0] == "x1"
    _same_problem(p, load_csv(DataOptions(str(labelled_csv), "answer")))


@pytest.mark.parametrize("name", ["labelled.csv.gz", "labelled.gz", "labelled.csv"])
def test_gzip_is_known_by_content(labelled_csv, tmp_path, name):
    import gzip

    packed = tmp_path / "packed" / name
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(labelled_csv.read_bytes()))
    p = load_csv(DataOptions(str(packed), "answer"))
    assert p.name == name.removesuffix(".gz")  # the file, never a bare stem
    _same_problem(p, load_csv(DataOptions(str(labelled_csv), "answer")))


@pytest.mark.parametrize("suffix", [".parquet", ".pq"])
def test_parquet_written_by_pandas(labelled_csv, tmp_path, suffix):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / f"labelled{suffix}"
    pd.read_csv(labelled_csv).to_parquet(path)
    _same_problem(load_csv(DataOptions(str(path), "answer")),
                  load_csv(DataOptions(str(labelled_csv), "answer")))


def test_parquet_types_become_numbers_and_levels(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    n = 40
    frame = pd.DataFrame({
        "count": pd.array([i if i % 10 else None for i in range(n)], dtype="Int64"),
        "flag": [i % 3 == 0 for i in range(n)],
        "colour": pd.Categorical(["red", "blue"] * (n // 2)),
        "t": [i % 2 for i in range(n)],
    })
    frame.to_parquet(tmp_path / "typed.parquet")
    p = load_csv(DataOptions(str(tmp_path / "typed.parquet"), "t"))
    assert p.feature_names == ("count", "flag=False", "flag=True", "colour=blue", "colour=red")
    assert p.class_labels == ("0", "1") and p.kind == "binary"
    assert "dropped 4 of 40 rows" in p.warnings[0]  # the nulls in 'count'


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("x,t\n\n" + "".join(f"{i},{i % 2}\n" for i in range(10)) + ",\n\n1,0\n")
    p = load_csv(DataOptions(str(path), "t"))
    assert len(p.X_train) + len(p.X_test) == 11 and p.warnings == ()
    path.write_text("x,t\n\n1,0\n2,1,3\n")
    with pytest.raises(UsageError, match="line 4 has 3 fields; the header has 2"):
        load_csv(DataOptions(str(path), "t"))


def test_numeric_classes_keep_their_written_labels(tmp_path):
    rows = [[i, 10 * (i % 3)] for i in range(30)]
    p = load_csv(DataOptions(str(write_csv(tmp_path / "c.csv", ["x", "t"], rows)), "t"))
    assert p.class_labels == ("0", "10", "20")


# --- values at the edge of float64: deliberate handling, no NumPy warning -----------------


def _no_warnings(options):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_csv(options)


def test_huge_and_tiny_values_standardize_without_a_warning(tmp_path):
    rows = [[f"{(i % 7) * 1e300:.3e}", f"{(i % 5) * 1e-300:.3e}", i % 3 - 1, f"{i * 1e300:.3e}"]
            for i in range(40)]
    path = write_csv(tmp_path / "huge.csv", ["big", "tiny", "small", "y"], rows)
    p = _no_warnings(DataOptions(str(path), "y"))
    assert p.kind == "regression" and p.warnings == ()
    assert np.all(np.isfinite(p.X_train)) and np.all(np.isfinite(p.X_test))
    assert np.allclose(p.X_train.mean(axis=0), 0, atol=1e-5)
    assert np.allclose(p.X_train.std(axis=0), 1, atol=1e-4)
    assert abs(p.y_train.std() - 1) < 1e-4


def test_values_that_overflow_when_standardized_are_dropped_with_a_warning(tmp_path):
    rows = [["-1.7e308", i % 2] for i in range(38)] + [["1.7e308", 0], ["1.7e308", 1]]
    path = write_csv(tmp_path / "edge.csv", ["x", "t"], rows)
    p = _no_warnings(DataOptions(str(path), "t"))
    assert any("standardized values do not fit float32" in w for w in p.warnings)
    assert np.all(np.isfinite(p.X_train)) and np.all(np.isfinite(p.X_test))


def test_a_raw_target_beyond_float32_is_refused(tmp_path):
    rows = [[i, f"{i * 1e300:.3e}"] for i in range(40)]
    path = write_csv(tmp_path / "raw.csv", ["x", "y"], rows)
    with pytest.raises(UsageError, match="beyond float32's range"):
        _no_warnings(DataOptions(str(path), "y", raw_target=True))


# --- a stratified split that cannot be made says which class --------------------------------


def test_a_class_with_one_row_is_named(tmp_path):
    rows = [[i, "ab"[i % 2]] for i in range(20)] + [[99, "rare"]]
    path = write_csv(tmp_path / "rare.csv", ["x", "t"], rows)
    with pytest.raises(UsageError) as caught:
        load_csv(DataOptions(str(path), "t"))
    message = str(caught.value)
    assert "class 'rare' of 't' has only 1 row" in message and "\n" not in message


def test_a_test_split_too_small_for_the_classes(tmp_path):
    rows = [[i, "abc"[i % 3]] for i in range(30)]
    path = write_csv(tmp_path / "three.csv", ["x", "t"], rows)
    with pytest.raises(UsageError, match="the test split would get 2 rows, fewer than the 3 "
                                         "classes; change test size"):
        load_csv(DataOptions(str(path), "t", test_size=0.05))


def test_a_text_cell_late_in_a_long_file(tmp_path):
    """pandas parses long files in chunks; a column whose last chunk holds text is still read
    cell by cell: numbers with NA stay numeric, a late label makes a one-hot level."""
    n = 300_000
    lines = [f"{i / 10:.1f},{i % 3},{i % 2}" for i in range(n - 1)] + ["NA,blue,1"]
    path = tmp_path / "long.csv"
    path.write_text("x,c,t\n" + "\n".join(lines) + "\n")
    p = _no_warnings(DataOptions(str(path), "t"))
    assert p.feature_names == ("x", "c=0", "c=1", "c=2", "c=blue")
    assert p.warnings == (f"dropped 1 of {n} rows with an empty, NaN or infinite value",
                          # the late label's row was the one dropped: its level is all zeros
                          "1 feature(s) hold one value in every row and teach nothing: "
                          "'c=blue'")


def test_a_feature_that_is_the_target_in_disguise_is_warned_about(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.normal(size=120)
    rows = [[a, 2 * t + 1, t] for a, t in zip(rng.normal(size=120), y)]
    problem = load_csv(DataOptions(path=str(write_csv(tmp_path / "leaky.csv", ["a", "b", "y"],
                                                      rows)), target="y"))
    (warning,) = [w for w in problem.warnings if "leaks" in w]
    assert "'b' nearly equals the target 'y' (correlation +1.000)" in warning
    honest = load_csv(DataOptions(path=str(write_csv(
        tmp_path / "honest.csv", ["a", "y"], [[r[0], r[2]] for r in rows])), target="y"))
    assert not [w for w in honest.warnings if "leaks" in w]
