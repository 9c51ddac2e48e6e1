"""fx62b: train and an evaluation's folder (rv61b #5, #6), config.json's --out and non-ASCII text (rv61b #9), a file
that only looks like JSON given as --resume (rv61c #7), and config.json's warning after a session killed before its
first checkpoint (fx61i).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from cli_run import SYNTHETIC_TINY, make_eval_folder, train_in_process
from test_reliability import inproc_main
from test_reliability import quiet_globals  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def made_run(tmp_path_factory):
    "A 2-step synthetic run, made once; tests copy it."
    return train_in_process(tmp_path_factory.mktemp("fx62b") / "run")


# ---- rv61b #5: a new run into an evaluation's folder is refused, as eval refuses a run's
def test_5_train_into_an_evaluation_folder_is_refused(tmp_path, capfd, quiet_globals):
    "Was: rc 0, a warning ('1 entry not from a run (e.g. report.json)'), the run's files mixed into the folder."
    folder = make_eval_folder(tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    rc, _, err = inproc_main(["train", *SYNTHETIC_TINY, "--steps", "1", "--out", folder], capfd)
    assert rc == 2, err[-2000:]
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, err[-2000:]
    assert "an evaluation's folder" in err and "report.json" in err and "another --out" in err, err
    assert sorted(p.name for p in folder.iterdir()) == before, "nothing written"


def test_5_a_users_own_report_json_still_only_warns(tmp_path, capfd, quiet_globals):
    "A report.json that scae-nb eval did not write is a user's file: the warning as before."
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "report.json").write_text('{"mine": 1}')
    rc, _, err = inproc_main(["train", *SYNTHETIC_TINY, "--steps", "1", "--out", folder], capfd)
    assert rc == 0, err[-2000:]
    assert "1 entry not from a run (e.g. report.json)" in err, err[-2000:]


# ---- rv61b #6: --resume --out an evaluation's folder: said so, no sibling runs offered
def test_6_resume_in_an_evaluation_folder_says_so(made_run, tmp_path, capfd, quiet_globals):
    "Was: 'no checkpoint in EVAL/checkpoints to resume (start without --resume; /tmp/x holds a run: resume it ...)'."
    shutil.copytree(made_run, tmp_path / "sibling")
    folder = make_eval_folder(tmp_path)
    rc, _, err = inproc_main(["train", "--resume", "--out", folder, "--steps", "4", "--no-progress"], capfd)
    assert rc == 2, err[-2000:]
    assert "is an evaluation's folder" in err and "not a run" in err, err
    assert "sibling" not in err and "holds a run" not in err, err


# ---- rv61b #9: config.json's out as run.json's folder; non-ASCII kept as is
def test_9_config_out_normalised_and_text_not_escaped(tmp_path, capfd, quiet_globals):
    "Was: config.json 'out' as typed (trailing slash) while run.json's folder had none; both \\u-escaped."
    out = tmp_path / "a b" / "ünï cödé"
    rc, _, err = inproc_main(["train", *SYNTHETIC_TINY, "--steps", "1", "--out", str(out) + "/"], capfd)
    assert rc == 0, err[-2000:]
    config = (out / "config.json").read_bytes()
    record = (out / "run.json").read_bytes()
    assert "ünï cödé".encode() in config and "ünï cödé".encode() in record, (config[:300], record[:300])
    assert b"\\u00fc" not in config and b"\\u00fc" not in record
    folder = json.loads(record.decode("utf-8"))["folder"]
    assert json.loads(config.decode("utf-8"))["out"] == folder == str(out.resolve())


# ---- rv61c #7: a file that only looks like JSON
def test_7_text_that_does_not_parse_looks_like_json(tmp_path, capfd, quiet_globals):
    "Was: '... is a JSON file (an evaluation's report.json?)' for a file holding '  [', which is no JSON."
    bad = tmp_path / "sp.json"
    bad.write_text("  [")
    rc, _, err = inproc_main(["train", "--resume", bad, "--steps", "4", "--no-progress"], capfd)
    assert rc == 2, err[-2000:]
    assert "looks like a JSON file" in err and "is a JSON file" not in err, err


# ---- fx61i: a session killed after writing config.json, before its first checkpoint
def _kill_after_config(out, *argv):
    "Start `scae-nb train ARGV --out OUT`; SIGKILL it once it rewrites config.json (before a new checkpoint)."
    config = out / "config.json"
    before = config.stat().st_mtime_ns if config.exists() else None
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "scae_nb.cli", "train", *map(str, argv), "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if config.stat().st_mtime_ns != before: break
        except FileNotFoundError:
            pass
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "killed, not ended"


def test_fx61i_a_killed_sessions_config_json_is_not_an_edit(made_run, tmp_path, capfd, quiet_globals):
    "Was: 'config.json: eval_every 500 (--eval-every) not used', a value the killed session itself wrote."
    run = tmp_path / "run"
    shutil.copytree(made_run, run)
    _kill_after_config(run, "--resume", "--steps", "4", "--eval-every", "500", "--no-progress")
    assert sorted(p.name for p in (run / "checkpoints").glob("step_*.pt"))[-1] == "step_00000002.pt"
    assert json.loads((run / "config.json").read_bytes())["eval_every"] == 500, "the killed session's record"
    rc, _, err = inproc_main(["train", "--resume", "--out", run, "--steps", "4", "--no-progress"], capfd)
    assert rc == 0, err[-2000:]
    assert "not used" not in err and "config.json" not in err, err[-2000:]
    config = json.loads((run / "config.json").read_bytes())
    assert (config["eval_every"], config["steps"]) == (1000, 4), "rewritten from the checkpoint"


def test_fx61i_an_edit_after_the_kill_is_still_said(made_run, tmp_path, capfd, quiet_globals):
    "A hand edit of config.json (its bytes no longer as the code wrote them) is still named."
    run = tmp_path / "run"
    shutil.copytree(made_run, run)
    _kill_after_config(run, "--resume", "--steps", "4", "--eval-every", "500", "--no-progress")
    config = json.loads((run / "config.json").read_bytes())
    config["lr"] = 0.01
    (run / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    rc, _, err = inproc_main(["train", "--resume", "--out", run, "--steps", "4", "--no-progress"], capfd)
    assert rc == 0, err[-2000:]
    assert "lr 0.01 (--lr)" in err and "not used" in err, err[-2000:]


def test_fx61i_a_killed_fresh_run_then_force_says_nothing_of_config(tmp_path, capfd, quiet_globals):
    "A fresh run killed before its first checkpoint: the resume is refused; --force starts over, no config.json word."
    run = tmp_path / "run"
    _kill_after_config(run, *SYNTHETIC_TINY, "--steps", "2")
    assert not list((run / "checkpoints").glob("step_*.pt"))
    rc, _, err = inproc_main(["train", "--resume", "--out", run, "--steps", "2", "--no-progress"], capfd)
    assert rc == 2 and "start it over with --force" in err, err[-2000:]
    rc, _, err = inproc_main(["train", *SYNTHETIC_TINY, "--steps", "2", "--force", "--out", run], capfd)
    assert rc == 0, err[-2000:]
    assert "config.json" not in err and "not used" not in err, err[-2000:]
