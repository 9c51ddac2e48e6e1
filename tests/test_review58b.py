"""rv57a findings 5 and 6 (eval), rv57b finding 4 and RUN/eval as a link (finding 1): a Ctrl-C of `scae-nb eval`
before evaluating begins (reading the checkpoint, loading the model, the data) says that nothing was written and that
the earlier evaluation in OUT is kept; a Ctrl-C after the first report's swap is one line, which carries the
replacement's facts; re-evaluating the same weights after a branch moved them says it is the same model, now at its
new path, not "--checkpoint A -> B ... to keep both"; a RUN/eval that is a link is refused before anything is written,
naming the link and where it points. Each test failed on the code before these fixes (fx58b's base, 119bf21).
"""

import json
from unittest import mock

from test_reliability import inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review56d import _train  # a run of TINY, its stderr
from test_review56g import _eval  # eval with --max-batches 2, no figures


def _files(folder):
    "{name: bytes} of the files in `folder` (none there: {})."
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


def _unnoted(err):
    "`err` less eval's warning that a model of the synthetic data has random labels (said as the model loads)."
    return "\n".join(line for line in err.splitlines() if "whose labels are random" not in line)


def _said(err):
    "The lines of `err` less the k-means warning of a tiny evaluation (said once the accuracies are in)."
    return [line for line in _unnoted(err).strip().splitlines() if "k-means accuracy on" not in line]


def _cut(*args, at, capfd):
    "(exit status, stderr) of eval with `args`, a Ctrl-C raised where scae_nb.evaluation calls `at`."
    with mock.patch(f"scae_nb.evaluation.{at}", side_effect=KeyboardInterrupt):
        rc, _, err = inproc_main(["eval", "--max-batches", 2, "--no-progress", "--no-figures", *args], capfd)
    return rc, err


# ---- 1. (rv57a #5) a Ctrl-C before evaluating says what it left: nothing, the earlier evaluation kept
def test_an_early_cut_says_nothing_was_written(tmp_path, capfd, quiet_globals):
    "Was: 'interrupted by SIGINT' alone (reading the run's checkpoint), or '... while evaluating: no report written'."
    run, out = tmp_path / "r", tmp_path / "out"
    _train(run, capfd, "--steps", 1)
    checkpoint = run / "checkpoints" / "step_00000001.pt"
    rc, err = _cut("--checkpoint", checkpoint, "--out", out, at="load_model", capfd=capfd)
    assert (rc, one_line(_unnoted(err))) == (130, "scae-nb eval: interrupted by SIGINT before evaluating: nothing written")
    assert not out.exists()
    rc, err = _eval(capfd, "--checkpoint", checkpoint, "--out", out)
    assert rc == 0, err[-2000:]
    kept = _files(out)
    for at in ("load_model", "make_loaders"):                      # loading the model; the data
        rc, err = _cut("--checkpoint", checkpoint, "--out", out, at=at, capfd=capfd)
        assert (rc, one_line(_unnoted(err))) == (130, "scae-nb eval: interrupted by SIGINT before evaluating: nothing "
                                            f"written (the earlier evaluation in {out} kept)"), (at, err)
        assert _files(out) == kept
    rc, err = _cut("--checkpoint", run, "--out", out, at="_run_checkpoint", capfd=capfd)   # reading RUN's newest
    assert (rc, one_line(_unnoted(err))) == (130, "scae-nb eval: interrupted by SIGINT before evaluating: nothing "
                                        f"written (the earlier evaluation in {out} kept)"), err
    assert _files(out) == kept
    rc, err = _cut("--checkpoint", run, at="_run_checkpoint", capfd=capfd)   # the default OUT: not known yet
    assert (rc, one_line(_unnoted(err))) == (130, "scae-nb eval: interrupted by SIGINT before evaluating: nothing written")
    assert not (run / "eval").exists()


# ---- 2. (rv57a #6) a Ctrl-C after the first report's swap: one line, the replacement in it
def test_a_cut_after_the_swap_is_one_line(tmp_path, capfd, quiet_globals):
    "Was: 'replacing the earlier evaluation in OUT (...)' and then the interrupt line: two lines for one Ctrl-C."
    run, out = tmp_path / "r", tmp_path / "out"
    _train(run, capfd, "--steps", 1)
    checkpoint = run / "checkpoints" / "step_00000001.pt"
    rc, err = _eval(capfd, "--checkpoint", checkpoint, "--out", out)
    assert rc == 0, err[-2000:]
    args = ["eval", "--max-batches", 3, "--no-progress", "--checkpoint", checkpoint, "--out", out]   # figures on
    with mock.patch("scae_nb.evaluation._image_figures", side_effect=KeyboardInterrupt):   # cut while drawing
        rc, _, err = inproc_main(args, capfd)
    assert "Traceback" not in err, err[-3000:]
    assert (rc, _said(err)) == (130, [
        f"scae-nb eval: interrupted by SIGINT while drawing the figures: report written to {out / 'report.json'}, "
        f"replacing the earlier evaluation in {out} (--max-batches 2 -> 3); figures not drawn"]), err
    assert json.loads((out / "report.json").read_text())["max_batches"] == 3
    args[2] = 4                                                        # not cut: the line said once, as before
    with mock.patch("scae_nb.evaluation._image_figures", return_value=dict(figures=[])):
        rc, _, err = inproc_main(args, capfd)
    assert rc == 0, err[-2000:]
    assert err.count("replacing the earlier evaluation") == 1, err[-2000:]
    assert (f"scae-nb eval: replacing the earlier evaluation in {out} (--max-batches 3 -> 4); to keep both, give "
            "another --out") in err, err[-2000:]


