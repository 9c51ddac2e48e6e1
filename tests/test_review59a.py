"""rv59a F3: on `--resume`, a `--data-dir` naming another folder than the run's is said in the "resuming with" line
and recorded in run.json `changes` (on 4019534 neither: `data_dir` was in `QUIET_CHANGES`); where only $SCAE_DATA
differs, the run's folder is kept, as before.
"""

import json
import shutil

import pytest

from test_reliability import TINY, inproc_main
from test_reliability import quiet_globals  # noqa: F401 (a fixture)

MNIST_TINY = [a for a in TINY if a not in ("synthetic", "--canvas-size", "24")]
MNIST_TINY[MNIST_TINY.index("--dataset") + 1 : MNIST_TINY.index("--dataset") + 1] = ["mnist"]


@pytest.fixture
def mnist_run(tmp_path, capfd, quiet_globals, monkeypatch):
    "(RUN trained 1 step on $SCAE_DATA's MNIST, a second data folder holding a copy of it)."
    import os

    data = os.environ["SCAE_DATA"]
    other = tmp_path / "data2"
    shutil.copytree(data, other)
    run = tmp_path / "run"
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 1, "--out", run], capfd)
    assert rc == 0, err[-2000:]
    return run, other


def test_an_explicit_data_dir_switch_on_resume_is_said_and_recorded(mnist_run, capfd):
    "Was: only 'resuming from ...', and run.json `changes` null, though the data files changed."
    run, other = mnist_run
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 2, "--out", run, "--resume", "--data-dir", other], capfd)
    assert rc == 0, err[-2000:]
    lines = [l for l in err.splitlines() if "resuming with" in l]
    assert len(lines) == 1 and f"--data-dir /" in lines[0] and f" -> {other}" in lines[0], err
    changes = json.loads((run / "run.json").read_text())["changes"]
    assert changes and changes[-1]["step"] == 1 and changes[-1]["data_dir"]["to"] == str(other), changes


def test_the_same_folder_however_written_and_scae_data_alone_are_not_a_change(mnist_run, capfd, monkeypatch):
    "The run's own folder given again (with a trailing slash), or another $SCAE_DATA: no data_dir change."
    import os

    run, other = mnist_run
    same = os.environ["SCAE_DATA"].rstrip("/") + "/"
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 2, "--out", run, "--resume", "--data-dir", same], capfd)
    assert rc == 0 and "--data-dir" not in err, err[-2000:]
    monkeypatch.setenv("SCAE_DATA", str(other))
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 3, "--out", run, "--resume"], capfd)
    assert rc == 0, err[-2000:]
    assert "the run's data folder" in err and "kept (this shell's $SCAE_DATA" in err, err
    changes = json.loads((run / "run.json").read_text())["changes"]
    assert [sorted(c) for c in changes] == [["step", "steps"], ["step", "steps"]], changes


# ---- F2: a second Ctrl-C inside a step: the last line names that step and the steps to redo, as the warning does
def test_a_double_ctrl_c_inside_a_step_says_the_cut_step_and_the_checkpoint_it_continues_from(
        tmp_path, capfd, quiet_globals, monkeypatch):
    "Was: 'interrupted inside step 5 ... continues from step_00000003.pt', then 'interrupted by SIGINT at step 4'."
    import signal

    from scae_nb.training import Trainer

    real, calls = Trainer.training_step, []
    def training_step(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5:                                  # a double Ctrl-C inside step 5
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Trainer, "training_step", training_step)
    run = tmp_path / "run"
    rc, out, err = inproc_main(["train", *TINY, "--steps", 10, "--ckpt-every", 3, "--out", run], capfd)
    lines = out.strip().splitlines()
    assert rc == 130, err[-2000:]
    assert "interrupted inside step 5: no checkpoint of a half-done step" in err, err[-2000:]
    assert lines[-1].startswith(
        f"scae-nb train: interrupted by SIGINT inside step 5 (steps 4-5 to redo: no checkpoint of a half-done step); "
        f"checkpoint {run / 'checkpoints' / 'step_00000003.pt'}; continue with "), lines[-1]


# ---- F1, F7: eval --help's --out says a later evaluation replaces the earlier one, in a short entry
def test_eval_help_out_is_short_and_says_an_earlier_evaluation_is_replaced(capfd, quiet_globals):
    "Was: a 16-line --out entry of nested refusals, and no word that an earlier report there is replaced."
    import re

    rc, out, _ = inproc_main(["eval", "--help"], capfd)
    entry = re.search(r"\n  --out STR(.*?)\n  --", out, re.S).group(1)
    assert rc == 0 and len(entry.strip().splitlines()) <= 8, entry
    text = " ".join(entry.split())
    assert "RUN/eval/STEP" in text and "replaces the earlier report (give another --out to keep both)" in text, text


# ---- F10: a run folder whose run.json is gone resumes with one warning that its record is rebuilt
def test_a_resume_without_run_json_warns_that_the_record_is_rebuilt(tmp_path, capfd, quiet_globals):
    "Was: no word; the new run.json's sessions began at the resumed step, the earlier ones silently gone."
    run = tmp_path / "run"
    rc, _, err = inproc_main(["train", *TINY, "--steps", 2, "--out", run], capfd)
    assert rc == 0 and "run.json" not in err, err[-2000:]
    (run / "run.json").unlink()
    rc, _, err = inproc_main(["train", *TINY, "--steps", 3, "--out", run, "--resume"], capfd)
    assert rc == 0, err[-2000:]
    said = [l for l in err.splitlines() if "run.json" in l]
    assert said == [f"scae-nb train: warning: no run.json in {run}: the run's record is made anew from the "
                    "checkpoint of step 2 (its earlier sessions are not known)"], err
    rc, _, err = inproc_main(["train", *TINY, "--steps", 3, "--out", tmp_path / "new", "--resume",
                              run / "checkpoints" / "step_00000002.pt"], capfd)   # a branch into a new folder
    assert rc == 0 and "run.json" not in err, err[-2000:]
