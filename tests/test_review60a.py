"""fx60a: resume and record. A run of the per-user cache (config.json `data_dir: null`) resumed on another folder: said
and recorded as a switch from the cache (#1); resumed in a shell whose $SCAE_DATA names another: the cache kept, and
said (#2). A double Ctrl-C in a resume's first step: the resume recorded as a session (#3). A session that fails
writing a checkpoint: its record names the last step that survives (#4).
"""

import json
import os
import shutil

import pytest

from test_reliability import TINY, inproc_main
from test_reliability import quiet_globals  # noqa: F401 (a fixture)

MNIST_TINY = [a for a in TINY if a not in ("synthetic", "--canvas-size", "24")]
MNIST_TINY[MNIST_TINY.index("--dataset") + 1 : MNIST_TINY.index("--dataset") + 1] = ["mnist"]


@pytest.fixture
def cache_run(tmp_path, capfd, quiet_globals, monkeypatch, mnist_root):
    "(RUN trained 1 step on the per-user cache's MNIST, $SCAE_DATA unset; the cache; another copy of the data)."
    data = str(mnist_root)
    cache = tmp_path / "xdg" / "scae-nb"
    shutil.copytree(os.path.join(data, "MNIST"), cache / "MNIST")
    other = tmp_path / "data2"
    shutil.copytree(data, other)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SCAE_DATA", raising=False)
    run = tmp_path / "run"
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 1, "--out", run], capfd)
    assert rc == 0, err[-2000:]
    assert json.loads((run / "config.json").read_text())["data_dir"] is None
    return run, cache, other


def test_1_a_cache_run_resumed_on_another_data_dir_says_and_records_the_switch_from_the_cache(cache_run, capfd):
    "Was: only 'resuming with --steps 1 -> 2', and no data_dir in run.json `changes`."
    run, cache, other = cache_run
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 2, "--out", run, "--resume", "--data-dir", other], capfd)
    assert rc == 0, err[-2000:]
    lines = [l for l in err.splitlines() if "resuming with" in l]
    assert len(lines) == 1 and f"--data-dir {cache} -> {other}" in lines[0], err
    changes = json.loads((run / "run.json").read_text())["changes"]
    assert changes[-1]["data_dir"] == {"from": str(cache), "to": str(other)}, changes


def test_2_a_cache_run_resumed_under_another_scae_data_keeps_the_cache_and_says_so(cache_run, capfd, monkeypatch):
    "Was: $SCAE_DATA's folder read and recorded in config.json, no line, nothing in run.json."
    run, cache, other = cache_run
    monkeypatch.setenv("SCAE_DATA", str(other))
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 2, "--out", run, "--resume"], capfd)
    assert rc == 0, err[-2000:]
    assert f"the run's data folder {cache}, kept (this shell's $SCAE_DATA: {other})" in err, err
    assert json.loads((run / "config.json").read_text())["data_dir"] is None   # a run of the cache stays one: no
    # path pinned (not the cache's path, nor $SCAE_DATA's)
    changes = json.loads((run / "run.json").read_text())["changes"]
    assert all("data_dir" not in c for c in changes), changes
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 3, "--out", run, "--resume", "--data-dir", cache], capfd)
    assert rc == 0 and "--data-dir" not in err, err[-2000:]          # the cache, named: no change
    assert json.loads((run / "config.json").read_text())["data_dir"] is None   # named, still a run of the cache


# ---- #3: a double Ctrl-C in the first step of a resume
CUT_AT_CALL = r"""
import os, signal, sys, time
from scae_nb.training import Trainer
from scae_nb.cli import main
real, calls, cut = Trainer.training_step, [], int(os.environ["FX60A_CUT_CALL"])
def training_step(self, *args, **kwargs):                    # two SIGINTs ~50 ms apart, inside a step
    calls.append(1)
    if len(calls) == cut:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)
    return real(self, *args, **kwargs)
Trainer.training_step = training_step
sys.exit(main(sys.argv[1:]))
"""


def _train_cut(cut: int, *args):
    "`scae-nb train ARGS` in a subprocess that sends itself two SIGINTs inside its `cut`-th step."
    import subprocess
    import sys

    from test_reliability import _as_from_a_terminal, _env

    return subprocess.run([sys.executable, "-c", CUT_AT_CALL, *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=_env(FX60A_CUT_CALL=str(cut)), preexec_fn=_as_from_a_terminal)


def test_3_a_double_ctrl_c_in_a_resumes_first_step_is_recorded_as_its_session(tmp_path):
    "Was: run.json's sessions as before the resume (the last: end_step 7) while metrics.jsonl was cut back to 5."
    from test_reliability import checkpoints, train_args, train_lines

    run = tmp_path / "run"
    r = _train_cut(8, *train_args(run, 20, "--ckpt-every", 5))              # step 8 torn: checkpoint 5
    assert r.returncode == 130 and "inside step 8" in r.stdout, r.stderr[-2000:]
    before = json.loads((run / "run.json").read_text())["sessions"]
    assert [(s["step"], s["end_step"]) for s in before] == [(0, 7)], before
    r = _train_cut(1, *train_args(run, 20, "--resume"))
    assert r.returncode == 130 and "inside step 6" in r.stdout, (r.stdout, r.stderr[-2000:])
    sessions = json.loads((run / "run.json").read_text())["sessions"]
    assert [c.name for c in checkpoints(run)] == ["step_00000005.pt"]
    assert train_lines(run)[-1]["step"] == 5                                  # cut back to the checkpoint
    last = sessions[-1]
    assert (last["step"], last["end_step"], last["ended"], last["signal"]) == (5, 5, "interrupted", "SIGINT"), sessions


# ---- #4: a session that fails writing a checkpoint
def test_4_a_session_failing_to_write_a_checkpoint_records_the_last_step_saved(tmp_path, capfd, quiet_globals,
                                                                                monkeypatch):
    "Was: {end_step: 4, ended: failed}, no word that the newest checkpoint is step 2's."
    import scae_nb.training
    from test_reliability import checkpoints, train_args

    real = scae_nb.training.save_checkpoint
    def save_checkpoint(state, path, *args, **kwargs):              # the disk full at step 4's checkpoint
        if state["step"] == 4: raise OSError(28, "No space left on device", str(path))
        return real(state, path, *args, **kwargs)
    monkeypatch.setattr(scae_nb.training, "save_checkpoint", save_checkpoint)
    run = tmp_path / "run"
    rc, _, err = inproc_main(train_args(run, 6, "--ckpt-every", 2), capfd)
    assert rc != 0 and "No space left on device" in err, err[-2000:]
    assert [c.name for c in checkpoints(run)] == ["step_00000002.pt"]
    [session] = json.loads((run / "run.json").read_text())["sessions"]
    assert session["ended"] == "failed" and session.get("saved_step") == 2, session
    assert session["end_step"] == 4, session          # the last step trained (its checkpoint failed), not the saved one
    monkeypatch.setattr(scae_nb.training, "save_checkpoint", real)   # a resume: from step 2, recorded as such
    rc, _, err = inproc_main([*train_args(run, 6), "--resume"], capfd)
    assert rc == 0, err[-2000:]
    sessions = json.loads((run / "run.json").read_text())["sessions"]
    assert [(s["step"], s["end_step"], s["ended"]) for s in sessions][-1] == (2, 6, "finished"), sessions
    assert "saved_step" not in sessions[-1], sessions