# ---- 3. (rv57b #4) the same weights, moved by a branch, re-evaluated into an --out outside the run
def test_the_same_model_moved_by_a_branch_is_said(tmp_path, capfd, quiet_globals):
    "Was: '(--checkpoint A -> B); to keep both, give another --out', as if two models were evaluated."
    run, out = tmp_path / "ev5", tmp_path / "evo5"
    _train(run, capfd, "--steps", 2, "--ckpt-every", 1)
    rc, err = _eval(capfd, "--checkpoint", run / "checkpoints" / "step_00000002.pt", "--out", out)
    assert rc == 0, err[-2000:]
    _train(run, capfd, "--resume", run / "checkpoints" / "step_00000001.pt", "--steps", 2,
           "--seed", 5, "--allow-change", "seed")                          # step 2 set aside: another at its path
    moved = run / "checkpoints" / "superseded" / "from_step_00000001" / "step_00000002.pt"
    rc, err = _eval(capfd, "--checkpoint", moved, "--out", out)
    assert rc == 0, err[-2000:]
    assert (f"scae-nb eval: replacing the earlier evaluation in {out}, of the same model (the same weights), now at "
            f"{moved} (the same settings)") in err, err[-2000:]
    assert "to keep both" not in err and "--checkpoint" not in err, err[-2000:]
    assert json.loads((out / "report.json").read_text())["checkpoint"] == str(moved)


# ---- 4. (rv57b #1) RUN/eval as a link out of the run is refused, not followed
def test_a_runs_eval_that_is_a_link_is_refused(tmp_path, capfd, quiet_globals):
    "Was: rc 0, the report written to the run's parent (step_00000001/ beside the run), no line saying so."
    run = tmp_path / "ev6"
    _train(run, capfd, "--steps", 1)
    (run / "eval").symlink_to("..")
    checkpoint = run / "checkpoints" / "step_00000001.pt"
    rc, err = _eval(capfd, "--checkpoint", checkpoint)                      # the default OUT: RUN/eval/STEP
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: {run / 'eval'} is a link to .., not the folder where the run's evaluations go "
        "(they move with it): move it, or pass --out FOLDER")), err
    rc, err = _eval(capfd, "--checkpoint", checkpoint, "--out", run / "eval" / "mine")
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: {run / 'eval'} is a link to .., not the folder where the run's evaluations go "
        "(they move with it): move it, or choose another --out")), err
    rc, err = _eval(capfd, "--checkpoint", checkpoint, "--out", run / "eval")   # the link itself (rv58b #4)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: {run / 'eval'} is a link to .., not the folder where the run's evaluations go "
        "(they move with it): move it, or choose another --out")), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ev6"]           # nothing written beside the run


# ---- rv58b #3: a Ctrl-C just after the final report is in: no "figures removed" for figures drawn again
def test_a_cut_after_the_final_report_says_no_redrawn_figure_removed(tmp_path, capfd, quiet_globals):
    "Was: '... the evaluation is complete (OUT/report.json written) (the earlier evaluation's 6 figures removed)'."
    import scae_nb.evaluation as evaluation

    run, out = tmp_path / "r", tmp_path / "out"
    _train(run, capfd, "--steps", 1)
    args = ["eval", "--max-batches", 2, "--no-progress", "--checkpoint", run / "checkpoints" / "step_00000001.pt",
            "--out", out]                                              # figures on
    rc, _, err = inproc_main(args, capfd)
    assert rc == 0, err[-2000:]
    figures = sorted(p.name for p in out.glob("*.png"))
    assert figures, err[-2000:]
    real, calls = evaluation._write_report, []
    def write_report(*a, **k):                                         # the second writing: the final report
        late = real(*a, **k)
        calls.append(1)
        if len(calls) == 2: raise KeyboardInterrupt
        return late
    with mock.patch.object(evaluation, "_write_report", write_report):
        rc, _, err = inproc_main([*args[:2], 3, *args[3:]], capfd)
    assert "Traceback" not in err, err[-3000:]
    assert (rc, _said(err)[-1]) == (130, "scae-nb eval: interrupted by SIGINT as it ended: the evaluation is complete "
                                         f"({out / 'report.json'} written)"), err[-2000:]   # said after 'replacing'
    assert "removed" not in err, err[-2000:]
    assert sorted(p.name for p in out.glob("*.png")) == figures       # drawn again, all of them
