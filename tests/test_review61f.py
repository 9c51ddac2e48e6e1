"""fx61f: a resume into a new folder (`--resume CKPT --out NEW`) that trains no step, because the run is finished or
`--steps` is below the checkpoint's step, leaves NEW as it found it (not created, if it was not there), and its last
line says nothing was written to NEW; afterwards NEW takes a new run or the same resume with more steps (#1).
A resume whose first step fails before any checkpoint or metrics line, but that started a wandb run (`--wandb
offline`: a new folder under wandb/), changed the run folder: run.json keeps the session, failed, and its wandb
id, and the error line does not say the folder was left as found (#2).
"""

import json
import os

import pytest

from test_reliability import checkpoints, inproc_main, train_args
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review61a import _without_log_every
from test_review61a import failing_step_3  # noqa: F401 (a fixture)


@pytest.fixture
def finished_run(tmp_path, capfd, quiet_globals):  # noqa: F811
    "A run of 3 steps, a checkpoint each step: its folder."
    run = tmp_path / "run"
    rc, _, err = inproc_main(train_args(run, 3, "--ckpt-every", 1), capfd)
    assert rc == 0, err[-2000:]
    return run


def _last_line(out: str) -> str:
    return [l for l in out.splitlines() if l.startswith("scae-nb train: ")][-1]


# ---- #1: a new-folder resume that trains no step
@pytest.mark.parametrize("steps, words", [(3, "already finished 3 steps"),
                                          (2, "--steps 2 is below the run's step 3: nothing trained")])
@pytest.mark.parametrize("existed", [False, True])
def test_1_a_new_folder_resume_that_trains_no_step_leaves_it_as_found(finished_run, tmp_path, capfd, steps, words,
                                                                       existed):
    "Was: NEW/run.json and NEW/.lock left, no checkpoint; `train --out NEW` and the resume with more steps refused."
    checkpoint, new = checkpoints(finished_run)[-1], tmp_path / "new"
    if existed: new.mkdir()
    rc, out, err = inproc_main(train_args(new, steps, "--ckpt-every", 1, "--resume", checkpoint), capfd)
    assert rc == 0, err[-2000:]
    line = _last_line(out)
    assert line.startswith(f"scae-nb train: {words}; checkpoint {checkpoint}"), line
    assert line.endswith(f"; nothing written to {new}"), line
    assert (sorted(os.listdir(new)) == [] if existed else not new.exists()), sorted(os.listdir(new))
    rc, out, err = inproc_main(train_args(new, 4, "--ckpt-every", 1, "--resume", checkpoint), capfd)  # goes on
    assert rc == 0 and _last_line(out).startswith("scae-nb train: finished 4 steps"), err[-2000:]
    assert json.loads((new / "run.json").read_text())["resumed_from"]
    assert [c.name for c in checkpoints(new)] == ["step_00000004.pt"]


def test_1_a_same_folder_resume_that_trains_no_step_is_unchanged(finished_run, capfd):
    "As before: the run's own folder keeps all, and the line names no 'nothing written'."
    found = {n: (finished_run / n).read_bytes() for n in ("run.json", "config.json", "metrics.jsonl")}
    rc, out, err = inproc_main([*train_args(finished_run, 3, "--ckpt-every", 1), "--resume"], capfd)
    assert rc == 0 and "nothing written" not in _last_line(out), err[-2000:]
    assert {n: (finished_run / n).read_bytes() for n in found} == found
    assert len(checkpoints(finished_run)) == 3


# ---- #2: a failed first step that started a wandb run
@pytest.mark.parametrize("first", ["disabled", "offline"])
def test_2_a_failed_resume_that_started_a_wandb_run_keeps_it(tmp_path, capfd, quiet_globals, monkeypatch,  # noqa: F811
                                                            request, first):
    """Was: run.json put back as found (a new `wandb_id` lost, with `first` disabled), the error line saying
    'left as found', while wandb/ held the new offline run."""
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.setenv("WANDB_SILENT", "true")
    run = tmp_path / "run"
    rc, _, err = inproc_main(_without_log_every(train_args(run, 2, "--ckpt-every", 1, "--wandb", first)), capfd)
    assert rc == 0, err[-2000:]
    known = json.loads((run / "run.json").read_text()).get("wandb_id")
    request.getfixturevalue("failing_step_3")
    argv = [*_without_log_every(train_args(run, 4, "--ckpt-every", 1, "--wandb", "offline")), "--resume"]
    rc, _, err = inproc_main(argv, capfd)
    assert rc == 1 and "No space left on device" in err and "left as found" not in err, err[-2000:]
    info = json.loads((run / "run.json").read_text())
    runs = sorted(p.name for p in (run / "wandb").glob("offline-run-*"))
    assert runs and runs[-1].endswith(f"-{info['wandb_id']}"), (runs, info.get("wandb_id"))
    assert known == (None if first == "disabled" else info["wandb_id"]), (first, known)  # offline: the same run goes on
    last = info["sessions"][-1]
    assert (last["step"], last["end_step"], last["ended"]) == (2, 3, "failed"), last
