"""rv57a #5, #11 (the line), rv57b #8: a Ctrl-C of `scae-nb train` before its first step says what it left in
--out, in its one interrupt line (on 119bf21 only "interrupted by SIGINT", though `--force` had moved the old run and
put it back, or a new run's folder had been removed), and a `--force` put back has its `scae-nb eval` reports
pointing at its files again (on 119bf21 they kept naming RUN/replaced/ID, which the move back emptied).
rv57b #5: a resume whose checkpoints store a run id that is not a plain name says that it goes on as 'legacy' (on
119bf21 silently). rv57b #6: the refusal of such an id says ASCII letters and shows the id as typed (on 119bf21
"\\u00e9"), and a leading '-' ('-rf') is no plain name; a run with an id and a metrics.jsonl but no checkpoint is not
said to be "at step 0" (fixed by d672ace; the test fails on d672ace^).
"""

import json
import shutil
import signal

from scae_nb.checkpoints import load_checkpoint, save_checkpoint
from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review57a import _as_it_was, _copy, _train
from test_review57a import base  # noqa: F401 (a fixture)


def _line(rc_out_err):
    "(exit status, the one line on stderr) of an `inproc_main` result."
    rc, _, err = rc_out_err
    return rc, one_line(err)


def _unchanged(run, run_id, signal_name="SIGINT"):
    return f"scae-nb train: interrupted by {signal_name} before training began: {run} unchanged (run {run_id} still there)"


# ---- rv57a #5 (a), rv57b #8: --force cut while the old run is set aside, or after: put back, and said so
def test_a_ctrl_c_as_force_moves_the_old_run_says_it_is_back(base, tmp_path, capfd, quiet_globals, monkeypatch):
    "Was: 'scae-nb train: interrupted by SIGINT' alone, though replaced/ID had appeared and gone again."
    import scae_nb.checkpoints as checkpoints

    run, real = _copy(base, tmp_path), checkpoints._move_run_aside
    def move_run_aside(out, run_id):
        moved = real(out, run_id)
        signal.raise_signal(signal.SIGINT)                 # a Ctrl-C as the last file lands: held till the claim knows
        return moved
    monkeypatch.setattr(checkpoints, "_move_run_aside", move_run_aside)
    assert _line(_train(run, capfd, "--force")) == (130, _unchanged(run, base[1]))
    _as_it_was(run, base[1])


def test_a_ctrl_c_as_the_new_run_is_built_says_the_old_one_is_back(base, tmp_path, capfd, quiet_globals, monkeypatch):
    "Was: the bare line for a cut between the claim and the first step (the Trainer being built), the old run put back."
    import scae_nb.training as training

    run = _copy(base, tmp_path)
    def trainer_in(*args, **kwargs):
        assert (run / "replaced").is_dir()                 # the old run is aside as the cut comes
        raise KeyboardInterrupt
    monkeypatch.setattr(training, "_trainer_in", trainer_in)
    assert _line(_train(run, capfd, "--force")) == (130, _unchanged(run, base[1]))
    _as_it_was(run, base[1])


def test_a_force_put_back_points_its_eval_reports_at_its_files_again(base, tmp_path, capfd, quiet_globals, monkeypatch):
    "Was: after the move back, RUN/eval/mine/report.json still named RUN/replaced/ID/checkpoints/..., then empty."
    import scae_nb.training as training

    run = _copy(base, tmp_path)
    ckpt = run / "checkpoints" / "step_00000002.pt"
    report = run / "eval" / "mine" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps(dict(checkpoint=str(ckpt.resolve()), steps=2, wall_s=1.0,
                                      out=str(report.parent.resolve()), figures=[]), indent=1))   # as eval writes it
    written = report.read_bytes()
    def trainer_in(*args, **kwargs):
        moved = run / "replaced" / base[1] / "eval" / "mine" / "report.json"
        assert str(run / "replaced") in json.loads(moved.read_text())["checkpoint"]   # re-pointed there
        raise KeyboardInterrupt
    monkeypatch.setattr(training, "_trainer_in", trainer_in)
    result = _train(run, capfd, "--force")
    assert report.read_bytes() == written, report.read_text()      # its paths as they were: the files are back
    assert _line(result) == (130, _unchanged(run, base[1]))
    _as_it_was(run, base[1])


