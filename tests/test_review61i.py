"""fx61i: config.json on resume (rv61b #1, #2, #7). A hand-edited config.json (a changed value, an unknown key, invalid
JSON) is still a record: the checkpoint's settings rule, but one warning line says what was not used and which options
set it (#1). A config.json whose model fields are not the model's kind of value is blamed, not the run's own checkpoint
(#2). A JSON file given as the checkpoint to resume is a bad command line (exit 2), not a damaged checkpoint (#7).
"""

import json
import shutil

import pytest
import torch

from cli_run import train_in_process
from test_reliability import inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def made_run(tmp_path_factory):
    "A 2-step synthetic run, made once; each test resumes a copy of it."
    return train_in_process(tmp_path_factory.mktemp("fx61i") / "run")


@pytest.fixture
def run(made_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(made_run, copy)
    return copy


def _edit(run, change) -> None:
    path = run / "config.json"
    config = json.loads(path.read_text())
    change(config)
    path.write_text(json.dumps(config, indent=1))


def _resume(run, capfd, *extra) -> tuple:
    return inproc_main(["train", "--resume", "--out", run, "--steps", "3", "--no-progress", *extra], capfd)


def _lines_naming(err: str, word: str) -> list:
    return [l for l in err.splitlines() if word in l]


# ---- #1: a hand-edited config.json: a warning, the checkpoint's settings kept
def test_1a_changed_values_and_unknown_keys_are_named_once(run, capfd, quiet_globals):
    "Was: rc 0, nothing said about config.json; the edits silently overwritten."
    def change(config):
        config.update(lr=0.01, bogus_key=1)
        config["model"]["sparsity_weight"] = 3.0
    _edit(run, change)
    rc, _, err = _resume(run, capfd)
    assert rc == 0, err
    said = _lines_naming(err, "config.json")
    assert len(said) == 1, err
    line = said[0]
    assert str(run / "config.json") in line and "not used" in line, line
    for word in ("lr 0.01", "bogus_key", "model.sparsity_weight 3.0", "--lr", "--sparsity-weight"): assert word in line, line
    config = json.loads((run / "config.json").read_text())
    kept = torch.load(run / "checkpoints" / "step_00000002.pt", map_location="cpu", weights_only=False)["config"]
    assert (config["lr"], config["model"]["sparsity_weight"]) == (kept["lr"], kept["model"]["sparsity_weight"]), config
    assert kept["lr"] != 0.01 and kept["model"]["sparsity_weight"] != 3.0 and "bogus_key" not in config, kept


def test_1b_many_keys_say_and_n_more(run, capfd, quiet_globals):
    def change(config):
        config.update(lr=0.01, decay=0.5, momentum=0.5, seed=3, keep=2, batch_size=4)
    _edit(run, change)
    rc, _, err = _resume(run, capfd)
    assert rc == 0, err
    (line,) = _lines_naming(err, "config.json")
    assert "and 3 more" in line, line


def test_1c_a_value_typed_on_the_command_line_is_used_not_warned(run, capfd, quiet_globals):
    "config.json's steps 3 and the command's --steps 3: what the run now uses; no warning."
    _edit(run, lambda config: config.update(steps=3))
    rc, _, err = _resume(run, capfd)
    assert rc == 0, err
    assert not _lines_naming(err, "config.json"), err


def test_1d_invalid_json_is_said_unreadable_and_rewritten(run, capfd, quiet_globals):
    with open(run / "config.json", "a") as f: f.write("{{")
    rc, _, err = _resume(run, capfd)
    assert rc == 0, err
    (line,) = _lines_naming(err, "config.json")
    assert "unreadable" in line and "rewritten" in line, line
    assert json.loads((run / "config.json").read_text())["steps"] == 3


def test_1e_an_untouched_config_json_says_nothing(run, capfd, quiet_globals):
    rc, _, err = _resume(run, capfd)
    assert rc == 0, err
    assert not _lines_naming(err, "config.json") and "warning" not in err.lower(), err


# ---- #2: a model field of the wrong kind in config.json: config.json blamed
def test_2a_a_model_field_of_the_wrong_type_blames_config_json(run, capfd, quiet_globals):
    "Was: rc 2, 'step_00000002.pt is a checkpoint of another model than the run ...; move it out'."
    _edit(run, lambda config: config["model"].update(n_parts="x"))
    rc, _, err = _resume(run, capfd)
    assert rc == 2, err
    assert "another model" not in err and "move it out" not in err, err
    (line,) = _lines_naming(err, "config.json")
    assert "model.n_parts 'x'" in line and "not an integer" in line, line


def test_2b_a_model_that_is_no_object_blames_config_json(run, capfd, quiet_globals):
    _edit(run, lambda config: config.update(model="scae"))
    rc, _, err = _resume(run, capfd)
    assert rc == 2, err
    (line,) = _lines_naming(err, "config.json")
    assert "model 'scae'" in line, line


# ---- #7: a JSON file given as the checkpoint
def test_7a_a_json_file_is_a_bad_command_line(run, capfd, quiet_globals, tmp_path):
    "Was: rc 1, 'not a readable checkpoint (damaged or not a PyTorch file)'."
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"kmeans_test_transductive": 0.5}, indent=1))
    rc, _, err = inproc_main(["train", "--resume", report, "--out", tmp_path / "new", "--steps", "3",
                              "--no-progress"], capfd)
    assert rc == 2, err
    assert "is a JSON file" in err and "not a checkpoint" in err and "damaged" not in err, err


def test_7b_a_damaged_checkpoint_is_still_exit_1(run, capfd, quiet_globals, tmp_path):
    newest = sorted((run / "checkpoints").glob("step_*.pt"))[-1]
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"garbage, not a zip archive\n" * 10)
    rc, _, err = inproc_main(["train", "--resume", bad, "--out", tmp_path / "new", "--steps", "3",
                              "--no-progress"], capfd)
    assert (rc, one_line(err)) == (1, f"scae-nb train: error: --resume {bad}: not a readable checkpoint (damaged or not a "
                                      "PyTorch file)"), err          # was: rc 1 and no 'JSON', whatever it said
    assert newest.exists()


def test_1f_a_branch_from_an_older_checkpoint_says_nothing(run, capfd, quiet_globals):
    "config.json records the newer session (--threads 2, --steps 4): the code's own difference, not an edit."
    rc, _, err = _resume(run, capfd, "--threads", "2")
    assert rc == 0 and not _lines_naming(err, "config.json"), err
    older = sorted((run / "checkpoints").glob("step_*.pt"))[-2]
    rc, _, err = inproc_main(["train", "--resume", older, "--out", run, "--steps", "3", "--no-progress"], capfd)
    assert rc == 0, err
    assert not _lines_naming(err, "config.json"), err
