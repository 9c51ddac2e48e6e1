"""Run folders after a refused or failed start, and the resume options (follow-up to issue 10).

A start that fails before its first checkpoint leaves nothing in `--out`, so the same command runs
there once the cause is fixed; a resume cannot mix two runs in one folder; the resume options refuse
what they cannot do; bad model values are refused when the configuration is built. Each test fails
on the code before these fixes. Runs are the tiny ones of test_reliability.py, in this process
(`scae_nb.cli.main`) like its table of bad values.
"""

import json, os, re, time
from pathlib import Path

import pytest
import torch

from test_reliability import (  # noqa: F401 (quiet_globals is a fixture)
    ROOT,
    TINY,
    _tiny_without,
    checkpoints,
    copy_run,
    inproc_main,
    one_line,
    quiet_globals,
)

RUN_FILES = ("run.json", ".lock", "config.json", "metrics.jsonl", "checkpoints")


def tiny_train(out, steps, *extra) -> list:
    return ["train", *TINY, "--steps", steps, "--out", out, *extra]


def mnist_train(out, steps, *extra) -> list:
    "A tiny run on MNIST (its own 40x40 canvas)."
    tiny = _tiny_without("--dataset", "--canvas-size")
    return ["train", *tiny, "--dataset", "mnist", "--steps", steps, "--out", out, *extra]


def left_behind(out: Path) -> list[str]:
    return [name for name in RUN_FILES if (out / name).exists()]


def snapshot(folder: Path) -> dict:
    "Every file under `folder` with its size and modification time."
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def run_id(out: Path) -> str:
    return json.loads((out / "run.json").read_text())["run_id"]


# ---- 1. a refused start leaves nothing behind, and the fixed command runs
BAD_THEN_GOOD = [
    (["--decay", "1.5"], ["--decay", "0.9"], "decay"),
    (["--momentum", "-0.1"], ["--momentum", "0.9"], "momentum"),
    (["--eps", "-1"], ["--eps", "1e-4"], "eps"),
    (["--num-workers", "-1"], ["--num-workers", "0"], "num_workers"),
    (["--prior-within-weight", "nan"], ["--prior-within-weight", "2"], "prior_within_weight"),
]


