"""rv56c findings 3, 4, 5, 6, 9: a Ctrl-C while eval draws over an earlier evaluation's figures says one line, the
removed figures in it; a Ctrl-C after the accuracies, before the report went in (`--no-figures`), says that no report
was written; `train --data-dir ~nouser/x` says the user is unknown, as eval does; `TFRMSprop` refuses a bool for each
hyper-parameter; eval's --help names its default folder RUN/eval/STEP. Each fix's test failed on the code before
these fixes (fx56e's base, 9dad5de).
"""

import json
from unittest import mock

import pytest
import torch

from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review54d import mnist_data, mnist_run  # noqa: F401 (fixtures: a linked MNIST folder, a 1-step run)

EVAL = ["--max-batches", 2, "--no-progress"]


def _cut_lines(err: str) -> list:
    "The lines of `err` that speak of the interrupt, of the report it left or of files removed."
    return [line for line in err.splitlines()
            if line.startswith(("scae-nb eval: interrupted", "scae-nb eval: removed", "scae-nb eval: report"))]


# ---- 1. Ctrl-C while drawing over an earlier evaluation's figures: one line, the removal in it
def test_interrupt_while_drawing_over_earlier_figures_is_one_line(mnist_run, tmp_path, capfd, quiet_globals):
    "Was: two lines, 'removed ... figures of an earlier evaluation that this one did not draw', then the interrupt."
    out = tmp_path / "ev"
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", out], capfd)
    assert rc == 0, err[-2000:]
    drawn = len(json.loads((out / "report.json").read_text())["figures"])
    assert drawn > 1, drawn
    with mock.patch("scae_nb.evaluation._image_figures", side_effect=KeyboardInterrupt):
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", out], capfd)
    assert (rc, _cut_lines(err)) == (130, [
        f"scae-nb eval: interrupted by SIGINT while drawing the figures: report written to {out / 'report.json'}, "
        f"replacing the earlier evaluation in {out} (the same settings); figures not drawn (the earlier evaluation's "
        f"{drawn} figures removed)"]), err[-2000:]   # fx58b (rv57a #6): the replacement in the same line
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["report.json"]


def test_interrupt_while_drawing_from_python_still_names_the_removed_figures(mnist_run, tmp_path, capfd,
                                                                            quiet_globals):
    "From Python (no interrupt line): the removal is said as before, then where the report is."
    from scae_nb.evaluation import evaluate_checkpoint

    out = tmp_path / "ev"
    evaluate_checkpoint(mnist_run, out=out, max_batches=2, progress=False)
    capfd.readouterr()
    with mock.patch("scae_nb.evaluation._image_figures", side_effect=KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            evaluate_checkpoint(mnist_run, out=out, max_batches=2, progress=False)
    lines = _cut_lines(capfd.readouterr().err)
    assert len(lines) == 2 and lines[0].startswith(f"scae-nb eval: removed templates.png"), lines
    assert lines[0].endswith("figures of an earlier evaluation that this one did not draw"), lines
    assert lines[1] == f"scae-nb eval: report written to {out / 'report.json'}; figures not drawn", lines


# ---- 2. Ctrl-C after the accuracies, before the report went in: "no report written", not a bare line
def test_interrupt_before_the_report_goes_in_says_no_report(mnist_run, tmp_path, capfd, quiet_globals):
    "Was: 'scae-nb eval: interrupted by SIGINT' alone (the cut came in _write_report, before its signals were held)."
    out, fresh = tmp_path / "ev", tmp_path / "fresh"
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--no-figures", "--out", out], capfd)
    assert rc == 0, err[-2000:]
    before = (out / "report.json").read_bytes()
    with mock.patch("scae_nb.evaluation._swap_in", side_effect=KeyboardInterrupt):   # a cut just before the swap
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, "--max-batches", 3, "--no-progress",
                                  "--no-figures", "--out", out], capfd)
        assert (rc, _cut_lines(err)) == (130, [
            f"scae-nb eval: interrupted by SIGINT while evaluating: no report written ({out / 'report.json'} is an "
            "earlier evaluation's)"]), err[-2000:]
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--no-figures", "--out", fresh], capfd)
        assert (rc, _cut_lines(err)) == (130, [
            "scae-nb eval: interrupted by SIGINT while evaluating: no report written"]), err[-2000:]
    assert (out / "report.json").read_bytes() == before and not fresh.exists()


