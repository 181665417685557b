"""Several data files in one request: a name each, the same reading options, the TUI's
kept items replayed whichever form they were kept in. No training here."""

import numpy as np
import pytest

from lossterm import service
from lossterm.app.pending import options_from, options_item
from lossterm.cli.main import build_parser
from lossterm.core.errors import UsageError
from lossterm.data.files import DataOptions, distinct_files, problem_name
from lossterm.options import Options
from tests.helpers.files import write_csv


def _csv(path, split=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ["x", "y"] + (["part"] if split else [])
    parts = ["train", "train", "train", "validation", "test"]
    rows = [[i, i % 2] + ([parts[i % 5]] if split else []) for i in range(40)]
    return write_csv(path, header, rows)


def test_same_named_files_are_told_apart_by_as_many_folders_as_it_takes(tmp_path):
    paths = [tmp_path / "x" / "a" / "data.csv", tmp_path / "y" / "a" / "data.csv",
             tmp_path / "z" / "other.csv"]
    files = distinct_files([DataOptions(str(p), "y") for p in paths])
    assert [problem_name(f) for f in files] == ["x/a/data.csv", "y/a/data.csv", "other.csv"]
    (alone,) = distinct_files([DataOptions(str(paths[0]), "y")])
    assert problem_name(alone) == "data.csv"  # one file alone keeps its plain name


def test_a_file_given_twice_is_one_problem_and_a_name_clash_with_a_problem_is_avoided(tmp_path):
    iris = tmp_path / "sets" / "iris"
    twice = distinct_files([DataOptions(str(iris), "y"), DataOptions(str(iris), "y")],
                           taken=["iris"])
    assert [problem_name(f) for f in twice] == ["sets/iris"]


def test_every_data_file_is_read_with_the_same_target_and_names_come_first(tmp_path):
    a, b = _csv(tmp_path / "a" / "d.csv"), _csv(tmp_path / "b" / "d.csv")
    args = build_parser().parse_args(["--problem", "circles", "--data", str(a), "--data", str(b),
                                      "--target", "y", "--kind", "binary"])
    options = Options.from_args(args)
    assert [d.target for d in options.data] == [("y",), ("y",)]
    assert {d.kind for d in options.data} == {"binary"}
    problems = service.load_problems(options)
    assert [p.name for p in problems] == ["circles", "a/d.csv", "b/d.csv"]


def test_each_files_split_column_holds_its_own_validation_rows(tmp_path):
    a, b = _csv(tmp_path / "a.csv", split=True), _csv(tmp_path / "b.csv", split=True)
    args = build_parser().parse_args(["--data", str(a), "--data", str(b), "--target", "y",
                                      "--split-column", "part"])
    problems, held = service.study_problems(Options.from_args(args))
    assert [p.name for p in problems] == ["a.csv", "b.csv"]
    assert set(held) == {id(p) for p in problems}
    assert all(len(rows) == 8 and np.all(rows >= 0) for rows in held.values())


def test_all_mixed_with_names_is_refused():
    with pytest.raises(UsageError, match="already names every built-in problem"):
        Options(problems=("all", "iris"))


def test_the_tuis_open_keeps_earlier_files_and_names_a_clashing_one_by_its_folder(tmp_path):
    a, b = _csv(tmp_path / "a" / "d.csv"), _csv(tmp_path / "b" / "d.csv")
    options = Options().with_data(DataOptions(str(a), "y"))
    options = options.with_data(DataOptions(str(b), "y"))
    assert [problem_name(d) for d in options.data] == ["d.csv", "b/d.csv"]
    again = options.with_data(DataOptions(str(b), "y", kind="binary"))  # read again
    assert [(problem_name(d), d.kind) for d in again.data] == [("d.csv", None),
                                                                ("b/d.csv", "binary")]
    assert again.last_data.kind == "binary"


def test_kept_items_replay_their_files_in_either_form(tmp_path):
    a, b = _csv(tmp_path / "a" / "d.csv"), _csv(tmp_path / "b" / "d.csv")
    options = Options(data=distinct_files([DataOptions(str(a), "y"), DataOptions(str(b), "y")]))
    item = {"options": options_item(options)}
    assert options_from(item, Options()).data == options.data
    old = {"options": {**options_item(options), "data": {"path": str(a), "target": ["y"]}}}
    assert options_from(old, Options()).data == (DataOptions(str(a), "y"),)


def test_the_api_reads_all_names_and_files_as_the_command_line_does(tmp_path):
    from lossterm.api import _options
    from lossterm.data.problems import get_problem

    def options_of(problem):
        return _options(problem, ["all"], 2, 1, None, 0.2, "best", None, 0, 0, {})

    many, problems, options = options_of("all")
    assert many and problems is None and options.every_problem  # the service loads them
    a, b = _csv(tmp_path / "a" / "d.csv"), _csv(tmp_path / "b" / "d.csv")
    many, problems, options = options_of(DataOptions(str(a), "y"))
    assert not many and [problem_name(d) for d in options.data] == ["d.csv"]
    iris = get_problem("iris")
    many, problems, _ = options_of([iris, DataOptions(str(a), "y"), DataOptions(str(b), "y")])
    assert many and [p.name for p in problems] == ["iris", "a/d.csv", "b/d.csv"]
    with pytest.raises(UsageError, match="already names every built-in problem"):
        options_of(["all", "wine"])