@pytest.mark.parametrize("bad,good,name", BAD_THEN_GOOD, ids=[b[0] for b, _, _ in BAD_THEN_GOOD])
def test_bad_value_leaves_nothing_and_the_fixed_command_runs(
    bad, good, name, tmp_path, capfd, quiet_globals
):
    out = tmp_path / "run"
    rc, _, err = inproc_main(tiny_train(out, 2, *bad), capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    line = one_line(err)
    assert name in line or name.replace("_", "-") in line, line
    assert not out.exists(), f"left behind: {left_behind(out)}"
    rc, _, err = inproc_main(tiny_train(out, 2, *good), capfd)
    assert rc == 0, err[-2000:]


def test_bad_value_in_an_existing_folder_leaves_its_files_alone(tmp_path, capfd, quiet_globals):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    rc, _, err = inproc_main(tiny_train(out, 2, "--decay", "1.5"), capfd)
    assert rc == 2 and "decay" in one_line(err), err[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    rc, _, err = inproc_main(tiny_train(out, 2), capfd)
    assert rc == 0, err[-2000:]


@pytest.mark.parametrize("where", ["new", "existing"])
def test_failure_after_the_claim_leaves_nothing_and_the_command_runs_again(
    where, tmp_path, capfd, monkeypatch, quiet_globals
):
    """A dataset that is not there only shows once the run folder is claimed (simulated: the loaders
    fail); the run had no checkpoint, so the claim is undone."""
    import scae_nb.training

    out = tmp_path / "run"
    if where == "existing":
        out.mkdir()
        (out / "notes.txt").write_text("mine")

    def missing(*args, **kwargs):
        raise FileNotFoundError("MNIST not found at /nonexistent/MNIST/raw (download=False)")

    real = scae_nb.training.make_loaders
    monkeypatch.setattr(scae_nb.training, "make_loaders", missing)
    rc, _, err = inproc_main(tiny_train(out, 2), capfd)
    if where == "existing":  # a folder of other things: first one warning line that names one (05aa)
        warning, err = err.split("\n", 1)
        assert "warning:" in warning and "notes.txt" in warning, warning
    assert rc == 2 and "MNIST not found" in one_line(err), err[-2000:]
    if where == "new":
        assert not out.exists(), f"left behind: {left_behind(out)}"
    else:
        assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    monkeypatch.setattr(scae_nb.training, "make_loaders", real)
    rc, _, err = inproc_main(tiny_train(out, 2), capfd)
    assert rc == 0, err[-2000:]


def test_missing_dataset_leaves_nothing(tmp_path, capfd, monkeypatch, quiet_globals):
    "The reported case: $SCAE_DATA names a folder without MNIST (no download here: the fetch is told it failed)."
    import scae_nb.data

    def offline(what, expected, make, download, missing=()):
        raise FileNotFoundError(f"{what} not found at {expected} (download failed: URLError)")

    monkeypatch.setattr(scae_nb.data, "_fetch", offline)
    (tmp_path / "empty").mkdir()                  # one that is not there is refused up front (data_root)
    monkeypatch.setenv("SCAE_DATA", str(tmp_path / "empty"))
    out = tmp_path / "run"
    rc, _, err = inproc_main(mnist_train(out, 2), capfd)
    assert rc == 2 and "MNIST not found" in one_line(err), err[-2000:]
    assert not out.exists(), f"left behind: {left_behind(out)}"


def test_failed_force_puts_the_old_run_back(two_runs, tmp_path, capfd, monkeypatch, quiet_globals):
    "--force over a run, then a failure before the first checkpoint: the old run is where it was."
    import scae_nb.training

    out = copy_run(two_runs / "a", tmp_path / "a")
    before = snapshot(out)

    def missing(*args, **kwargs):
        raise FileNotFoundError("MNIST not found at /nonexistent/MNIST/raw (download=False)")

    monkeypatch.setattr(scae_nb.training, "make_loaders", missing)
    rc, _, err = inproc_main(tiny_train(out, 2, "--force"), capfd)
    assert rc == 2 and "MNIST not found" in one_line(err), err[-2000:]
    after = snapshot(out)
    assert {p: v for p, v in after.items() if p.name != ".lock"} == {
        p: v for p, v in before.items() if p.name != ".lock"}, set(after) ^ set(before)
    assert not (out / "replaced").exists()


# ---- 5. model values that cannot work are refused when the configuration is built
BAD_MODEL = [
    (["--prior-within-weight", "nan"], ["--prior-within-weight", "finite"]),   # the option, as typed
    (["--caps-ll-weight", "-1"], ["--caps-ll-weight", ">= 0"]),
    (["--noise-scale", "nan"], ["--noise-scale", "finite", ">= 0"]),
    (["--dataset", "mnist", "--n-classes", "1"], ["--n-classes", "mnist", "10"]),
    (["--dataset", "mnist", "--n-channels", "3"], ["--n-channels", "mnist"]),
]


@pytest.mark.parametrize("options,says", BAD_MODEL, ids=[" ".join(o) for o, _ in BAD_MODEL])
def test_bad_model_value_is_one_line_up_front(options, says, tmp_path, capfd, quiet_globals):
    out = tmp_path / "run"
    names = {o for o in options if o.startswith("--")}
    argv = ["train", *_tiny_without(*names), "--steps", "2", "--out", out, *options]
    rc, _, err = inproc_main(argv, capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    line = one_line(err)
    assert all(s in line for s in says), line
    assert not out.exists()


def test_n_classes_below_the_datasets_then_fixed_runs(tmp_path, capfd, quiet_globals, monkeypatch, mnist_root):
    monkeypatch.setenv("SCAE_DATA", str(mnist_root))
    out = tmp_path / "run"
    rc, _, err = inproc_main(mnist_train(out, 2, "--n-classes", "1"), capfd)
    assert rc == 2 and "--n-classes" in one_line(err), err[-2000:]
    assert not out.exists()
    rc, _, err = inproc_main(mnist_train(out, 2, "--n-classes", "10"), capfd)
    assert rc == 0, err[-2000:]


# ---- 2. a resume cannot mix two runs
@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> Path:
    "Two finished tiny runs, a/ and b/ (2 steps each, other seeds). Do not modify: copy them."
    from scae_nb.cli import main

    root = tmp_path_factory.mktemp("two_runs")
    for name, seed in (("a", 0), ("b", 1)):
        assert main([str(a) for a in tiny_train(root / name, 2, "--seed", seed)]) == 0
    return root


def test_resume_checkpoint_of_another_run_is_refused(two_runs, tmp_path, capfd, quiet_globals):
    out = copy_run(two_runs / "a", tmp_path / "a")
    theirs = checkpoints(two_runs / "b")[-1]
    before = snapshot(out)
    rc, _, err = inproc_main(tiny_train(out, 4, "--resume", theirs), capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    line = one_line(err)
    assert f"holds run {run_id(out)}" in line and f"from run {run_id(two_runs / 'b')}" in line, line
    assert snapshot(out) == before, "the refused resume changed the run folder"


def test_resume_checkpoint_of_the_same_run_or_into_an_empty_folder(
    two_runs, tmp_path, capfd, quiet_globals
):
    "A copy of run a resumes a's own checkpoint; b's checkpoint continues run b in an empty folder."
    copy = copy_run(two_runs / "a", tmp_path / "a")
    own = checkpoints(two_runs / "a")[-1]
    rc, _, err = inproc_main(tiny_train(copy, 3, "--resume", own), capfd)
    assert rc == 0, err[-2000:]
    fork = tmp_path / "fork"
    theirs = checkpoints(two_runs / "b")[-1]
    time.sleep(1.1)  # run.json's times are to the second: the fork's start is its own
    rc, _, err = inproc_main(tiny_train(fork, 3, "--resume", theirs), capfd)
    assert rc == 0, err[-2000:]
    info, parent = (json.loads((out / "run.json").read_text()) for out in (fork, two_runs / "b"))
    assert info["run_id"] not in (parent["run_id"], "legacy"), info  # a new folder, a new run (was: b's id)
    assert info["created"] > parent["created"], (info, parent)  # (was: b's start)
    step = torch.load(theirs, weights_only=True)["step"]
    assert info["resumed_from"] == dict(checkpoint=str(theirs.resolve()), step=step, run_id=parent["run_id"])
    assert torch.load(checkpoints(fork)[-1], weights_only=True)["run_id"] == info["run_id"]


# ---- 3. --allow-change names a field
def test_allow_change_of_no_field_is_refused(two_runs, tmp_path, capfd, quiet_globals):
    out = copy_run(two_runs / "a", tmp_path / "a")
    before = snapshot(out)
    rc, _, err = inproc_main(tiny_train(out, 4, "--resume", "--allow-change", "bogus"), capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    line = one_line(err)
    assert "bogus" in line and "--help" in line, line
    assert snapshot(out) == before


# ---- 4. contradictory or empty resumes
def test_resume_with_force_is_refused(two_runs, tmp_path, capfd, quiet_globals):
    out = copy_run(two_runs / "a", tmp_path / "a")
    before = snapshot(out)
    rc, _, err = inproc_main(tiny_train(out, 4, "--resume", "--force"), capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    line = one_line(err)
    assert "--resume" in line and "--force" in line, line
    assert snapshot(out) == before


def test_resume_with_steps_below_the_runs_step_says_so(two_runs, tmp_path, capfd, quiet_globals):
    out = copy_run(two_runs / "a", tmp_path / "a")
    config = (out / "config.json").read_text()
    rc, printed, err = inproc_main(tiny_train(out, 1, "--resume"), capfd)
    assert rc == 0, err[-2000:]
    assert "--steps 1 is below the run's step 2" in printed, printed
    assert "last logged: {}" not in printed, printed
    assert (out / "config.json").read_text() == config, "the run's config kept its --steps"
    rc, _, err = inproc_main(tiny_train(out, 1, "--resume", "--progress"), capfd)
    assert rc == 0 and "step [" not in err, f"an empty progress bar: {err[-500:]}"


def test_out_under_a_file_is_refused_before_anything_runs(tmp_path, capfd, quiet_globals):
    a_file = tmp_path / "a_file"
    a_file.write_text("mine")
    rc, _, err = inproc_main(tiny_train(a_file / "run", 2), capfd)
    assert rc == 2 and f"lies under {a_file}, which is a file" in one_line(err), err[-2000:]
    assert a_file.read_text() == "mine"


# ---- 7. the training chapter says what the code does
COUNTS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


def test_training_chapter_counts_the_chapters_it_lists(chapter=ROOT / "nbs" / "05b_training.ipynb"):
    """05b says 'It stands on five smaller chapters, and a sixth times it:': as many as the list below it names,
    each a notebook there."""
    cells = json.loads(chapter.read_text())["cells"]
    (intro,) = ["".join(c["source"]) for c in cells if "It stands on " in "".join(c["source"])]
    said = re.search(r"It stands on (\w+) smaller chapters, and an? (\w+) times it:", " ".join(intro.split()))
    listed = re.findall(r"^\* `(\w+)`: ", intro, flags=re.M)
    assert said and (COUNTS.index(said[1]) + 1, ORDINALS.index(said[2]) + 1) == (len(listed) - 1, len(listed)), (
        said and said[0], listed)
    assert [name for name in listed if not (chapter.parent / f"{name}.ipynb").is_file()] == [], listed


def test_empty_out_is_refused(tmp_path, capfd, monkeypatch, quiet_globals):
    "`--out ''` would train into the current folder (Path('') is '.'): refused, nothing written."
    monkeypatch.chdir(tmp_path)
    rc, _, err = inproc_main(tiny_train("", 2), capfd)
    assert rc == 2 and "--out is empty" in one_line(err), err[-2000:]
    assert list(tmp_path.iterdir()) == []


def test_resume_of_a_run_still_running_names_the_lock(tmp_path, capfd, quiet_globals):
    "A run that holds its folder and has no checkpoint yet: --resume says it is in use, not 'none'."
    from scae_nb.checkpoints import claim_run_folder

    out = tmp_path / "run"
    running = claim_run_folder(out)  # holds out/.lock, as a live `scae-nb train` does
    try:
        rc, _, err = inproc_main(tiny_train(out, 2, "--resume"), capfd)
    finally:
        running.release()
    assert rc != 0 and "is in use by another run" in one_line(err), err[-2000:]


def test_allow_change_without_resume_is_refused(tmp_path, capfd, quiet_globals):
    out = tmp_path / "run"
    rc, _, err = inproc_main(tiny_train(out, 2, "--allow-change", "lr"), capfd)
    assert rc == 2 and "use it with --resume" in one_line(err), err[-2000:]
    assert not out.exists()


# ---- 8. a damaged run.json: one line naming it, nothing rewritten; moved aside, the run goes on
DAMAGED = {  # what a full disk, a hand edit and a Latin-1 editor leave; what the refusal says
    "cut_off": (
        lambda good: good[: good.index(b'"created"') + 5],  # mid-way through its third line
        "cut off: its JSON stops, unclosed, at line 3",
    ),
    "a_list": (lambda good: b'["not", "a run"]', "a list, not a JSON object"),
    "not_utf8": (
        lambda good: good.replace(b"{", b'{"note": "caf\xe9", ', 1),
        "not UTF-8 text (byte 0xe9 at offset 13)",
    ),
}
HOW_TO_GO_ON = (
    "; fix it, or move it aside: --resume goes on without it (the run's id, start, config and wandb "
    "run are in its checkpoints)"
)
EVAL = ["--device", "cpu", "--max-batches", "3", "--no-figures", "--no-progress"]


@pytest.mark.parametrize("kind", DAMAGED)
def test_damaged_run_json_is_one_line_and_the_run_goes_on_without_it(
    kind, two_runs, tmp_path, capfd, quiet_globals
):
    """train --resume and a fresh train in the folder are refused in one line (exit 1) that names
    the file, what is wrong and how to go on, the folder unchanged; eval of the run's checkpoints
    reads no run.json (it passed before too); moved aside, --resume continues the same run."""
    out = copy_run(two_runs / "a", tmp_path / "a")
    path = out / "run.json"
    damage, why = DAMAGED[kind]
    path.write_bytes(damage(path.read_bytes()))
    before = snapshot(out)
    for extra in (["--resume"], []):
        rc, _, err = inproc_main(tiny_train(out, 3, *extra), capfd)
        assert rc == 1, f"exit {rc}: {err[-2000:]}"
        force = (f"; or start over: use --force (the old run is moved to {out / 'replaced' / run_id(two_runs / 'a')}), "
                 "or another --out") if not extra else ""        # a fresh run: --force too (rv56f #5)
        said = f"scae-nb train: error: {path} is damaged: {why}{HOW_TO_GO_ON}{force}"
        assert one_line(err) == said, err
        assert snapshot(out) == before, "the refusal changed the run folder"
    evaluate = ["eval", "--checkpoint", out, "--out", tmp_path / "eval", *EVAL]
    rc, _, err = inproc_main(evaluate, capfd)
    assert rc == 0, err[-2000:]
    path.rename(tmp_path / "run.json.damaged")  # as the refusal says
    rc, _, err = inproc_main(tiny_train(out, 3, "--resume"), capfd)
    assert rc == 0, err[-2000:]
    assert run_id(out) == run_id(two_runs / "a"), "the resumed run lost its id"


def test_force_sets_a_damaged_run_json_aside_unchanged(two_runs, tmp_path, capfd, quiet_globals):
    "train --force starts over as asked: the old run, its damaged run.json too, moves to replaced/."
    out = copy_run(two_runs / "a", tmp_path / "a")
    (out / "run.json").write_bytes(b'["not", "a run"]')
    rc, _, err = inproc_main(tiny_train(out, 2, "--force"), capfd)
    assert rc == 0, err[-2000:]
    old = run_id(two_runs / "a")  # the id its checkpoints store
    assert (out / "replaced" / old / "run.json").read_bytes() == b'["not", "a run"]'
    assert f"the run {old} in {out} was moved to {out / 'replaced' / old}" in err, err[-2000:]
    assert run_id(out) not in ("legacy", run_id(two_runs / "a"))


# ---- run.json's sessions say how each ended (was: only where each started)
def test_sessions_say_how_each_ended(tmp_path):
    "A session stopped by SIGTERM, then its resume that finishes: each entry has its end step and why."
    from test_reliability import start, train_args, wait_for_steps, scae
    import signal

    out = tmp_path / "run"
    proc = start(*train_args(out, 4000, "--ckpt-every", 10000))  # steps enough to stop mid-run
    wait_for_steps(proc, out, 2)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr[-2000:]
    [stopped] = json.loads((out / "run.json").read_text())["sessions"]
    step = stopped["end_step"]
    assert 2 <= step < 4000 and stopped["ended"] == "interrupted" and stopped["signal"] == "SIGTERM", stopped
    done = scae(*train_args(out, step + 2, "--resume"))
    assert done.returncode == 0, done.stderr[-2000:]
    first, resumed = json.loads((out / "run.json").read_text())["sessions"]
    assert first == stopped, first
    assert (resumed["step"], resumed["end_step"], resumed["ended"]) == (step, step + 2, "finished"), resumed
    assert "signal" not in resumed and "error" not in resumed, resumed


# ---- SIGTERM to the whole process group with loader workers (scancel, timeout, kill -- -PGID)
def group_members(pgid: int) -> list[int]:
    "The pids of the live processes of process group `pgid` (from /proc; zombies left out)."
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try: fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError: continue                               # ended while read
        if int(fields[2]) == pgid and fields[0] != "Z": found.append(int(stat.parent.name))
    return found


def test_sigterm_to_the_group_with_workers_saves(tmp_path, monkeypatch, mnist_root):
    """SIGTERM to every process of a run with 2 loader workers: the workers ignore it, the run saves
    its step and exits 143, and no worker is left (was: a worker died of it, rc 1, no checkpoint)."""
    from test_reliability import _as_from_a_terminal, _cmd, _env, wait_for_steps
    import signal, subprocess, time

    monkeypatch.setenv("SCAE_DATA", str(mnist_root))                      # `_env()`: the child's
    out = tmp_path / "run"
    args = mnist_train(out, 4000, "--num-workers", 2, "--ckpt-every", 10000)
    proc = subprocess.Popen(_cmd(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(), start_new_session=True, preexec_fn=_as_from_a_terminal)
    try:
        wait_for_steps(proc, out, 2, timeout=40)
        assert len(group_members(proc.pid)) >= 3, group_members(proc.pid)   # the run + 2 workers
        os.killpg(proc.pid, signal.SIGTERM)
        _, stderr = proc.communicate(timeout=40)
        assert proc.returncode == 143, f"exit {proc.returncode}: {stderr[-2000:]}"
        assert checkpoints(out), "no checkpoint"
        t0 = time.time()
        while group_members(proc.pid) and time.time() - t0 < 10: time.sleep(0.1)
        assert not group_members(proc.pid), f"left: {group_members(proc.pid)}"
    finally:
        if group_members(proc.pid): os.killpg(proc.pid, signal.SIGKILL)


def test_worker_count_change_on_synthetic_says_no_other_shifts(tmp_path):
    """Synthetic data has no loader workers: a resume with another --num-workers says so, not that
    the shifts differ from there (they do not)."""
    from test_reliability import scae

    out = tmp_path / "run"
    first = scae(*tiny_train(out, 2))
    assert first.returncode == 0, first.stderr[-2000:]
    resumed = scae(*tiny_train(out, 3, "--resume", "--num-workers", 2))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    said = resumed.stdout + resumed.stderr
    assert "--num-workers 0 -> 2 (unused: synthetic data has no worker processes)" in said, said[-2000:]
    assert "other random shifts" not in said, said[-2000:]
