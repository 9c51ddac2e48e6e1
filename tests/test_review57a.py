"""rv57a #1, #9, #10: a run id that is not one plain name (in run.json or in a checkpoint) steers no path, so `--force`
never moves a run out of RUN/replaced/ (run.json's "../../x" moved the old run to a sibling of RUN on 0741ddb); a file
or a dangling link named RUN/replaced or RUN/checkpoints/superseded is refused up front, in one line naming it (a bare
"Not a directory" / "File exists" on 0741ddb); a folder of an earlier run's files with no checkpoint is not said to be
at "step 0" (0741ddb invented it). rv57a #11: a Ctrl-C just as --force has moved the old run, or before a new run's
first step, rolls the claim back whole (0741ddb left the old run in RUN/replaced/ID beside a stub run.json).
"""

import json
import os
import shutil

import pytest

from scae_nb.checkpoints import load_checkpoint, save_checkpoint
from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    "(RUN, its run id): a finished tiny run of 2 steps with checkpoints at steps 1 and 2. Do not modify: copy it."
    from scae_nb.cli import main

    run = tmp_path_factory.mktemp("base57a") / "base"
    assert main([str(a) for a in ["train", *TINY, "--steps", 2, "--ckpt-every", 1, "--out", run]]) == 0
    return run, json.loads((run / "run.json").read_text())["run_id"]


def _copy(base, tmp_path, name="d"):
    run = tmp_path / "w" / name
    shutil.copytree(base[0], run, symlinks=True)
    return run


def _train(run, capfd, *extra):
    return inproc_main(["train", *TINY, "--steps", 2, "--ckpt-every", 1, "--out", run, *extra], capfd)


# ---- 1. a run id that is not one plain name
@pytest.mark.parametrize("bad", ["../../x", "a/b", "..", "."])
def test_a_run_id_that_is_no_plain_name_is_damaged_and_steers_no_move(base, tmp_path, capfd, quiet_globals, bad):
    "Was: run.json's run_id '../../x' sent --force's move to ./x, beside RUN; 'a/b' nested it in replaced/a/b."
    run = _copy(base, tmp_path)
    (run / "run.json").write_text(json.dumps({"run_id": bad}))
    rc, _, err = _train(run, capfd)
    assert rc == 1, err[-2000:]                                              # as every damaged run.json
    line = one_line(err)
    assert line.startswith(
        f"scae-nb train: error: {run / 'run.json'} is damaged: its run_id is {json.dumps(bad)}, not a plain name "
        "(ASCII letters, digits, '.', '_', '-'; no '-' first); "      # 58a: ASCII, no '-' first
    ), line
    assert f"use --force (the old run is moved to {run / 'replaced' / base[1]})" in line, line
    rc, _, err = _train(run, capfd, "--force")
    assert rc == 0, err[-2000:]
    assert sorted(os.listdir(run / "replaced")) == [base[1]]                  # the id from its checkpoints
    assert (run / "replaced" / base[1] / "checkpoints" / "step_00000002.pt").is_file()
    assert sorted(os.listdir(tmp_path / "w")) == ["d"], "the move left RUN"


def test_a_checkpoints_run_id_that_is_no_plain_name_steers_no_move(base, tmp_path, capfd, quiet_globals):
    "Was: with run.json gone, the newest checkpoint's run_id '../y' named the folder --force moved the run to."
    run = _copy(base, tmp_path)
    (run / "run.json").unlink()
    for path in sorted((run / "checkpoints").glob("step_*.pt")):
        state = load_checkpoint(path)
        state.pop("digest")
        save_checkpoint({**state, "run_id": "../y"}, path)
    rc, _, err = _train(run, capfd)
    assert rc == 2 and f"(the old run is moved to {run / 'replaced' / 'legacy'})" in one_line(err), err[-2000:]
    rc, _, err = _train(run, capfd, "--force")
    assert rc == 0, err[-2000:]
    assert sorted(os.listdir(run / "replaced")) == ["legacy"]
    assert sorted(os.listdir(tmp_path / "w")) == ["d"], "the move left RUN"


# ---- 9. a file or a dangling link where a run or a branch is set aside
@pytest.mark.parametrize("kind", ["a file", "a dangling link"])
def test_a_file_named_replaced_is_refused_up_front(base, tmp_path, capfd, quiet_globals, kind):
    "Was: the refusal promised 'moved to q/replaced/ID', then --force failed 'Not a directory' / 'File exists'."
    run = _copy(base, tmp_path, "q")
    blocker = run / "replaced"
    blocker.touch() if kind == "a file" else blocker.symlink_to(tmp_path / "gone")
    rc, _, err = _train(run, capfd)
    assert rc == 2, err[-2000:]
    assert (f"--force to start over (the old run is moved to {blocker / base[1]} once {blocker}, {kind}, is moved "
            "out of the way)") in one_line(err), err[-2000:]
    rc, _, err = _train(run, capfd, "--force")
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: {blocker} is {kind}, not the folder where --force sets the old run aside: move it, "
        "or choose another --out")), err[-2000:]
    assert json.loads((run / "run.json").read_text())["run_id"] == base[1]       # the run where it was
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["step_00000001.pt", "step_00000002.pt"]