# ---- rv57a #5 (b): a new run cut before its first step: nothing left, and said so
def test_a_ctrl_c_before_a_new_runs_first_step_says_nothing_was_written(tmp_path, capfd, quiet_globals, monkeypatch):
    "Was: 'scae-nb train: interrupted by SIGINT' alone; the new folder was removed, a user's file in --out kept."
    import scae_nb.training as training

    new, mine = tmp_path / "new", tmp_path / "mine"
    mine.mkdir()
    (mine / "README.txt").write_text("my notes")
    def trainer_in(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(training, "_trainer_in", trainer_in)
    for out, said in ((new, f"nothing written ({new} not created)"), (mine, f"nothing written ({mine} as it was)")):
        rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", out], capfd)
        assert rc == 130, err[-2000:]
        assert err.strip().splitlines()[-1] == f"scae-nb train: interrupted by SIGINT before training began: {said}", err
    assert not new.exists(), sorted(p.name for p in new.iterdir())
    assert sorted(p.name for p in mine.iterdir()) == ["README.txt"]


# ---- rv57a #5 (c): --resume OLDER.pt cut before the branch is set aside: nothing moved, and said so
def test_a_ctrl_c_before_a_branch_is_set_aside_says_the_run_is_unchanged(base, tmp_path, capfd, quiet_globals,
                                                                         monkeypatch):
    "Was: the bare line; the newer checkpoint stayed in RUN/checkpoints (no superseded/), which the line never said."
    import scae_nb.training as training

    run = _copy(base, tmp_path)
    def trainer_in(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(training, "_trainer_in", trainer_in)
    rc, _, err = inproc_main(["train", *TINY, "--steps", 2, "--ckpt-every", 1,
                              "--resume", run / "checkpoints" / "step_00000001.pt"], capfd)
    assert (rc, err.strip().splitlines()[-1]) == (130, _unchanged(run, base[1])), err
    _as_it_was(run, base[1])
    assert not (run / "checkpoints" / "superseded").exists()


def test_a_folder_changed_by_the_cut_gets_no_unchanged_line(base, tmp_path, capfd, quiet_globals, monkeypatch):
    "The line says 'unchanged' only where the folder is: a file the early stop left behind keeps the bare line."
    import scae_nb.training as training

    run = _copy(base, tmp_path)
    def trainer_in(*args, **kwargs):
        (run / "checkpoints" / "step_00000001.pt").touch()       # changed (its time) before the cut
        raise KeyboardInterrupt
    monkeypatch.setattr(training, "_trainer_in", trainer_in)
    rc, _, err = inproc_main(["train", *TINY, "--steps", 2, "--ckpt-every", 1,
                              "--resume", run / "checkpoints" / "step_00000001.pt"], capfd)
    assert (rc, err.strip().splitlines()[-1]) == (130, "scae-nb train: interrupted by SIGINT"), err


# ---- rv57b #5: checkpoints whose run id is not a plain name: the resume says it goes on as 'legacy'
def test_a_resume_from_checkpoints_with_an_odd_run_id_says_so(base, tmp_path, capfd, quiet_globals):
    "Was: the run went on as 'legacy' silently."
    for odd in ("../y", 5):
        run = _copy(base, tmp_path, f"odd{len(str(odd))}")
        (run / "run.json").unlink()
        for path in sorted((run / "checkpoints").glob("*.pt")):
            state = load_checkpoint(path, verify=False)
            state["run_id"] = odd
            state.pop("digest")
            save_checkpoint(state, path)                   # its digest anew
        rc, _, err = inproc_main(["train", *TINY, "--steps", 3, "--ckpt-every", 1, "--out", run, "--resume"], capfd)
        assert rc == 0, err[-2000:]
        warned = [line for line in err.splitlines() if "warning" in line and "run id" in line]
        assert warned == [
            f"scae-nb train: warning: {run / 'checkpoints' / 'step_00000002.pt'} stores run id {json.dumps(odd)}, "
            "not a plain name (ASCII letters, digits, '.', '_', '-'; no '-' first): the run goes on under run id "
            '"legacy"'
        ], err
        assert json.loads((run / "run.json").read_text())["run_id"] == "legacy"


# ---- rv57b #6: run-id wording
def test_the_refusal_of_an_odd_run_id_says_ascii_and_shows_it_as_typed(base, tmp_path, capfd, quiet_globals):
    "Was: 'its run_id is \"\\u00e9\\u2713\", not a plain name (letters, ...)': é is a letter; the codes, not é✓."
    run = _copy(base, tmp_path)
    (run / "run.json").write_text(json.dumps({"run_id": "é✓"}, ensure_ascii=False), encoding="utf-8")
    rc, line = _line(_train(run, capfd))
    assert rc == 1, line
    assert ("is damaged: its run_id is \"é✓\", not a plain name (ASCII letters, digits, '.', '_', '-'; no '-' "
            "first); ") in line, line


def test_a_run_id_with_a_leading_dash_is_no_plain_name(base, tmp_path, capfd, quiet_globals):
    "Was: '-rf' was a plain name: the old run went to RUN/replaced/-rf, a name that reads as an option in mv advice."
    run = _copy(base, tmp_path)
    (run / "run.json").write_text(json.dumps({"run_id": "-rf"}))
    rc, line = _line(_train(run, capfd))
    assert rc == 1 and "is damaged: its run_id is \"-rf\", not a plain name" in line, line
    assert f"(the old run is moved to {run / 'replaced' / base[1]})" in line, line    # the id its checkpoints store
    rc, _, err = _train(run, capfd, "--force")
    assert rc == 0, err[-2000:]
    assert sorted(p.name for p in (run / "replaced").iterdir()) == [base[1]]


def test_a_run_with_an_id_and_metrics_but_no_checkpoint_is_not_at_step_0(tmp_path, capfd, quiet_globals):
    "Was (d672ace^): 'holds another run (run ok-id, step 0)': nothing records a step."
    run = tmp_path / "t1"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"run_id": "ok-id"}))
    (run / "metrics.jsonl").write_text(json.dumps({"step": 20, "total": 1.0}) + "\n")
    rc, line = _line(_train(run, capfd))
    assert (rc, line) == (2, (
        f"scae-nb train: error: {run} holds another run (run ok-id) with no checkpoint to resume: use --force to start "
        f"over (the old run is moved to {run / 'replaced' / 'ok-id'}), or another --out")), line
