"""``lossterm calc`` and ``lossterm explain`` as a user runs them."""

import json
import math
import subprocess
import sys

import pytest

ARTICLE_ACTUAL = "1,0,0;0,1,0;0,0,1"
ARTICLE_PREDICTED = "0.9,0.05,0.05;0.1,0.8,0.2;0.1,0.2,0.7"


def calc(lossterm_cli, *args):
    return lossterm_cli("calc", *args)


def test_the_articles_categorical_example_three_ways(lossterm_cli):
    done = calc(lossterm_cli, "cce", "--actual", ARTICLE_ACTUAL, "--predicted", ARTICLE_PREDICTED,
                "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["reference"] == pytest.approx(0.2601630635716978, abs=1e-6)
    assert out["keras"] == pytest.approx(out["reference"], abs=1e-9)
    assert out["sklearn"]["function"] == "log_loss"
    assert out["sklearn"]["value"] == pytest.approx(0.22839300363692153, abs=1e-9)
    assert any("plain formula Σ y·log ŷ gives 0.228393" in e for e in out["explanations"])


def test_the_articles_binary_example_from_the_comments(lossterm_cli):
    # binary_cross_entropy([1, 0, 1, 0], [1-1e-15, 1-1e-15, 1-1e-15, 0]): the missing
    # (1 - y)·log(1 - p) term is what makes the second row count.
    done = calc(lossterm_cli, "bce", "--actual", "1 0 1 0", "--predicted",
                "0.999999999999999 0.999999999999999 0.999999999999999 0", "--format", "json")
    out = json.loads(done.stdout)
    eps = 1e-7  # Keras clips predictions to [eps, 1 - eps]
    expected = (3 * -math.log(1 - eps) - math.log(1 - (1 - eps))) / 4
    assert out["reference"] == pytest.approx(expected, rel=1e-6)
    assert out["keras"] == pytest.approx(expected, rel=1e-6)
    assert out["sklearn"]["value"] != pytest.approx(expected, rel=1e-3)  # clips at 2.2e-16
    assert any("machine epsilon" in e for e in out["explanations"])


def test_mse_text_output_all_agree(lossterm_cli):
    done = calc(lossterm_cli, "mse", "--actual", "1", "2", "3", "--predicted", "1.5,2,2")
    assert done.returncode == 0, done.stderr
    assert "reference (NumPy)          0.416667" in done.stdout
    assert "Keras                      0.416667" in done.stdout
    assert "scikit-learn mean_squared_error 0.416667" in done.stdout
    assert done.stdout.strip().endswith("all agree")


def test_hinge_with_0_1_labels_says_they_were_converted(lossterm_cli):
    out = json.loads(calc(lossterm_cli, "hinge", "--actual", "1 0 1", "--predicted",
                          "0.3 -0.5 0.9", "--format", "json").stdout)
    assert out["reference"] == pytest.approx((0.7 + 0.5 + 0.1) / 3)
    assert any("converted to -1/1" in e for e in out["explanations"])


def test_sparse_takes_integer_labels(lossterm_cli):
    out = json.loads(calc(lossterm_cli, "scce", "--actual", "0 2", "--predicted",
                          "0.7,0.2,0.1;0.1,0.3,0.6", "--format", "json").stdout)
    assert out["reference"] == pytest.approx(-(math.log(0.7) + math.log(0.6)) / 2, rel=1e-6)


def test_categorical_hinge_takes_scores_of_either_sign(lossterm_cli):
    out = json.loads(calc(lossterm_cli, "categorical_hinge", "--actual", "1,0,0;0,1,0",
                          "--predicted", "0.5,-0.2,-0.4;1.5,2.0,-3", "--format", "json").stdout)
    assert out["reference"] == pytest.approx(0.5) and out["keras"] == pytest.approx(0.5)
    assert out["sklearn"]["value"] == pytest.approx(0.4)  # its best wrong score stays -0.2
    assert not any("renormalises" in e for e in out["explanations"])
    assert any("0 when every wrong score is negative" in e for e in out["explanations"])


@pytest.mark.parametrize("args, expected", [
    (["mse", "--actual", "1 2", "--predicted", "1 2 3"], "must be two lists of the same length"),
    (["bce", "--actual", "1 0", "--predicted", "0.5 1.2"], "takes probabilities"),
    (["cce", "--actual", "1,0", "--predicted", "1.5,-0.5"], "takes probabilities"),
    (["bce", "--actual", "2 0", "--predicted", "0.5 0.2"], "labels must be in [0, 1]"),
    (["hinge", "--actual", "1 2", "--predicted", "0.5 0.2"], "labels must be -1 and 1"),
    (["cce", "--actual", "0 1", "--predicted", "0.5,0.5;0.2,0.8"], "one-hot rows shaped like"),
    (["cce", "--actual", "1,1;0,1", "--predicted", "0.5,0.5;0.2,0.8"], "one-hot"),
    (["scce", "--actual", "0 3", "--predicted", "0.5,0.5;0.2,0.8"], "labels must be integers 0..1"),
    (["cce", "--actual", "1,0;0,1", "--predicted", "0.5 0.5"], "one-hot rows shaped like"),
    (["poisson", "--actual", "-1 2", "--predicted", "1 2"], "poisson needs --actual >= 0"),
    (["mse", "--actual", "1 x", "--predicted", "1 2"], "--actual: could not convert"),
    (["mse", "--actual", "1,2;3", "--predicted", "1 2"], "rows have different lengths"),
    (["mse", "--actual", "1 nan", "--predicted", "1 2"], "values must be finite"),
    (["cosine", "--actual", "1", "--predicted", "1"], "unknown loss 'cosine'"),
])
def test_bad_calculator_input_is_one_line_exit_2(lossterm_cli, args, expected):
    done = calc(lossterm_cli, *args)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("lossterm: error: ") and expected in line


def test_reference_only_loads_neither_keras_nor_sklearn():
    code = ("import sys\nfrom lossterm.cli.main import main\n"
            "assert main(['calc', 'kld', '--actual', '0.2,0.8', '--predicted', '0.4,0.6',"
            " '--reference-only']) == 0\n"
            "assert not {'keras', 'tensorflow', 'sklearn'} & set(sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "kl_divergence on 1 sample(s)" in done.stdout


@pytest.mark.parametrize("loss, phrases", [
    ("mse", ["Gaussian noise", "formula     mean((y - ŷ)²)", "report MSE"]),
    ("bce", ["Bernoulli", "sigmoid", "epsilon     1e-07", "report accuracy"]),
    ("kld", ["equals categorical cross-entropy", "[ε, 1]"]),
    ("hinge", ["margin", "{-1,1}", "about 0.40"]),
    ("cce", ["binary too, named with --loss: two-node form: 2 softmax units, argmax"]),
    ("categorical_hinge", ["two-node form: 2 linear score units, argmax"]),
])
def test_explain(lossterm_cli, loss, phrases):
    done = lossterm_cli("explain", loss)
    assert done.returncode == 0, done.stderr
    for phrase in phrases:
        assert phrase in done.stdout
