"""rv56f findings 5 and 9: a new run over a folder whose run.json is damaged names --force (or another --out), not a
resume, where there is no checkpoint to resume, and --force then says "run.json damaged"; eval says it replaces an
earlier evaluation once the files are in, never before a swap that a Ctrl-C cut. Each test failed on the code before
these fixes (fx56h's base, 487435e).
"""

import json
from unittest import mock

import pytest

from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review54d import mnist_data, mnist_run  # noqa: F401 (fixtures: a linked MNIST folder, a 1-step run)


def _damaged_folder(folder):
    "A folder of a config and a damaged run.json, no checkpoint (rv56f's F2)."
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "run.json").write_text("{bad")
    return folder


# ---- 1. a new run over a damaged run.json: --force or another --out, not --resume
def test_new_run_over_damaged_run_json_without_checkpoints_names_force(tmp_path, capfd, quiet_globals):
    "Was: '...; fix it, or move it aside: --resume goes on without it (... are in its checkpoints)': none there."
    out = _damaged_folder(tmp_path / "F2")
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", out], capfd)
    line = one_line(err)
    assert rc == 1, err
    assert line == (f"scae-nb train: error: {out / 'run.json'} is damaged: not valid JSON at line 1 column 2: "
                    "Expecting property name enclosed in double quotes; fix it, or start over: use --force (the "
                    f"earlier files are moved to {out / 'replaced' / 'legacy'}), or another --out"), line
    assert (out / "run.json").read_text() == "{bad" and not (out / "replaced").exists()


def test_force_over_damaged_run_json_says_damaged(tmp_path, capfd, quiet_globals):
    "Was: '(no run id: run.json damaged or without one)', where it knows the run.json is damaged."
    out = _damaged_folder(tmp_path / "F2")
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", out, "--force"], capfd)
    assert rc == 0, err[-3000:]
    assert (f"the earlier run's files in {out} (no run id: run.json damaged) were moved to "
            f"{out / 'replaced' / 'legacy'}") in err, err
    assert (out / "replaced" / "legacy" / "run.json").read_text() == "{bad"


def test_set_aside_run_json_without_an_id_says_so(tmp_path):
    "A readable run.json that names no run: 'run.json without one' (was the hedge for both)."
    from scae_nb.checkpoints import _set_aside_run

    aside = tmp_path / "replaced" / "legacy"
    aside.mkdir(parents=True)
    (aside / "run.json").write_text('{"created": "2026-01-01T00:00:00+00:00"}')
    assert _set_aside_run("legacy", tmp_path) == (
        f"the earlier run's files in {tmp_path} (no run id: run.json without one) were")


def test_new_run_over_damaged_run_json_with_checkpoints_keeps_resume(tmp_path, capfd, quiet_globals):
    "With checkpoints, a resume goes on without run.json: still said, and --force beside it."
    out = tmp_path / "run"
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", out], capfd)
    assert rc == 0, err[-3000:]
    run_id = json.loads((out / "run.json").read_text())["run_id"]
    (out / "run.json").write_text("{bad")
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", out], capfd)
    line = one_line(err)
    assert rc == 1, err
    assert line.endswith("fix it, or move it aside: --resume goes on without it (the run's id, start, config and "
                         "wandb run are in its checkpoints); or start over: use --force (the old run is moved to "
                         f"{out / 'replaced' / run_id}), or another --out"), line
    rc, _, err = inproc_main(["train", "--resume", out / "checkpoints" / "step_00000001.pt", "--steps", 2,
                              "--out", out], capfd)        # a resume: the advice as it was, no --force
    line = one_line(err)
    assert rc == 1 and line.endswith("fix it, or move it aside: --resume goes on without it (the run's id, start, "
                                     "config and wandb run are in its checkpoints)"), line


# ---- 2. "replacing the earlier evaluation" said once the files are in, not before a swap a Ctrl-C cut
REPLACING = "scae-nb eval: replacing"
EVAL = ["--max-batches", 2, "--no-progress", "--no-figures"]


def _cut_as_the_swap_begins():
    "`deferred_signals` for `_swap_in` (reraise given): a Ctrl-C just before its signals are held."
    from scae_nb import evaluation

    real = evaluation.deferred_signals
    def deferred(*args, **kwargs):
        if "reraise" in kwargs: raise KeyboardInterrupt
        return real(*args, **kwargs)
    return mock.patch("scae_nb.evaluation.deferred_signals", deferred)


@pytest.mark.parametrize("where", ["as the swap begins", "in the swap"])
def test_replacing_is_not_said_of_a_swap_that_was_cut(where, mnist_run, tmp_path, capfd, quiet_globals):
    "Was: 'replacing the earlier evaluation in OUT (the same settings)', then the interrupt: no report moved in."
    out = tmp_path / "ev"
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", out], capfd)
    assert rc == 0, err[-2000:]
    before = (out / "report.json").read_bytes()
    cut = (_cut_as_the_swap_begins() if where == "as the swap begins"
           else mock.patch("scae_nb.evaluation._move_in", side_effect=KeyboardInterrupt))   # as a failed rename
    with cut:
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", out], capfd)
    assert rc == 130 and REPLACING not in err, err[-2000:]
    if where == "as the swap begins": assert (out / "report.json").read_bytes() == before   # OUT as it was


def test_replacing_is_said_once_the_report_is_in(mnist_run, tmp_path, capfd, quiet_globals):
    "The line itself, as it was: once, with the settings compared, after the swap."
    out = tmp_path / "ev"
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", out], capfd)
    assert rc == 0 and REPLACING not in err, err[-2000:]
    import scae_nb.evaluation as evaluation

    real, before_swap = evaluation._move_in, []
    def move_in(paths, folder):
        before_swap.append(capfd.readouterr().err)          # what was said before the files went in
        return real(paths, folder)
    with mock.patch("scae_nb.evaluation._move_in", move_in):
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, "--max-batches", 3, "--no-progress",
                                  "--no-figures", "--out", out], capfd)
    lines = [line for line in err.splitlines() if REPLACING in line]
    assert rc == 0 and len(before_swap) == 1 and REPLACING not in before_swap[0], before_swap
    assert json.loads((out / "report.json").read_text())["max_batches"] == 3
    assert lines == [f"scae-nb eval: replacing the earlier evaluation in {out} (--max-batches 2 -> 3); to keep "
                     "both, give another --out"], err[-2000:]
