"""A suite as one job: several problems (``--problem all``, several ``--data`` files) in one
study command, a study and a verdict for each, findable in every report format."""

import json

import numpy as np
import pytest

import lossterm
from lossterm import service
from lossterm.cli.main import build_parser
from lossterm.data.files import DataOptions
from lossterm.data.problems import BUILTIN_PROBLEMS, get_problem
from lossterm.losses import losses_for_kind
from lossterm.options import Options
from lossterm.report.study import render_study
from tests.helpers.cli import one_line_exit_2
from tests.helpers.files import write_csv

QUICK = ("--loss", "bce", "--loss", "hinge", "--seeds", "2", "--epochs", "2",
         "--lr-grid", "0.01:0.1:2", "--no-progress")


def _two_moons(path, shift: float):
    """A small binary problem (80 rows) whose classes ``shift`` apart: 'label' 0 or 1."""
    rng = np.random.default_rng(int(shift * 10))
    rows = []
    for i in range(80):
        label = i % 2
        x1, x2 = rng.normal(size=2) + label * shift
        rows.append([f"{x1:.4f}", f"{x2:.4f}", label])
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_csv(path, ["x1", "x2", "label"], rows)


@pytest.fixture
def same_named(tmp_path):
    """Two different files, both called data.csv, in folders a/ and b/."""
    return (_two_moons(tmp_path / "a" / "data.csv", 2.0),
            _two_moons(tmp_path / "b" / "data.csv", 0.5))


def test_two_data_files_are_two_studies_each_with_its_verdict(lossterm_cli, same_named,
                                                              tmp_path):
    a, b = same_named
    done = lossterm_cli("--headless", "--data", str(a), "--data", str(b), "--target", "label",
                        *QUICK, "--format", "json", "--store", str(tmp_path / "runs.sqlite"),
                        "--export-csv", str(tmp_path / "csv"))
    assert done.returncode == 0, done.stderr
    # each study's protocol beside its runs, the folder in its name, not a missing folder
    assert {p.name for p in (tmp_path / "csv").glob("*.study.json")} == {
        "a_data.csv.study.json", "b_data.csv.study.json"}
    studies = json.loads(done.stdout)["studies"]
    # same-named files keep distinct names: each told apart by its folder
    assert [s["problem"] for s in studies] == ["a/data.csv", "b/data.csv"]
    for entry in studies:
        assert entry["study"]["verdict"].startswith(f"on {entry['problem']}, ")
        assert {loss["loss"] for loss in entry["study"]["losses"]} == {
            "binary_crossentropy", "hinge"}


def test_a_file_lacking_the_target_is_one_line_and_exit_2(lossterm_cli, same_named, tmp_path):
    other = write_csv(tmp_path / "other.csv", ["x1", "x2", "klass"],
                      [[i, i % 3, i % 2] for i in range(20)])
    done = lossterm_cli("--headless", "--data", str(same_named[0]), "--data", str(other),
                        "--target", "label", *QUICK, "--no-store")
    one_line_exit_2(done, f"no column 'label' in {other}")


def test_all_beside_names_is_refused_in_one_line(lossterm_cli):
    done = lossterm_cli("--headless", "--problem", "all", "--problem", "iris", "--loss", "all",
                        "--no-store")
    one_line_exit_2(done, "--problem all already names every built-in problem")


def test_problem_all_with_loss_all_plans_every_problem_with_its_kinds_losses():
    args = build_parser().parse_args(["--problem", "all", "--loss", "all", "--seeds", "2"])
    work = service.plan_work(Options.from_args(args))
    assert work.kind == service.STUDY
    names = list(dict.fromkeys(job.problem.name for job in work.jobs))
    assert names == list(BUILTIN_PROBLEMS)
    for name in names:
        kind = get_problem(name).kind
        planned = {job.loss.name for job in work.jobs if job.problem.name == name}
        fitting = {spec.name for spec in losses_for_kind(kind)}
        assert len(planned) >= 2 and planned <= fitting, (name, planned - fitting)
        left_out = fitting - planned  # only those the plan says it skipped, with why
        assert all(any(loss in line for line in work.skipped) for loss in left_out), left_out


def test_a_sweep_of_every_problem_leaves_out_regression_saying_so():
    args = build_parser().parse_args(["--problem", "all", "--loss", "all",
                                      "--noise-sweep", "0,0.2"])
    work = service.plan_work(Options.from_args(args))
    assert work.kind == service.SWEEP
    kinds = {job.problem.name: job.problem.kind for job in work.jobs}
    assert "regression" not in kinds and "diabetes" not in kinds and "iris" in kinds
    assert any(line.startswith("regression, diabetes: label noise needs classes")
               for line in work.skipped), work.skipped


def test_the_api_takes_a_list_of_data_files_and_the_reports_end_with_each_verdict(same_named):
    a, b = same_named
    studies = lossterm.study([DataOptions(str(a), "label"), DataOptions(str(b), "label")],
                             ["bce", "hinge"], seeds=2, lr_grid="0.01:0.1:2", epochs=2)
    assert [s.problem for s in studies] == ["a/data.csv", "b/data.csv"]
    text = render_study(studies, "text")
    tail = text[text.index("each problem's verdict (2 problems):"):].splitlines()
    assert [line.strip() for line in tail[1:3]] == [s.verdict.line for s in studies]
    assert tail[3:4] in ([], [""])  # then the suite verdict across them, if any
    markdown = render_study(studies, "markdown")
    section = markdown[markdown.index("## Each problem's verdict (2 problems)"):]
    section = section.split("\n## ")[0].splitlines()  # up to the suite's own section
    assert [line for line in section if line.startswith("- ")] == [
        f"- {s.verdict.line}" for s in studies]
    assert "each problem's verdict" not in render_study(studies[:1], "text")  # one: no list
