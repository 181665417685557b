"""Awkward input (issue 20): each ends in exit 0, handled, or exit 2 with one clear line on
stderr; never a traceback, a stray warning, or an unbounded read. Each runs the real
command in a subprocess, as a user over SSH would; timeouts are deadlock guards only."""

import json
import os
import subprocess
import sys
import threading
import zipfile

import pytest

GUARD = 300  # seconds: a deadlock guard, far above any of these runs


def lossterm(*args, env=None, drop=(), timeout=GUARD):
    environment = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run([sys.executable, "-m", "lossterm", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**environment, **(env or {})}, check=False)


def one_line_exit_2(done, expected: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("lossterm: error: ") and expected in lines[0], lines[0]
    return lines[0]


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


# --- files that are not what they seem ----------------------------------------------------


def test_a_device_that_never_ends_is_refused_before_a_byte_is_read():
    done = lossterm("--headless", "--data", "/dev/zero", "--target", "t", "--no-store")
    one_line_exit_2(done, "/dev/zero is a device or socket, not a data file")


def test_a_pipe_is_read_to_its_end(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "w", encoding="utf-8") as stream:
            stream.write("a,b\n")  # a header and nothing else: read whole, then refused

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    done = lossterm("--headless", "--data", fifo, "--target", "b", "--no-store")
    writer.join(GUARD)
    one_line_exit_2(done, "has a header but no data rows")


def test_utf16_text_is_read(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes("height,weight\n1,2\n3,4\n".encode("utf-16"))  # with its byte-order mark
    done = lossterm("--headless", "--data", path, "--target", "price", "--no-store")
    one_line_exit_2(done, "no column 'price' in")
    assert "columns: height, weight" in done.stderr  # decoded, not "binary data"


def test_utf16_without_its_mark_is_named(tmp_path):
    path = tmp_path / "le.csv"
    path.write_bytes("height,weight\n1,2\n3,4\n".encode("utf-16-le"))
    done = lossterm("--headless", "--data", path, "--target", "weight", "--no-store")
    one_line_exit_2(done, "looks like UTF-16 text without a byte-order mark; re-save it as UTF-8")


def test_excel_workbooks_are_named(tmp_path):
    xlsx = tmp_path / "book.xlsx"
    with zipfile.ZipFile(xlsx, "w") as book:  # the parts every .xlsx holds
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    for path in (xlsx, xls):
        done = lossterm("--headless", "--data", path, "--target", "t", "--no-store")
        one_line_exit_2(done, "is an Excel workbook, not a CSV file: save it as CSV")


@pytest.mark.parametrize("text, example", [
    ("x,y\n" + "".join(f'"{i},{i * 7 % 1000:03d}",{i % 2}\n' for i in range(1, 30)), "'1,007'"),
    ("x;y\n" + "".join(f"{i},{i * 3 % 100:02d};{i % 2}\n" for i in range(1, 30)), "'1,03'"),
])
def test_numbers_with_commas_say_so(tmp_path, text, example):
    path = write(tmp_path / "commas.csv", text)
    done = lossterm("--headless", "--data", path, "--target", "y", "--no-store")
    line = one_line_exit_2(done, f"column 'x' of {path} looks like numbers written with a "
                                 "thousands or decimal comma")
    assert example in line and "plain numbers" in line


def test_a_repeated_column_name_is_refused(tmp_path):
    rows = "".join(f"{i},{i % 2},{i % 3}\n" for i in range(20))
    path = write(tmp_path / "twice.csv", "x,target,target\n" + rows)
    done = lossterm("--headless", "--data", path, "--target", "target", "--no-store")
    one_line_exit_2(done, "has more than one column named 'target'")


@pytest.mark.parametrize("kind", [[], ["--kind", "regression"]])
def test_a_date_target_gets_advice_that_works(tmp_path, kind):
    rows = "".join(f"2024-01-{i + 1:02d},{i}\n" for i in range(28))
    path = write(tmp_path / "dates.csv", "day,x\n" + rows)
    done = lossterm("--headless", "--data", path, "--target", "day", *kind, "--no-store")
    line = one_line_exit_2(done, "the target 'day' holds dates such as '2024-01-01'")
    assert "--kind regression" not in line and "numeric column" in line


def test_constant_features_and_a_one_row_test_split_are_warned_about(tmp_path):
    rows = "".join(f"{i},7,{i * 2.5 + 0.1}\n" for i in range(4))
    path = write(tmp_path / "small.csv", "x,c,y\n" + rows)
    done = lossterm("--headless", "--data", path, "--target", "y", "--test-size", "0.25",
                    "--loss", "mse", "--epochs", "1", "--no-store")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr
    warnings = [line for line in done.stdout.splitlines() if line.startswith("warning:")]
    assert sum("hold one value in every row and teach nothing: 'c'" in line
               for line in warnings) == 1, done.stdout
    assert sum("the test split has 1 row: every test figure is one sample's" in line
               for line in warnings) == 1, done.stdout


# --- options ------------------------------------------------------------------------------


@pytest.mark.parametrize("flag, value", [("--seed", "-1"), ("--seed", str(2**64)),
                                         ("--data-seed", "-1")])
def test_seeds_out_of_range_are_refused_at_parse_time(flag, value):
    done = lossterm("--headless", "--problem", "circles", flag, value, "--no-store")
    one_line_exit_2(done, f"argument {flag}: {value} is out of range: a seed is a whole number "
                          "from 0 to 2147483647")


def test_a_huge_learning_rate_grid_is_bounded():
    done = lossterm("--headless", "--problem", "circles", "--loss", "bce", "--loss", "hinge",
                    "--seeds", "2", "--lr-grid", "1e-4:1:1000000", "--no-store")
    one_line_exit_2(done, "--lr-grid needs N from 2 to 100 points")


@pytest.mark.parametrize("body, expected", [
    ("import sys\nsys.exit(3)\n", "importing it called sys.exit(3)"),
    ("import sys\ndef f(y_true, y_pred):\n    sys.exit('bye')\nf.kind = 'regression'\n",
     "f called sys.exit('bye') on a probe batch"),
])
def test_a_loss_file_that_exits_is_refused(tmp_path, body, expected):
    path = write(tmp_path / "exits.py", body)
    done = lossterm("--headless", "--problem", "regression", "--loss-file", f"{path}:f",
                    "--no-store")
    one_line_exit_2(done, f"--loss-file {path}: {expected}")


@pytest.mark.parametrize("home", ["", "missing"])
def test_no_usable_home_is_refused_and_never_created(tmp_path, home):
    home = str(tmp_path / home) if home else ""
    done = lossterm("report", env={"HOME": home}, drop=("XDG_DATA_HOME",))
    if home == "":  # the password database's home stands in; never the root's /.local
        assert "/.local/share" not in done.stderr.replace(os.path.expanduser("~"), "~"), \
            done.stderr
        assert "Traceback" not in done.stderr
    else:
        one_line_exit_2(done, f"no home directory to keep the run history in ($HOME is "
                              f"{home!r}, and lossterm does not create one)")
        assert not (tmp_path / "missing").exists()


# --- calc ---------------------------------------------------------------------------------


def test_calc_takes_negative_numbers():
    done = lossterm("calc", "mse", "--actual", "0.5", "-2", "--predicted", "-1e-3,-.5",
                    "--reference-only")
    assert done.returncode == 0, done.stderr
    assert "reference (NumPy)          1.250501" in done.stdout


def test_calc_says_overflow_in_words_without_a_warning():
    done = lossterm("calc", "mse", "--actual", "1e308", "--predicted", "-1e308")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no RuntimeWarning
    assert "reference (NumPy)          inf (overflow)" in done.stdout
    assert "note: a figure overflowed float64" in done.stdout
    done = lossterm("calc", "mse", "--actual", "1e308", "--predicted", "-1e308",
                    "--reference-only", "--format", "json")
    assert done.returncode == 0 and done.stderr == ""
    out = json.loads(done.stdout, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert out["reference"] is None and "overflowed" in out["explanations"][0]


def test_calc_prints_huge_figures_in_six_significant_digits():
    done = lossterm("calc", "poisson", "--actual", "1e300", "--predicted", "1e-300",
                    "--reference-only")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "reference (NumPy)          1.61181e+301" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) < 200


# --- ASCII-only terminals -----------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["--help"], ["--list-losses"], ["--list-problems"], ["explain", "hinge"],
    ["calc", "cce", "--actual", "1,0,0", "--predicted", "0.5,0.4,0.3", "--reference-only"],
])
def test_an_ascii_terminal_gets_readable_ascii(args):
    done = lossterm(*args, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and done.stdout.isascii()
    assert "\\u" not in done.stdout and "\\x" not in done.stdout  # all symbols have words


def test_an_ascii_terminal_gets_the_report_and_the_errors():
    done = lossterm("--headless", "--problem", "circles", "--loss", "bce", "--epochs", "1",
                    "--no-store", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert "| circles | binary_crossentropy |" in done.stdout and "+----" in done.stdout
    done = lossterm("--headless", "--problem", "circlés", env={"PYTHONIOENCODING": "ascii"})
    one_line_exit_2(done, "unknown problem 'circl\\xe9s'")  # escaped, never a look-alike
