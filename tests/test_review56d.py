"""rv56c findings 1, 2, 8a: a training run's eval/ folder belongs to the run. A report folder that `scae-nb eval`
wrote in RUN/eval under a name of the user's (RUN/eval/NAME, as eval's refusals advise) travels with the run as
eval/step_M does: set aside with the branch it evaluated, moved with the run on --force; `eval --out RUN/eval/NAME`
takes only RUN's own checkpoints; a refusal of another run's folder advises the checkpoint's own run; `--force` over
a folder with no run.json says so. Each test failed on the code before these fixes (fx56d's base, 9dad5de).
"""

import json

from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)

EVAL = ["--max-batches", 2, "--no-progress"]


def _train(out, capfd, *more):
    rc, _, err = inproc_main(["train", *TINY, "--out", out, *more], capfd)
    assert rc == 0, err[-2000:]
    return err


def _report(folder, steps):
    "A report folder as `scae-nb eval` leaves it (its report.json names the checkpoint's step)."
    folder.mkdir(parents=True)
    report = dict(checkpoint=f"/x/checkpoints/step_{steps:08d}.pt", steps=steps, wall_s=1.0, figures=[])
    (folder / "report.json").write_text(json.dumps(report))


# ---- 1. a named evaluation in RUN/eval moves with its branch, and with the run on --force
def test_a_named_evaluation_moves_with_the_branch_it_evaluated(tmp_path, capfd, quiet_globals):
    "Was: only eval/step_M moved; eval/mine (of step 2) stayed, now naming the new branch's step 2, unmentioned."
    run = tmp_path / "b"
    _train(run, capfd, "--steps", 2, "--ckpt-every", 1)
    _report(run / "eval" / "mine", 2)                                  # an evaluation of the branch's step 2
    _report(run / "eval" / "step_00000002", 2)                         # the default folder of that evaluation
    _report(run / "eval" / "early", 1)                                 # of step 1: stays on the resumed branch
    (run / "eval" / "notes").mkdir()                                   # the user's: no report of eval's
    (run / "eval" / "broken").mkdir()
    (run / "eval" / "broken" / "report.json").write_text('{"checkpoint": "x", "ste')   # unreadable: the user's
    err = _train(run, capfd, "--resume", run / "checkpoints" / "step_00000001.pt", "--steps", 2)
    aside = run / "checkpoints" / "superseded" / "from_step_00000001"
    assert "and 2 evaluations after step 1 moved to" in err, err[-2000:]
    assert sorted(p.name for p in (aside / "eval").iterdir()) == ["mine", "step_00000002"]
    assert sorted(p.name for p in (run / "eval").iterdir()) == ["broken", "early", "notes"]


def test_force_moves_a_named_evaluation_with_the_run(tmp_path, capfd, quiet_globals):
    "Was: 'already holds 1 entry not from a run (e.g. eval/mine)', and eval/mine stayed with the new run."
    run = tmp_path / "c"
    _train(run, capfd, "--steps", 1)
    old_id = json.loads((run / "run.json").read_text())["run_id"]
    _report(run / "eval" / "mine", 1)
    (run / "eval" / "notes").mkdir()                                   # the user's: stays, said as not a run's
    err = _train(run, capfd, "--steps", 1, "--force")
    assert "1 entry not from a run (e.g. eval/notes)" in err, err[-2000:]
    assert [p.name for p in (run / "replaced" / old_id / "eval").iterdir()] == ["mine"]
    assert [p.name for p in (run / "eval").iterdir()] == ["notes"]


# ---- 2. eval --out RUN/eval/NAME takes only RUN's own checkpoints
def test_eval_into_another_runs_eval_folder_is_refused(tmp_path, capfd, quiet_globals):
    "Was: rc 0: runs/try's evaluation (or a shipped model's) written into runs/b/eval/other."
    mine, other = tmp_path / "try", tmp_path / "b"
    _train(mine, capfd, "--steps", 1)
    _train(other, capfd, "--steps", 1)
    out = other / "eval" / "other"
    rc, _, err = inproc_main(["eval", "--checkpoint", mine, *EVAL, "--out", out], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out}: is in the eval folder of the training run {other}, which holds "
        f"evaluations of its own checkpoints (they move with the run), not of a checkpoint of {mine}: choose "
        f"{mine / 'eval' / 'NAME'}, or leave out --out (RUN/eval/STEP)")), err
    out = other / "eval" / "pre"
    rc, _, err = inproc_main(["eval", "--pretrained", "mnist-cpu", *EVAL, "--out", out], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out}: is in the eval folder of the training run {other}, which holds "
        "evaluations of its own checkpoints (they move with the run), not of the shipped model mnist-cpu: choose a "
        "folder outside the run, or leave out --out (runs/eval/NAME)")), err
    assert not (other / "eval").exists()


# ---- 3. the refusal of another run's folder advises the checkpoint's own run
def test_refusal_of_another_runs_folder_advises_the_checkpoints_own_run(tmp_path, capfd, quiet_globals):
    "Was: 'choose runs/b/eval/NAME, or leave out --out': the two ways out led to different runs."
    mine, other = tmp_path / "try", tmp_path / "b"
    _train(mine, capfd, "--steps", 1)
    _train(other, capfd, "--steps", 1)
    rc, _, err = inproc_main(["eval", "--checkpoint", mine, *EVAL, "--out", other / "figures"], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {other / 'figures'}: is inside the training run {other}; eval's report and "
        f"figures would mix with the run's files: choose {mine / 'eval' / 'NAME'}, or leave out --out "
        "(RUN/eval/STEP)")), err


# ---- 4. --force over a folder with a config.json alone: no run.json, said so
def test_force_over_a_folder_with_no_run_json_says_so(tmp_path, capfd, quiet_globals):
    "Was: '(no run id: run.json damaged or without one)' where there is no run.json at all."
    folder = tmp_path / "f4"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    err = _train(folder, capfd, "--steps", 1, "--force")
    said = [line for line in err.splitlines() if "moved to" in line]
    assert said == [f"scae-nb train: the earlier run's files in {folder} (no run id: no run.json) were moved to "
                    f"{folder / 'replaced' / 'legacy'}"], err[-2000:]
