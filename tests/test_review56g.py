"""rv56f findings 7, 1, 8, 3: a folder in a training run's eval/ is the run's if and only if it holds eval's
report.json, whatever its name, and its step is the report's; a checkpoint's evaluations belong where its default
report goes (its run, the branch set aside it is in, or the replaced run it is in): `eval --out HOME/eval/NAME` is
taken for it there, and refused in another run's or branch's eval/, with advice that works when followed; a shipped
model's refusal names it. Each test failed on the code before these fixes (fx56g's base, 487435e).
"""

import json

from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review56d import _report, _train  # a run, and a report folder as eval leaves it

EVAL = ["--max-batches", 2, "--no-progress", "--no-figures"]


def _eval(capfd, *args):
    rc, _, err = inproc_main(["eval", *EVAL, *args], capfd)
    return rc, err


# ---- 1. (rv56f #7) eval/step_M is judged by its report, not by its name
def test_a_step_named_folder_is_judged_by_its_report(tmp_path, capfd, quiet_globals):
    "Was: eval/step_00000040 (notes, no report) and eval/step_00000030 (a report of step 1) moved with the branch."
    run = tmp_path / "c"
    _train(run, capfd, "--steps", 2, "--ckpt-every", 1)
    (run / "eval" / "step_00000040").mkdir(parents=True)
    (run / "eval" / "step_00000040" / "notes.txt").write_text("mine")  # the user's: no report
    _report(run / "eval" / "step_00000030", 1)                         # of step 1: stays on the resumed branch
    _report(run / "eval" / "step_00000000", 2)                         # of step 2: goes with the branch
    err = _train(run, capfd, "--resume", run / "checkpoints" / "step_00000001.pt", "--steps", 2)
    aside = run / "checkpoints" / "superseded" / "from_step_00000001"
    assert "and 1 evaluation after step 1 moved to" in err, err[-2000:]
    assert [p.name for p in (aside / "eval").iterdir()] == ["step_00000000"]
    assert sorted(p.name for p in (run / "eval").iterdir()) == ["step_00000030", "step_00000040"]


def test_force_leaves_a_step_named_folder_without_a_report(tmp_path, capfd, quiet_globals):
    "Was: eval/step_00000099 (notes only) moved to replaced/ID/eval, unannounced."
    run = tmp_path / "g"
    _train(run, capfd, "--steps", 1)
    old_id = json.loads((run / "run.json").read_text())["run_id"]
    (run / "eval" / "step_00000099").mkdir(parents=True)
    (run / "eval" / "step_00000099" / "notes.txt").write_text("mine")
    err = _train(run, capfd, "--steps", 1, "--force")
    assert "1 entry not from a run (e.g. eval/step_00000099)" in err, err[-2000:]
    assert (run / "eval" / "step_00000099" / "notes.txt").read_text() == "mine"
    assert not (run / "replaced" / old_id / "eval").exists()


# ---- 2. (rv56f #1, #8) a checkpoint's evaluations go where its default report goes
def _branched(tmp_path, capfd):
    "Run A branched at step 1 (step 2 set aside): (A, the set-aside branch's folder)."
    run = tmp_path / "a"
    _train(run, capfd, "--steps", 2, "--ckpt-every", 1)
    _train(run, capfd, "--resume", run / "checkpoints" / "step_00000001.pt", "--steps", 2)
    return run, run / "checkpoints" / "superseded" / "from_step_00000001"


def test_a_set_aside_branchs_checkpoint_reports_into_its_branch(tmp_path, capfd, quiet_globals):
    "Was: rc 0 into the live A/eval/sup; its branch's own eval/mine refused as 'inside the training run'."
    run, branch = _branched(tmp_path, capfd)
    checkpoint = branch / "step_00000002.pt"
    rc, err = _eval(capfd, "--checkpoint", checkpoint, "--out", run / "eval" / "sup")
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {run / 'eval' / 'sup'}: is in the eval folder of the training run {run}, "
        f"which holds evaluations of its own checkpoints (they move with the run), not of a checkpoint of the "
        f"branch set aside in {branch}: choose {branch / 'eval' / 'NAME'}, or leave out --out "
        "(BRANCH/eval/STEP)")), err   # fx57b (rv57a #4): where leaving it out writes
    assert not (run / "eval").exists()
    rc, err = _eval(capfd, "--checkpoint", checkpoint, "--out", branch / "eval" / "mine")   # the advice, followed
    assert rc == 0, err[-2000:]
    assert json.loads((branch / "eval" / "mine" / "report.json").read_text())["steps"] == 2


def test_a_live_checkpoint_is_refused_in_a_branchs_eval(tmp_path, capfd, quiet_globals):
    "Was: 'inside the training run A ... would mix with the run's files'; now said as the branch's eval folder."
    run, branch = _branched(tmp_path, capfd)
    out = branch / "eval" / "live"
    rc, err = _eval(capfd, "--checkpoint", run / "checkpoints" / "step_00000002.pt", "--out", out)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out}: is in the eval folder of the branch set aside in {branch}, which "
        f"holds evaluations of its own checkpoints (they move with the branch), not of a checkpoint of {run}: "
        f"choose {run / 'eval' / 'NAME'}, or leave out --out (RUN/eval/STEP)")), err
    assert not out.exists()


def test_a_replaced_runs_checkpoint_reports_into_its_eval(tmp_path, capfd, quiet_globals):
    "Was: --out RUN/replaced/ID/eval/mine refused as 'inside the training run RUN', advising that very folder."
    run = tmp_path / "r"
    _train(run, capfd, "--steps", 1)
    old_id = json.loads((run / "run.json").read_text())["run_id"]
    _train(run, capfd, "--steps", 1, "--force")
    old = run / "replaced" / old_id
    rc, err = _eval(capfd, "--checkpoint", old / "checkpoints" / "step_00000001.pt", "--out", old / "eval" / "mine")
    assert rc == 0, err[-2000:]
    assert json.loads((old / "eval" / "mine" / "report.json").read_text())["steps"] == 1


# ---- 3. (rv56f #3) a shipped model's refusal names it, and the way out that works
def test_a_shipped_models_refusal_names_it(tmp_path, capfd, quiet_globals):
    "Was: 'not of a model of no training run: choose a folder outside the run' (no 'leave out --out')."
    run = tmp_path / "b"
    _train(run, capfd, "--steps", 1)
    out = run / "eval" / "pre"
    rc, err = _eval(capfd, "--pretrained", "mnist-cpu", "--out", out)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out}: is in the eval folder of the training run {run}, which holds "
        "evaluations of its own checkpoints (they move with the run), not of the shipped model mnist-cpu: choose a "
        "folder outside the run, or leave out --out (runs/eval/NAME)")), err
    loose = tmp_path / "loose.pt"
    loose.write_bytes((run / "checkpoints" / "step_00000001.pt").read_bytes())
    rc, err = _eval(capfd, "--checkpoint", loose, "--out", out)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out}: is in the eval folder of the training run {run}, which holds "
        "evaluations of its own checkpoints (they move with the run), not of a checkpoint in no training run: "
        "choose a folder outside the run, or leave out --out (runs/eval/NAME)")), err
