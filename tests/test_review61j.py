"""fx61j (rv61b #8, #10, #11): `scae-nb eval` names a link that leads nowhere as one (not "no such file"), even with
--out given; says once, and in report.json's `note`, that a synthetic run's accuracies are on random labels; and
names both values where --checkpoint and --pretrained are both given.
"""

import json

import pytest

from cli_run import EVAL, make_synthetic_run, scae


def error_lines(run) -> list:
    return [line for line in run.stderr.splitlines() if "error" in line]


@pytest.mark.parametrize("given, why", [
    ("loopa.pt", "loopa.pt: is a link that leads nowhere (a loop of links)"),
    ("dangle.pt", "dangle.pt: is a link that leads nowhere (to missing.pt, which is not there)"),
    ("ldir/step_00000002.pt", "ldir/step_00000002.pt: lies under ldir, which is a link that leads nowhere (a loop of links)"),
])
@pytest.mark.parametrize("out", [[], ["--out", "evaluated"]])
def test_a_link_that_leads_nowhere_is_said_to_be_one(given, why, out, tmp_path):
    "Was: rc 2 'no such file or folder' (a loop that `ls` shows); with --out, rc 1 'Symlink loop from ...'."
    for name, target in (("loopa.pt", "loopb.pt"), ("loopb.pt", "loopa.pt"), ("dangle.pt", "missing.pt"),
                         ("ldir", "ldir2"), ("ldir2", "ldir")):
        (tmp_path / name).symlink_to(target)
    run = scae("eval", "--checkpoint", given, *out, *EVAL, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert error_lines(run) == [f"scae-nb eval: error: --checkpoint {why}"], run.stderr
    assert not (tmp_path / "evaluated").exists()


def test_both_checkpoint_and_pretrained_are_named(tmp_path):
    "Was: 'give exactly one of --checkpoint (...) and --pretrained (...)', naming neither value."
    run = scae("eval", "--checkpoint", "runs/a", "--pretrained", "mnist-cpu", *EVAL, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert error_lines(run) == ["scae-nb eval: error: give exactly one of --checkpoint (a file or run folder) and "
                                "--pretrained (a model name): got --checkpoint runs/a and --pretrained mnist-cpu"]


def test_a_synthetic_run_s_accuracies_are_said_to_measure_nothing(tmp_path):
    "Was: rc 0, accuracies on random labels and no word of it (only k-means' few-points warning)."
    make_synthetic_run(tmp_path)                                # tmp_path/syn
    run = scae("eval", "--checkpoint", "syn", *EVAL, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    said = [line for line in run.stderr.splitlines() if "random" in line]
    note = ("the model was trained on the synthetic data (dataset 'synthetic'), whose labels are random: "
            "its accuracies measure nothing")
    assert said == [f"scae-nb eval: warning: {note}"], run.stderr
    report = json.loads((tmp_path / "syn" / "eval" / "step_00000002" / "report.json").read_text())
    assert report["note"] == note
    assert json.loads(run.stdout) == report
