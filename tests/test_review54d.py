"""rv54c findings 1-11: the data-folder rule for `--out` on branches, data-less runs, eval; resume and eval hints.

A branch into a new folder (`--resume CHECKPOINT --out NEW`) obeys the data-folder rule of a new run; a run that reads no
data folder (synthetic, constellation) is exempt; the data folder is named resolved in every form; `eval --out` is
refused there too; `--resume --out DATA` says the data-folder line; a typo of a finished run names it; a resume of a run
inside its data folder warns; eval names the run's data folder and close runs; the unset shell's "kept" clause;
"./checkpoints". Each test failed on the code before these fixes (fx54d's base, 0c3bece).
"""

import json
from pathlib import Path

import pytest

from cli_run import MNIST_TINY
from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review53c import linked_mnist_data, torch_threads_here

MIX = "a run's files would mix with the data; choose another --out"


def tiny_train(out, steps, *extra) -> list:
    return ["train", *TINY, "--steps", steps, "--out", out, *extra]


@pytest.fixture
def mnist_data(tmp_path, monkeypatch, mnist_root) -> Path:
    "A data folder whose MNIST is `mnist_root`'s (a link), that `$SCAE_DATA` names."
    return linked_mnist_data(tmp_path, monkeypatch, mnist_root)


@pytest.fixture
def mnist_run(mnist_data, tmp_path, capfd) -> Path:
    "A finished 1-step MNIST run in tmp/runs/a that read `mnist_data`."
    out = tmp_path / "runs" / "a"
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 1, "--out", out], capfd)
    assert rc == 0, err[-3000:]
    return out


# ---- 1. a branch into a new folder: the rule of a new run
def test_branch_into_the_data_folder_is_refused(mnist_run, mnist_data, tmp_path, capfd, quiet_globals):
    "Was: `--resume CKPT --out data/branch` (and `--out data`, one holding it) trained there, rc=0."
    checkpoint = mnist_run / "checkpoints" / "step_00000001.pt"
    real = mnist_data.resolve()
    for out, where in ((mnist_data / "branch", "is inside the data folder"), (mnist_data, "is the data folder"),
                       (tmp_path, "holds the data folder")):
        rc, _, err = inproc_main(["train", "--resume", checkpoint, "--out", out, "--steps", 2, "--no-progress"], capfd)
        assert (rc, one_line(err)) == (2, (
            f"scae-nb train: error: --out {out} {where} {real} (the resumed run's): {MIX}")), err[-2000:]
    assert sorted(p.name for p in mnist_data.iterdir()) == ["MNIST"]


# ---- 2. runs that read no data folder are exempt; a cache not made yet is held by nothing
def test_synthetic_run_in_the_data_folder_trains(tmp_path, capfd, monkeypatch, quiet_globals):
    "Was: refused ('is inside the data folder'), though a synthetic run reads nothing there (constellation: exempt)."
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("SCAE_DATA", str(tmp_path / "data"))
    rc, _, err = inproc_main(tiny_train(tmp_path / "data" / "syn", 1), capfd)
    assert rc == 0, err[-2000:]


def test_out_holding_a_cache_not_made_yet_is_not_refused(tmp_path, monkeypatch):
    "Was: 'holds the data folder .../.cache/scae-nb (the per-user cache)', a folder that did not exist."
    from scae_nb.config import TrainConfig
    from scae_nb.training import _refuse_data_folder_out

    monkeypatch.delenv("SCAE_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    _refuse_data_folder_out(TrainConfig(out=str(tmp_path / "home")))      # nothing to mix with yet


def test_out_help_says_the_data_folder_is_refused():
    "Was: '--out' help named the run folder's files only."
    import argparse

    from scae_nb.training import add_train_args

    helps = {a.dest: " ".join(a.help.split()) for a in add_train_args(argparse.ArgumentParser())._actions}
    assert "may not be, be inside or hold the data folder it reads (refused" in helps["out"], helps["out"]


# ---- 3. the data folder named resolved in every form
def test_is_the_data_folder_names_it_resolved(tmp_path, capfd, monkeypatch, quiet_globals):
    "Was: '--out dlink is the data folder ($SCAE_DATA)', which folder unsaid."
    (tmp_path / "data" / "MNIST").mkdir(parents=True)
    (tmp_path / "dlink").symlink_to(tmp_path / "data")
    monkeypatch.setenv("SCAE_DATA", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    rc, _, err = inproc_main(tiny_train("dlink", 1, "--dataset", "mnist"), capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --out dlink is the data folder {(tmp_path / 'data').resolve()} ($SCAE_DATA): {MIX}"))


# ---- 4. eval --out in the data folder
def test_eval_out_inside_the_data_folder_is_refused(mnist_run, mnist_data, capfd, quiet_globals):
    "Was: eval wrote report.json into $SCAE_DATA/ev, rc=0."
    out = mnist_data / "ev"
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, "--max-batches", 2, "--no-figures", "--no-progress",
                              "--out", out], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out} is inside the data folder {mnist_data.resolve()} ($SCAE_DATA): the "
        "evaluation's files would mix with the data; choose another --out")), err[-2000:]
    assert sorted(p.name for p in mnist_data.iterdir()) == ["MNIST"]


