"""A real study's ``--tensorboard`` log directory: beside each seed's run, one HParams trial
per (loss, loss settings, learning rate, phase) whose mean, SD and n are numpy's over the
seeds' figures as the per-seed event files and the JSON report hold them; read back with
TensorBoard's own reader and served by its own server."""

import json
import urllib.request
from collections import defaultdict

import numpy as np
import pytest

from lossterm.cli.main import main
from tests.helpers.guard import DEADLOCK_GUARD


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("board-groups")
    logdir, report = folder / "board", folder / "study.json"
    assert main(["--headless", "--tune", "--problem", "circles", "--loss", "bce", "--loss",
                 "squared_hinge", "--epochs", "4", "--lr-grid", "0.03:0.3:2", "--tune-seeds",
                 "1", "--seeds", "3", "--no-store", "--no-progress", "--format", "json",
                 "-o", str(report), "--tensorboard", str(logdir)]) == 0
    return logdir, json.loads(report.read_text())["studies"][0]["study"]


def _read(path):
    from tensorboard.backend.event_processing import event_accumulator as ea

    acc = ea.EventAccumulator(str(path), size_guidance={ea.TENSORS: 0})
    acc.Reload()
    return acc


def _session(acc):
    from tensorboard.plugins.hparams import metadata

    content = acc.SummaryMetadata(metadata.SESSION_START_INFO_TAG).plugin_data.content
    return metadata.parse_session_start_info_plugin_data(content)


def _scalars(acc) -> dict[str, float]:
    from tensorboard.util import tensor_util

    return {tag: float(tensor_util.make_ndarray(acc.Tensors(tag)[-1].tensor_proto))
            for tag in acc.Tags()["tensors"] if not tag.startswith("_hparams_")}


def _trials(logdir):
    """Every folder holding an HParams session, as (session, its final scalars)."""
    out = {}
    for events in logdir.rglob("events.out.tfevents.*"):
        acc = _read(events.parent)
        if "_hparams_/session_start_info" in acc.Tags()["tensors"]:
            out[events.parent.relative_to(logdir).as_posix()] = (_session(acc), _scalars(acc))
    return out


def test_each_groups_mean_sd_and_n_are_numpys_over_its_seeds_runs(study):
    logdir, report = study
    trials = _trials(logdir)
    expected = defaultdict(lambda: defaultdict(list))  # grouped here, from the seeds' runs
    groups = {}
    for name, (session, scalars) in trials.items():
        h = session.hparams
        if "seeds" in h:
            groups[name] = (session, scalars)
            continue
        phase = {"test": "final"}.get(h["phase"].string_value, h["phase"].string_value)
        key = (h["loss"].string_value, h["learning_rate"].number_value, phase)
        for tag, value in scalars.items():
            expected[key][tag].append(value)
    assert len(groups) >= 6  # each loss: 2 rates or more tuned, 1 final at least
    by_key = {}
    for name, (session, scalars) in groups.items():
        h = session.hparams
        key = (h["loss"].string_value, h["learning_rate"].number_value, h["phase"].string_value)
        assert name == f"circles/groups/{key[0]}/lr={key[1]:g}/{key[2]}"
        by_key[key] = scalars
        for tag, values in expected[key].items():
            assert scalars[f"{tag}/n"] == len(values), (name, tag)
            assert scalars[f"{tag}/mean"] == pytest.approx(np.mean(values), rel=1e-6)
            if len(values) > 1:
                assert scalars[f"{tag}/sd"] == pytest.approx(np.std(values, ddof=1), rel=1e-5)
        assert {t.rsplit("/", 1)[0] for t in scalars} == set(expected[key]), name
    assert set(by_key) == set(expected)  # a group for every setting, none made up
    for loss in report["losses"]:  # the final groups against the JSON report's own figures
        rates = {s["learning_rate"] for s in loss["by_seed"]}
        for rate in rates:
            seeds = [s for s in loss["by_seed"] if s["learning_rate"] == rate]
            scalars = by_key[(loss["loss"], rate, "final")]
            validation = [s["validation"] for s in seeds]
            test = [s["test"] for s in seeds]
            assert scalars["validation/accuracy/n"] == len(seeds)
            assert scalars["validation/accuracy/mean"] == pytest.approx(np.mean(validation))
            assert scalars["test/accuracy/mean"] == pytest.approx(np.mean(test))
            if len(seeds) > 1:
                assert scalars["test/accuracy/sd"] == pytest.approx(np.std(test, ddof=1),
                                                                     rel=1e-5)
            assert not any(t.startswith("validation/roc_auc") for t in scalars)  # test only


@pytest.mark.filterwarnings("ignore:html5lib's sanitizer is deprecated:DeprecationWarning")
def test_tensorboards_hparams_table_lists_each_group_with_its_mean_sd_and_n(study):
    from tensorboard import program

    logdir, report = study
    server = program.TensorBoard()
    server.configure(argv=[None, "--logdir", str(logdir), "--host", "127.0.0.1", "--port",
                           "0", "--load_fast", "false", "--reload_task", "blocking",
                           "--reload_interval", "0"])
    url = server.launch()

    def ask(path, body):
        request = urllib.request.Request(url + "data/plugin/hparams/" + path,
                                         json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=DEADLOCK_GUARD) as reply:
            return json.load(reply)

    experiment = ask("experiment", {"experimentName": ""})
    columns = {m["name"]["tag"]: m.get("displayName") for m in experiment["metricInfos"]}
    for split in ("validation", "test"):
        assert columns[f"{split}/accuracy/mean"] == f"accuracy mean over seeds ({split})"
        assert columns[f"{split}/accuracy/sd"] == f"accuracy SD over seeds ({split})"
        assert columns[f"{split}/accuracy/n"] == f"accuracy n over seeds ({split})"
    groups = ask("session_groups", {"experimentName": "", "startIndex": 0, "sliceSize": 1000,
                                    "allowedStatuses": ["STATUS_UNKNOWN"], "colParams": []})
    by_name = {g["name"]: g for g in groups["sessionGroups"]}
    bce = report["losses"][0]
    rate = bce["chosen_learning_rate"]
    final = by_name[f"circles/groups/binary_crossentropy/lr={rate:g}/final"]
    assert final["hparams"]["seeds"] == "0,1,2" and final["hparams"]["phase"] == "final"
    values = {m["name"]["tag"]: m["value"] for m in final["metricValues"]}
    seeds = [s for s in bce["by_seed"] if s["learning_rate"] == rate]
    assert values["test/accuracy/n"] == len(seeds)
    assert values["test/accuracy/mean"] == pytest.approx(np.mean([s["test"] for s in seeds]))
    for seed in seeds:  # the per-seed runs are still there, each its own row
        assert f"circles/final/binary_crossentropy/seed={seed['seed']}" in by_name
