"""rv55d findings 3, 4, 7 and its note on Ctrl-C while drawing: a Ctrl-C that cuts `scae-nb eval` says in its one
interrupt line what it left (no report, an earlier one's report.json; or the report without figures); `eval --out
RUN/eval` is refused as `--out RUN` is; a second `--force` over a run with no run id says "the earlier run's files",
not the folder name `legacy-1`. Each test failed on the code before these fixes (fx56a's base, 8ce18bd).
"""

import json
import shutil
from unittest import mock

from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review54d import mnist_data, mnist_run  # noqa: F401 (fixtures: a linked MNIST folder, a 1-step run)

EVAL = ["--max-batches", 2, "--no-progress"]


def _interrupt_lines(err: str) -> list:
    "The lines of `err` that speak of the interrupt or of the report it left."
    return [line for line in err.splitlines() if "interrupted" in line or "report" in line]


# ---- 1. Ctrl-C in the feature pass: no report written, and OUT's report.json is an earlier evaluation's
def test_interrupt_in_the_feature_pass_says_no_report_was_written(mnist_run, tmp_path, capfd, quiet_globals):
    "Was: 'scae-nb eval: interrupted by SIGINT' alone, beside an earlier evaluation's report.json."
    out, fresh = tmp_path / "ev", tmp_path / "fresh"
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", out], capfd)
    assert rc == 0, err[-2000:]
    before = (out / "report.json").read_bytes()
    with mock.patch("scae_nb.evaluation.collect_features", side_effect=KeyboardInterrupt):
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, "--max-batches", 3, "--no-progress",
                                  "--out", out], capfd)
        assert (rc, _interrupt_lines(err)) == (130, [
            f"scae-nb eval: interrupted by SIGINT while evaluating: no report written ({out / 'report.json'} is an "
            "earlier evaluation's)"]), err[-2000:]
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", fresh], capfd)
        assert (rc, _interrupt_lines(err)) == (130, [
            "scae-nb eval: interrupted by SIGINT while evaluating: no report written"]), err[-2000:]
    assert (out / "report.json").read_bytes() == before and not fresh.exists()


# ---- 2. Ctrl-C while eval draws: one line, the report written and the figures not drawn
def test_interrupt_while_drawing_is_said_in_one_line(mnist_run, tmp_path, capfd, quiet_globals):
    "Was: two lines, 'report written to OUT/report.json; figures not drawn' then 'interrupted by SIGINT'."
    out = tmp_path / "ev"
    with mock.patch("scae_nb.evaluation._image_figures", side_effect=KeyboardInterrupt):
        rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", out], capfd)
    assert (rc, _interrupt_lines(err)) == (130, [
        f"scae-nb eval: interrupted by SIGINT while drawing the figures: report written to {out / 'report.json'}; "
        "figures not drawn"]), err[-2000:]
    assert json.loads((out / "report.json").read_text())["figures"] == []


# ---- 3. eval --out RUN/eval: refused as --out RUN is, and --help says a run's folder is refused
def test_eval_out_in_a_runs_eval_folder_itself_is_refused(tmp_path, capfd, quiet_globals):
    "Was: accepted: report.json and figures loose in RUN/eval, beside its per-step folders."
    run = tmp_path / "r"
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", run], capfd)
    assert rc == 0, err[-2000:]
    (run / "eval").mkdir()                                              # as an earlier evaluation left it
    (tmp_path / "evals").symlink_to(run / "eval", target_is_directory=True)   # a link to it: the same
    for out, what in ((run / "eval", f"the eval folder of the training run {run}"),
                      (tmp_path / "evals", f"a link to {run / 'eval'}, the eval folder of the training run {run}")):
        rc, _, err = inproc_main(["eval", "--checkpoint", run, *EVAL, "--out", out], capfd)
        assert (rc, one_line(err)) == (2, (
            f"scae-nb eval: error: --out {out}: is {what}; eval's report and figures would lie loose amid its "
            f"per-step evaluations: choose {run / 'eval' / 'NAME'}, or leave out --out (RUN/eval/STEP)")), err
    assert list((run / "eval").iterdir()) == []
    rc, out, _ = inproc_main(["eval", "--help"], capfd)
    assert rc == 0 and "refused where it would mix with a training run" in " ".join(out.split()), out


# ---- 4. --force over a second run with no run id: its files, not "the run legacy-1"
def test_second_force_over_a_run_with_no_id_says_its_files(tmp_path, capfd, quiet_globals):
    "Was: 'the run legacy-1 in OUT was moved to OUT/replaced/legacy-1' the second time: a folder name, no run id."
    folder = tmp_path / "c2"
    for aside in ("legacy", "legacy-2"):
        folder.mkdir(exist_ok=True)
        for entry in folder.iterdir():                                  # all but replaced/: a config alone
            if entry.name != "replaced": shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        (folder / "config.json").write_text("{}")
        rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", folder, "--force"], capfd)
        said = [line for line in err.splitlines() if "moved to" in line]
        assert (rc, said) == (0, [
            f"scae-nb train: the earlier run's files in {folder} (no run id: no run.json) were "
            f"moved to {folder / 'replaced' / aside}"]), err[-2000:]
