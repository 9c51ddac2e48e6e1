"""rv53c findings 1-5: `scae-nb train`'s --out beside the data, --resume's hints, the resumed data folder, --help.

An `--out` inside the data folder, or one that holds it, is refused as the data folder itself is, before anything
is made; `--resume --out` of a typo names a finished run too where `--steps` goes past its last step; `--resume --out`
of a folder of runs names the runs in it; a resume in a shell whose `$SCAE_DATA` names another folder says it keeps
the run's; `--help`'s '(default: ...)' names every preset's own value. Each test (but the last, whose text was already
generated from `PRESETS`: it checks that it stays so) failed on the code before these fixes (main 77b77a5).
"""

import json, os
from pathlib import Path

import pytest

from cli_run import MNIST_TINY
from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review53c import torch_threads_here

MIX = "a run's files would mix with the data; choose another --out"


def tiny_train(out, steps, *extra) -> list:
    return ["train", *TINY, "--steps", steps, "--out", out, *extra]


def reading_train(out, steps, *extra) -> list:
    "`tiny_train` of a run that reads the data folder (a synthetic one reads none: not refused, fx54d)."
    return tiny_train(out, steps, "--dataset", "mnist", *extra)


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    "A data folder with MNIST/raw in it, that `$SCAE_DATA` names."
    (tmp_path / "data" / "MNIST" / "raw").mkdir(parents=True)
    monkeypatch.setenv("SCAE_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


def listing(folder: Path) -> list:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ---- 1. an --out inside the data folder, or holding it
def test_out_inside_the_data_folder_is_refused_and_nothing_made(data, capfd, quiet_globals):
    "Was: the run trained in $SCAE_DATA/MNIST, its config.json, checkpoints/, ... beside MNIST/raw/."
    before = listing(data)
    for out in (data / "MNIST", data / "MNIST" / "new"):
        rc, _, err = inproc_main(reading_train(out, 2), capfd)
        assert (rc, one_line(err)) == (2, (
            f"scae-nb train: error: --out {out} is inside the data folder {data.resolve()} ($SCAE_DATA): {MIX}")), err[-2000:]
        assert listing(data) == before              # not even the new folder
    rc, _, err = inproc_main(reading_train(data, 2), capfd)  # the data folder itself: as before
    assert (rc, one_line(err)) == (2, f"scae-nb train: error: --out {data} is the data folder {data.resolve()} ($SCAE_DATA): {MIX}")


def test_out_that_holds_the_data_folder_is_refused(data, capfd, monkeypatch, quiet_globals):
    "Was: `--out .` from the folder that holds the data made the run there, beside data/."
    monkeypatch.chdir(data.parent)
    rc, _, err = inproc_main(reading_train(".", 2), capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --out . holds the data folder {data.resolve()} ($SCAE_DATA): {MIX}")), err[-2000:]
    assert sorted(p.name for p in data.parent.iterdir()) == ["data"]


def test_out_in_another_folder_still_trains(data, tmp_path, capfd, quiet_globals):
    "A run beside the data folder (not in it, not holding it) is not refused."
    rc, _, err = inproc_main(tiny_train(tmp_path / "runs" / "t1", 1), capfd)
    assert rc == 0, err[-2000:]


# ---- 2. a typo of a finished run's folder
def fake_run(folder: Path, steps: int, step: int, mtime: float | None = None) -> None:
    "A run folder whose config.json asks for `steps` and whose newest checkpoint is at `step`."
    (folder / "checkpoints").mkdir(parents=True)
    checkpoint = folder / "checkpoints" / f"step_{step:08d}.pt"
    checkpoint.touch()
    (folder / "config.json").write_text(json.dumps(dict(steps=steps)))
    if mtime is not None:
        os.utime(checkpoint, (mtime, mtime))


def test_typo_of_a_finished_run_names_it_where_steps_go_on(tmp_path, capfd, quiet_globals):
    "Was: 'no such folder (start without --resume)', runs/t1 unnamed, though --steps 20 would go on from its 10."
    fake_run(tmp_path / "t1", 10, 10)
    rc, _, err = inproc_main(tiny_train(tmp_path / "T1", 20, "--resume"), capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --resume: --out {tmp_path / 'T1'}: no such folder (start without --resume; "
        f"{tmp_path / 't1'} holds a run: resume it with --out {tmp_path / 't1'})")), err[-2000:]
    rc, _, err = inproc_main(tiny_train(tmp_path / "T1", 10, "--resume"), capfd)  # --steps 10: it would not go on
    assert one_line(err).endswith("no such folder (start without --resume)"), err[-2000:]


# ---- 3. --resume --out of a folder of runs
def test_resume_of_a_folder_of_runs_names_the_newest_run_in_it(tmp_path, capfd, quiet_globals):
    "Was: 'no checkpoint in runs/checkpoints to resume (start without --resume)', the runs in it unnamed."
    runs = tmp_path / "runs"
    fake_run(runs / "try", 30, 12, mtime=2_000_000_000)
    rc, _, err = inproc_main(tiny_train(runs, 30, "--resume"), capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --resume: no checkpoint in {runs / 'checkpoints'} to resume (a run folder in "
        f"it: resume it with --out {runs / 'try'})")), err[-2000:]
    fake_run(runs / "t1", 30, 12, mtime=1_000_000_000)  # older
    rc, _, err = inproc_main(tiny_train(runs, 30, "--resume"), capfd)
    assert one_line(err).endswith(
        f"(2 run folders in it: resume one, such as the newest, with --out {runs / 'try'})"), err[-2000:]


# ---- 4. a resume in a shell whose $SCAE_DATA names another folder


def test_resume_says_it_keeps_the_runs_data_folder_over_this_shells(tmp_path, capfd, monkeypatch, quiet_globals,
                                                                     mnist_root):
    """Was: the resume read the run's folder and said nothing of the shell's $SCAE_DATA, which named another.
    This process's thread count is pinned to the run's `--threads 1`: a shell of another count (OMP_NUM_THREADS unset
    on 2 cores) adds "the run's --threads 1, kept ..." to the line (test_review53c checks that clause)."""
    shared = mnist_root / "MNIST"
    data, other, out = tmp_path / "data", tmp_path / "other", tmp_path / "run"
    data.mkdir(), other.mkdir()
    (data / "MNIST").symlink_to(shared.resolve())
    monkeypatch.setenv("SCAE_DATA", str(data))
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 1, "--out", out], capfd)
    assert rc == 0, err[-3000:]
    resuming = lambda err: [line for line in err.splitlines() if line.startswith("scae-nb train: resuming with")]
    monkeypatch.setenv("SCAE_DATA", str(other))
    with torch_threads_here(1):
        rc, _, err = inproc_main(["train", "--resume", "--out", out, "--steps", 2, "--no-progress"], capfd)
    assert rc == 0, err[-3000:]
    assert resuming(err) == [f"scae-nb train: resuming with --steps 1 -> 2, the run's data folder "
                             f"{data.resolve()}, kept (this shell's $SCAE_DATA: {other})"], err[-3000:]
    monkeypatch.setenv("SCAE_DATA", str(data))  # the same folder: nothing said of it
    with torch_threads_here(1):
        rc, _, err = inproc_main(["train", "--resume", "--out", out, "--steps", 3, "--no-progress"], capfd)
    assert resuming(err) == ["scae-nb train: resuming with --steps 2 -> 3"], err[-3000:]


# ---- 5. --help's defaults: every preset's own value
def help_of(dest: str) -> str:
    import argparse

    from scae_nb.training import add_train_args

    helps = {a.dest: " ".join(a.help.split()) for a in add_train_args(argparse.ArgumentParser())._actions}
    return helps[dest]


def test_help_names_each_presets_own_default(monkeypatch):
    "'(default: the preset's: 300000; cpu 12000)': every preset whose value differs, as PRESETS has it."
    from scae_nb.model import PRESETS
    from scae_nb.config import TrainConfig

    for dest in ("steps", "eval_every", "fig_every", "ckpt_every", "batch_size", "lr"):
        official = getattr(TrainConfig.preset("official"), dest)
        own = {name: getattr(TrainConfig.preset(name), dest) for name in PRESETS}
        differ = ", ".join(f"{name} {value}" for name, value in own.items() if value != official)
        assert help_of(dest).endswith(f"(default: the preset's: {official}; {differ})"), (dest, help_of(dest))
    monkeypatch.setitem(PRESETS, "tiny", dict(model={}, run=dict(steps=7)))  # a new row: in the text
    assert help_of("steps").endswith("(default: the preset's: 300000; cpu 12000, tiny 7)"), help_of("steps")
