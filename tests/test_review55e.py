"""rv55c findings 1-6: a `$SCAE_DATA` that names no folder is a `FileNotFoundError` (the README's example catches it)
and eval names the run's data folder for it; `--out` quoted as typed (resolved after it) by train and eval; a run with
no checkpoint is offered `--force`, not `--resume`; a Ctrl-C while eval draws says the report was written; `eval --out
RUN/checkpoints` is inside the run (tested in test_review55f, beside the advice fx55f changed). Each test failed on
the code before these fixes (fx55e's base, 748031d).
"""

import json
import shutil
from unittest import mock

from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review54d import MNIST_TINY
from test_review54d import mnist_data, mnist_run  # noqa: F401 (fixtures: a linked MNIST folder, a 1-step run)

EVAL = ["--max-batches", 2, "--no-progress"]


# ---- 1. the README's example: `except FileNotFoundError` catches a $SCAE_DATA that names no folder
def test_readme_example_catches_a_scae_data_that_is_not_there(tmp_path, monkeypatch, capfd, quiet_globals):
    "Was: `UsageError` (a ValueError only): the README's `except FileNotFoundError` missed it, a traceback."
    from scae_nb.loaders import image_loaders
    from scae_nb.utils import UsageError

    nodata = tmp_path / "nodata"
    monkeypatch.setenv("SCAE_DATA", str(nodata))
    line = f"SCAE_DATA={nodata} (the environment variable): no such folder"
    try: image_loaders("mnist", batch_size=8)                        # the README's pattern
    except FileNotFoundError as e: caught = e
    assert (str(caught), isinstance(caught, UsageError)) == (line, True)
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 1, "--out", tmp_path / "r"], capfd)
    assert (rc, one_line(err)) == (2, f"scae-nb train: error: {line}"), err[-2000:]
    assert not (tmp_path / "r").exists() and not nodata.exists()


# ---- 2. eval in a shell whose $SCAE_DATA names no folder: the run's folder named
def test_eval_with_a_scae_data_not_there_names_the_runs_data_folder(mnist_run, mnist_data, tmp_path, capfd,
                                                                     monkeypatch, quiet_globals):
    "Was: 'SCAE_DATA=X (the environment variable): no such folder', the run's folder unnamed."
    monkeypatch.setenv("SCAE_DATA", str(tmp_path / "nodata"))
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", tmp_path / "ev"], capfd)
    real = mnist_data.resolve()
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: SCAE_DATA={tmp_path / 'nodata'} (the environment variable): no such folder; "
        f"the run read {real}: --data-dir {real}")), err[-2000:]
    assert not (tmp_path / "ev").exists()


# ---- 3. --out as typed, the resolved path after it where they differ: train and eval alike
def test_out_in_the_data_folder_is_quoted_as_typed_then_resolved(mnist_run, mnist_data, tmp_path, capfd,
                                                                  quiet_globals):
    "Was: eval quoted --out resolved (links followed), train as typed: two rules."
    (tmp_path / "dlink").symlink_to(mnist_data)
    real = mnist_data.resolve()
    for command, out in ((["eval", "--checkpoint", mnist_run, *EVAL], tmp_path / "dlink" / "ev"),
                         (["train", *MNIST_TINY, "--steps", 1], tmp_path / "dlink" / "r")):
        whose = "the evaluation's files" if command[0] == "eval" else "a run's files"
        rc, _, err = inproc_main([*command, "--out", out], capfd)
        assert (rc, one_line(err)) == (2, (
            f"scae-nb {command[0]}: error: --out {out} ({real / out.name}) is inside the data folder {real} "
            f"($SCAE_DATA): {whose} would mix with the data; choose another --out")), err[-2000:]
    assert sorted(p.name for p in mnist_data.iterdir()) == ["MNIST"]


# ---- 4. a run with no checkpoint: --force offered, not --resume (which is refused)
def test_run_with_no_checkpoint_is_offered_force_not_resume(tmp_path, capfd, quiet_globals):
    "Was: 'holds another run (run X, step 0); use --resume to continue it, ...', and --resume was then refused."
    run = tmp_path / "r"
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", run], capfd)
    assert rc == 0, err[-2000:]
    shutil.rmtree(run / "checkpoints")                              # stopped before its first one
    run_id = json.loads((run / "run.json").read_text())["run_id"]
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", run], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: {run} holds another run (run {run_id}) with no checkpoint to resume: use "
        f"--force to start over (the old run is moved to {run / 'replaced' / run_id}), or another --out")), err


def test_folder_of_a_config_alone_is_offered_force_both_ways(tmp_path, capfd, quiet_globals):
    "Was: fresh: 'use --resume to continue it'; --resume: 'start without --resume': each sent to the other."
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", folder], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: {folder} holds an earlier run's files (no run id, no checkpoint): use --force to "
        f"start over (the earlier files are moved to {folder / 'replaced' / 'legacy'}), or another --out")), err
    rc, _, err = inproc_main(["train", "--resume", "--out", folder, "--steps", 2], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --resume: no checkpoint in {folder / 'checkpoints'} to resume (it holds a run's "
        "files but no checkpoint: start it over with --force)")), err
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", folder, "--force"], capfd)
    assert rc == 0 and (folder / "replaced" / "legacy" / "config.json").is_file(), err[-2000:]


# ---- 5. Ctrl-C while eval draws: the report written is said
def test_interrupt_while_drawing_says_the_report_was_written(mnist_run, tmp_path, capfd, quiet_globals):
    "Was: 'scae-nb eval: interrupted by SIGINT' alone, though OUT/report.json was complete."
    out = tmp_path / "ev"
    with mock.patch("scae_nb.evaluation._image_figures", side_effect=KeyboardInterrupt):
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", out], capfd)
    assert (rc, err.strip().splitlines()[-1]) == (130,        # one line since fx56a (test_review56a)
        f"scae-nb eval: interrupted by SIGINT while drawing the figures: report written to {out / 'report.json'}; "
        "figures not drawn"), err[-2000:]
    assert json.loads((out / "report.json").read_text())["figures"] == []