# ---- 5. --resume --out of the data folder: the data-folder line, not 'start without --resume'
def test_resume_out_of_the_data_folder_says_the_data_folder_line(tmp_path, capfd, monkeypatch, quiet_globals):
    "Was: 'no checkpoint in data/checkpoints to resume (start without --resume)', which was then refused."
    data = tmp_path / "data"
    (data / "MNIST").mkdir(parents=True)
    monkeypatch.setenv("SCAE_DATA", str(data))
    rc, _, err = inproc_main(["train", "--resume", "--out", data, "--steps", 2], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --out {data} is the data folder {data.resolve()} ($SCAE_DATA): {MIX}")), err[-2000:]


# ---- 6. a typo of a finished run, no --steps typed
def test_typo_of_a_finished_run_names_it_with_what_it_takes(tmp_path, capfd, quiet_globals):
    "Was: '--resume: --out runs/A: no such folder (start without --resume)', runs/a unnamed."
    (tmp_path / "a" / "checkpoints").mkdir(parents=True)
    (tmp_path / "a" / "checkpoints" / "step_00000002.pt").touch()
    (tmp_path / "a" / "config.json").write_text(json.dumps(dict(steps=2)))
    rc, _, err = inproc_main(["train", "--resume", "--out", tmp_path / "A"], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --resume: --out {tmp_path / 'A'}: no such folder (start without --resume; "
        f"{tmp_path / 'a'} holds a finished run (2 of 2 steps): resume it with --out {tmp_path / 'a'} and a "
        "larger --steps)")), err[-2000:]


# ---- 7. a resume of a run inside its data folder: a warning, and on
def test_resume_of_a_run_inside_its_data_folder_warns_and_goes_on(mnist_run, mnist_data, capfd, quiet_globals):
    "Was: it trained on inside the data folder without a word."
    moved = mnist_data / "a"
    mnist_run.rename(moved)
    rc, _, err = inproc_main(["train", "--resume", "--out", moved, "--steps", 2, "--no-progress"], capfd)
    assert rc == 0, err[-3000:]
    assert (f"scae-nb train: warning: --out {moved} is inside the data folder {mnist_data.resolve()} (the run's): its "
            f"files mix with the data; it goes on there, but to move it out: mv {moved} NEW, then --resume --out NEW"
            ) in err.splitlines(), err[-3000:]


# ---- 8. eval in a shell whose $SCAE_DATA has no data: the run's folder named
def test_eval_not_found_names_the_runs_data_folder(mnist_run, mnist_data, tmp_path, capfd, monkeypatch,
                                                   quiet_globals):
    "Was: 'MNIST not found at OTHER/MNIST/raw (...); point SCAE_DATA (now OTHER) elsewhere ...', the run's unnamed."
    (tmp_path / "other").mkdir()
    monkeypatch.setenv("SCAE_DATA", str(tmp_path / "other"))
    monkeypatch.setenv("SCAE_NO_DOWNLOAD", "1")
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, "--max-batches", 2, "--no-figures", "--no-progress",
                              "--out", tmp_path / "ev"], capfd)
    assert rc != 0 and one_line(err).endswith(
        f"; the run read {mnist_data.resolve()}: --data-dir {mnist_data.resolve()}"), err[-2000:]


# ---- 9. eval --checkpoint of a typo names the run folders beside it
def test_eval_typo_names_close_runs(tmp_path, capfd, quiet_globals):
    "Was: '--checkpoint runs/A: no such file or folder', runs/a unnamed."
    (tmp_path / "a" / "checkpoints").mkdir(parents=True)
    (tmp_path / "a" / "checkpoints" / "step_00000002.pt").touch()
    rc, _, err = inproc_main(["eval", "--checkpoint", tmp_path / "A"], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --checkpoint {tmp_path / 'A'}: no such file or folder; {tmp_path / 'a'} holds a "
        f"run: evaluate it with --checkpoint {tmp_path / 'a'}")), err[-2000:]


# ---- 10. the unset shell's "kept" clause; ./checkpoints
def test_resume_in_an_unset_shell_says_it_keeps_the_runs_data_folder(mnist_run, mnist_data, tmp_path, capfd,
                                                                     monkeypatch, quiet_globals):
    """Was: 'resuming with --steps 1 -> 2' only, though this shell's default (the per-user cache) is another folder.
    This process's thread count is pinned to the run's `--threads 1`, so the line is the same in any shell."""
    monkeypatch.delenv("SCAE_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with torch_threads_here(1):
        rc, _, err = inproc_main(["train", "--resume", "--out", mnist_run, "--steps", 2, "--no-progress"], capfd)
    assert rc == 0, err[-3000:]
    assert (f"scae-nb train: resuming with --steps 1 -> 2, the run's data folder {mnist_data.resolve()}, kept "
            "(this shell's default: the per-user cache)") in err.splitlines(), err[-3000:]


def test_resume_out_dot_names_dot_checkpoints(tmp_path, capfd, monkeypatch, quiet_globals):
    "Was: 'no checkpoint in checkpoints to resume', a bare name."
    monkeypatch.chdir(tmp_path)
    rc, _, err = inproc_main(["train", "--resume", "--out", ".", "--steps", 2], capfd)
    assert (rc, one_line(err)) == (2, (
        "scae-nb train: error: --resume: no checkpoint in ./checkpoints to resume (start without --resume)")), err