def test_a_file_named_superseded_is_refused_before_the_resume(base, tmp_path, capfd, quiet_globals):
    "Was: the resume from step 1 trained, then failed 'Not a directory' as it set the branch after step 1 aside."
    run = _copy(base, tmp_path, "q")
    blocker = run / "checkpoints" / "superseded"
    blocker.touch()
    metrics = (run / "metrics.jsonl").read_text()
    rc, _, err = inproc_main(["train", "--steps", 2, "--resume", run / "checkpoints" / "step_00000001.pt"], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: {blocker} is a file, not the folder where a resume from an older checkpoint sets "
        "the newer ones aside: move it, or continue the older checkpoint in a new folder (--out NEW --resume "
        f"{run / 'checkpoints' / 'step_00000001.pt'})")), err[-2000:]
    assert (run / "metrics.jsonl").read_text() == metrics
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [
        "step_00000001.pt", "step_00000002.pt", "superseded"]


# ---- 10. an earlier run's files with no checkpoint: no step to name
def test_files_of_an_earlier_run_with_no_checkpoint_name_no_step(tmp_path, capfd, quiet_globals):
    "Was: 'e1 holds another run (no run id, step 0) with no checkpoint to resume': nothing there records a step."
    for name, text in [("config.json", "{}"), ("metrics.jsonl", "")]:
        folder = tmp_path / name
        folder.mkdir()
        (folder / name).write_text(text)
        rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", folder], capfd)
        assert (rc, one_line(err)) == (2, (
            f"scae-nb train: error: {folder} holds an earlier run's files (no run id, no checkpoint): use --force to "
            f"start over (the earlier files are moved to {folder / 'replaced' / 'legacy'}), or another --out")), err


# ---- 11. a Ctrl-C just as --force has moved the old run: rolled back whole
def _as_it_was(run, run_id):
    "`run` holds its run `run_id` again, all of it, and nothing of a new run: no replaced/, no stub run.json."
    assert json.loads((run / "run.json").read_text())["run_id"] == run_id
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["step_00000001.pt", "step_00000002.pt"]
    assert not (run / "replaced").exists(), sorted(p.name for p in (run / "replaced").rglob("*"))


def test_a_ctrl_c_as_the_claim_hands_over_rolls_the_move_back(base, tmp_path, capfd, quiet_globals, monkeypatch):
    "Was: a Ctrl-C after the claim, before train's try (here: as it kept the caller's RNG), left replaced/ID + a stub."
    import scae_nb.training as training

    run, real = _copy(base, tmp_path), training.rng_state
    def rng_state():                                       # a Ctrl-C as soon as the old run has moved
        if (run / "replaced").exists(): raise KeyboardInterrupt
        return real()
    monkeypatch.setattr(training, "rng_state", rng_state)
    rc, _, err = _train(run, capfd, "--force")
    assert (rc, one_line(err)) == (130, f"scae-nb train: interrupted by SIGINT before training began: {run} unchanged "
                                        f"(run {base[1]} still there)"), err[-2000:]     # said: 58a
    _as_it_was(run, base[1])


def test_a_ctrl_c_as_the_old_run_moves_waits_till_it_has_moved(base, tmp_path, capfd, quiet_globals, monkeypatch):
    "Was: a SIGINT as the move returned escaped before the claim knew where the run went: left in replaced/ID."
    import signal
    import scae_nb.checkpoints as checkpoints

    run, real = _copy(base, tmp_path), checkpoints._move_run_aside
    def move_run_aside(out, run_id):
        moved = real(out, run_id)
        signal.raise_signal(signal.SIGINT)                 # a Ctrl-C as the last file lands
        return moved
    monkeypatch.setattr(checkpoints, "_move_run_aside", move_run_aside)
    rc, _, err = _train(run, capfd, "--force")
    assert (rc, one_line(err)) == (130, f"scae-nb train: interrupted by SIGINT before training began: {run} unchanged "
                                        f"(run {base[1]} still there)"), err[-2000:]     # said: 58a
    _as_it_was(run, base[1])


def test_a_ctrl_c_before_a_new_runs_first_step_leaves_no_stub(tmp_path, capfd, quiet_globals, monkeypatch):
    "Was: a Ctrl-C between the claim and train's try left OUT/.lock and a stub run.json, 'another run' thereafter."
    import scae_nb.training as training

    run, real = tmp_path / "new", training.rng_state
    def rng_state():                                       # a Ctrl-C as soon as run.json is written
        if (run / "run.json").exists(): raise KeyboardInterrupt
        return real()
    monkeypatch.setattr(training, "rng_state", rng_state)
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", run], capfd)
    assert (rc, one_line(err)) == (130, f"scae-nb train: interrupted by SIGINT before training began: nothing written "
                                        f"({run} not created)"), err[-2000:]              # said: 58a
    assert not run.exists(), sorted(p.name for p in run.iterdir())
