"""rv57a findings 8 and 4: re-evaluating into the same --out a checkpoint path that now holds another model (a branch
trained a new step N there with a changed seed) says the earlier evaluation was of another model, not "(the same
settings)"; an --out more than one level down in a run's or a branch's eval/ (which would not move with its
checkpoint) is refused like RUN/eval itself; the eval/ ownership refusals for a branch name the branch's default
folder (BRANCH/eval/STEP) and say its evaluations move with the branch. Each test failed on the code before these
fixes (fx57b's base, 0741ddb).
"""

import json

from test_reliability import one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review56d import _train  # a run of TINY, its stderr
from test_review56g import _branched, _eval  # run A branched at step 1; eval with --max-batches 2, no figures


# ---- 1. (rv57a #8) another model at the same checkpoint path is not "the same settings"
def test_another_model_at_the_same_path_is_said(tmp_path, capfd, quiet_globals):
    "Was: 'replacing the earlier evaluation in OUT (the same settings)' for a new step 2 trained with another seed."
    run, out = tmp_path / "g", tmp_path / "outside"
    _train(run, capfd, "--steps", 2, "--ckpt-every", 1)
    checkpoint = run / "checkpoints" / "step_00000002.pt"
    rc, err = _eval(capfd, "--checkpoint", checkpoint, "--out", out)
    assert rc == 0, err[-2000:]
    rc, err = _eval(capfd, "--checkpoint", checkpoint, "--out", out)              # the same model again
    assert rc == 0 and f"replacing the earlier evaluation in {out} (the same settings)" in err, err[-2000:]
    _train(run, capfd, "--resume", run / "checkpoints" / "step_00000001.pt", "--steps", 2,
           "--seed", 5, "--allow-change", "seed")                               # a new step 2: another model
    rc, err = _eval(capfd, "--checkpoint", checkpoint, "--out", out)
    assert rc == 0, err[-2000:]
    assert (f"replacing the earlier evaluation in {out}, of another model at the same path (its weights differ); "
            "to keep both, give another --out") in err, err[-2000:]
    assert "the same settings" not in err, err[-2000:]


# ---- 2. (rv57a #8) --out below RUN/eval/NAME (or BRANCH/eval/NAME) is refused: it would not move with its checkpoint
def test_out_deeper_than_a_runs_eval_name_is_refused(tmp_path, capfd, quiet_globals):
    "Was: rc 0 into RUN/eval/notes/deeper, which stays with the run when its checkpoint moves with a branch."
    run = tmp_path / "d"
    _train(run, capfd, "--steps", 1)
    (run / "eval" / "notes").mkdir(parents=True)
    out = run / "eval" / "notes" / "deeper"
    rc, err = _eval(capfd, "--checkpoint", run / "checkpoints" / "step_00000001.pt", "--out", out)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out}: is below {run / 'eval' / 'notes'} in the eval folder of the training "
        f"run {run}; a report there would not move with its checkpoint (only one in {run / 'eval'}/NAME does): "
        f"choose {run / 'eval' / 'NAME'}, or leave out --out (RUN/eval/STEP)")), err
    assert not out.exists()


def test_out_deeper_than_a_branchs_eval_name_is_refused(tmp_path, capfd, quiet_globals):
    "Was: rc 0 into BRANCH/eval/notes/deeper."
    run, branch = _branched(tmp_path, capfd)
    out = branch / "eval" / "notes" / "deeper"
    rc, err = _eval(capfd, "--checkpoint", branch / "step_00000002.pt", "--out", out)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out}: is below {branch / 'eval' / 'notes'} in the eval folder of the branch "
        f"set aside in {branch}; a report there would not move with its checkpoint (only one in "
        f"{branch / 'eval'}/NAME does): choose {branch / 'eval' / 'NAME'}, or leave out --out (BRANCH/eval/STEP)")), err
    assert not out.exists()
    rc, err = _eval(capfd, "--checkpoint", branch / "step_00000002.pt", "--out", branch / "eval" / "notes")
    assert rc == 0, err[-2000:]                                                  # the advice, followed


# ---- 3. (rv57a #4) a branch's folder, and "with the branch", in the eval/ ownership refusals
def test_own_eval_refusals_name_the_branchs_folder(tmp_path, capfd, quiet_globals):
    "Was: '... or leave out --out (RUN/eval/STEP)' for a branch's checkpoint; '(they move with the run)' of a branch."
    run, branch = _branched(tmp_path, capfd)
    rc, err = _eval(capfd, "--checkpoint", branch / "step_00000002.pt", "--out", run / "eval" / "sup")
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {run / 'eval' / 'sup'}: is in the eval folder of the training run {run}, "
        f"which holds evaluations of its own checkpoints (they move with the run), not of a checkpoint of the "
        f"branch set aside in {branch}: choose {branch / 'eval' / 'NAME'}, or leave out --out "
        "(BRANCH/eval/STEP)")), err
    rc, err = _eval(capfd, "--checkpoint", branch / "step_00000002.pt")           # leaving it out: BRANCH/eval/STEP
    assert rc == 0 and (branch / "eval" / "step_00000002" / "report.json").is_file(), err[-2000:]
    out = branch / "eval" / "live"
    rc, err = _eval(capfd, "--checkpoint", run / "checkpoints" / "step_00000002.pt", "--out", out)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out}: is in the eval folder of the branch set aside in {branch}, which "
        f"holds evaluations of its own checkpoints (they move with the branch), not of a checkpoint of {run}: "
        f"choose {run / 'eval' / 'NAME'}, or leave out --out (RUN/eval/STEP)")), err
    assert json.loads((branch / "eval" / "step_00000002" / "report.json").read_text())["steps"] == 2