def test_interrupt_while_the_model_loads_says_no_report(mnist_run, tmp_path, capfd, quiet_globals):
    "Was: 'scae-nb eval: interrupted by SIGINT' alone: a cut before the staging folder was made."
    out = tmp_path / "ev"
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--no-figures", "--out", out], capfd)
    assert rc == 0, err[-2000:]
    with mock.patch("scae_nb.evaluation._eval_run", side_effect=KeyboardInterrupt):
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", out], capfd)
    assert (rc, _cut_lines(err)) == (130, [
        f"scae-nb eval: interrupted by SIGINT before evaluating: nothing written (the earlier evaluation in {out} "
        "kept)"]), err[-2000:]   # fx58b (rv57a #5): said as before evaluating


def test_interrupt_once_the_report_is_whole_says_it_is_complete(mnist_run, tmp_path, capfd, quiet_globals):
    "A cut after the whole report went in (as its warnings are said) says so, not 'no report written'."
    out = tmp_path / "ev"
    with mock.patch("scae_nb.evaluation._warn_after_report", side_effect=KeyboardInterrupt):
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--no-figures", "--out", out], capfd)
    assert (rc, _cut_lines(err)) == (130, [
        f"scae-nb eval: interrupted by SIGINT as it ended: the evaluation is complete ({out / 'report.json'} "
        "written)"]), err[-2000:]
    assert "figures_failed" not in json.loads((out / "report.json").read_text())


# ---- 3. train --data-dir '~nouser/x': the unknown user named, as eval and image_loaders name it
def test_train_data_dir_of_an_unknown_user_says_so(tmp_path, capfd, quiet_globals):
    "Was: '--data-dir /CWD/~nouserxyz/x: no such folder' (the current folder glued in front)."
    from scae_nb.config import TrainConfig
    from scae_nb.data import DataFolderMissing

    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", tmp_path / "t", "--data-dir", "~nouserxyz/x"],
                             capfd)
    assert (rc, one_line(err)) == (2, "scae-nb train: error: --data-dir ~nouserxyz/x: no user nouserxyz, so "
                                      "~nouserxyz names no home folder"), err
    assert not (tmp_path / "t").exists()
    with pytest.raises(DataFolderMissing, match="^data_dir='~nouserxyz/x': no user nouserxyz, so ~nouserxyz names"):
        TrainConfig(data_dir="~nouserxyz/x")


# ---- 4. TFRMSprop: a bool is no learning rate (nor decay, momentum, eps)
@pytest.mark.parametrize("option", ["lr", "decay", "momentum", "eps"])
@pytest.mark.parametrize("way", ["keyword", "group"])
def test_tfrmsprop_refuses_a_bool(option, way):
    "Was: lr=True, decay=True, eps=True taken as 1; momentum=True 'must be less than 1, got True'."
    from scae_nb.optim import TFRMSprop

    p = [torch.nn.Parameter(torch.zeros(2))]
    with pytest.raises(TypeError, match=f"^{option} must be a number, got bool True$"):
        if way == "keyword": TFRMSprop(p, **{"lr": 1e-3, option: True})
        else: TFRMSprop([{"params": p, option: True}], lr=1e-3)


# ---- 5. eval --help names the default folder as the refusals do: RUN/eval/STEP
def test_eval_help_names_the_default_folder_run_eval_step(capfd, quiet_globals):
    "Was: '(None: RUN/eval/CHECKPOINT or ...)' in --help, 'RUN/eval/STEP' in the refusals."
    rc, out, _ = inproc_main(["eval", "--help"], capfd)
    text = " ".join(out.split())
    assert rc == 0 and "RUN/eval/STEP" in text and "RUN/eval/CHECKPOINT" not in text, text
    assert "step_00000020" in text, text
