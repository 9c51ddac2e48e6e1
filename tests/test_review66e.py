"""fx66e: rv66r's notes on what landed in review 66 (a-d), each with the line it now says.

1. An evaluation's folder whose report.json names a checkpoint with a NUL byte: the run itself is offered
   (04b `_evaluated_again` resolved that text before seeing it is no file: `error: embedded null byte`);
2. `eval --checkpoint official` where runs/official is a run folder (train's default --out): hinted;
3. `train --out 'runs/try/eval '` inside a run: the value quoted as one shell word (`_path_said`);
4. a run named `old ` beside a missing --checkpoint, and `--resume --out 'runs/b '` with no checkpoint: quoted;
5. `train --resume x.png` (no zip, no pickle): exit 2 'not a checkpoint', as eval says it (05aa `_refuse_not_torch`,
   one copy, in `load_checkpoint` given the option's name).
In-process CLI calls on folders made in tmp_path (nothing trained).
"""
import json
from pathlib import Path

import pytest

from cli_run import make_fake_run
from test_reliability import inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)



@pytest.fixture
def here(tmp_path, monkeypatch, quiet_globals):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _eval_folder(here: Path, checkpoint: str) -> Path:
    "runs/try/eval/step_4 with a report.json that names `checkpoint`."
    folder = make_fake_run(here / "runs" / "try") / "eval" / "step_4"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps({"checkpoint": checkpoint, "steps": 4, "wall_s": 1.0}))
    return folder


# ---- 1: a NUL byte in report.json's checkpoint
def test_1_nul_in_report_checkpoint_cli(here, capfd):
    "Was: `scae-nb eval: error: embedded null byte` (no option, no path)."
    _eval_folder(here, "/gone/a\x00b.pt")
    rc, _, err = inproc_main(["eval", "--checkpoint", "runs/try/eval/step_4"], capfd)
    line = one_line(err)
    assert rc == 2 and line.startswith("scae-nb eval: error: --checkpoint runs/try/eval/step_4: an evaluation's folder"), line
    assert line.endswith("give the run itself, --checkpoint runs/try"), line


def test_1_nul_in_report_checkpoint_load_model(here):
    "Was: a ValueError traceback from `Path.resolve`."
    from scae_nb.analysis import load_model
    from scae_nb.utils import UsageError
    _eval_folder(here, "/gone/a\x00b.pt")
    with pytest.raises(UsageError, match="give the run itself, checkpoint='runs/try'"):
        load_model("runs/try/eval/step_4")


# ---- 2: eval --checkpoint official, runs/official a run folder
def test_2_bare_name_of_a_run_in_runs(here, capfd):
    "Was: no hint (`_runs_near` leaves out the exact name); a typo `oficial` got one."
    make_fake_run(here / "runs" / "official")
    rc, _, err = inproc_main(["eval", "--checkpoint", "official"], capfd)
    assert (rc, one_line(err)) == (2, "scae-nb eval: error: --checkpoint official: no such file or folder, and no "
                                      "shipped model of that name (mnist-cpu, mnist-official-gpu); runs/official "
                                      "holds a run: evaluate it with --checkpoint runs/official")


# ---- 3: train --out 'runs/try/eval ' inside a run: quoted
def test_3_out_inside_run_quoted(here, capfd):
    "Was: `--out runs/try/eval : is inside the training run ...` (the trailing space invisible)."
    make_fake_run(here / "runs" / "try")
    rc, _, err = inproc_main(["train", "--out", "runs/try/eval ", "--steps", "3", "--no-progress"], capfd)
    line = one_line(err)
    assert rc == 2 and line.startswith("scae-nb train: error: --out 'runs/try/eval ': is inside the training run"), line


# ---- 4: paths shown as typed
def test_4_run_named_with_edge_space(here, capfd):
    "Was: `; runs/old  holds a run: ...` (the space lost in the prose)."
    make_fake_run(here / "runs" / "old ")
    rc, _, err = inproc_main(["eval", "--checkpoint", "runs/olf"], capfd)
    line = one_line(err)
    assert "; 'runs/old ' holds a run: evaluate it with --checkpoint 'runs/old '" in line, line


def test_4_nothing_to_resume_quoted(here, capfd):
    "Was: `no checkpoint in runs/b /checkpoints to resume`."
    (here / "runs" / "b " / "checkpoints").mkdir(parents=True)
    rc, _, err = inproc_main(["train", "--resume", "--out", "runs/b ", "--steps", "3", "--no-progress"], capfd)
    line = one_line(err)
    assert rc == 2 and "no checkpoint in 'runs/b /checkpoints' to resume" in line, line


# ---- 5: train --resume x.png: a usage mistake, as eval says it
def test_5_resume_not_a_checkpoint(here, capfd):
    "Was: exit 1, `not a readable checkpoint (damaged or not a PyTorch file)`."
    (here / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    rc, _, err = inproc_main(["train", "--resume", "x.png", "--steps", "3", "--no-progress"], capfd)
    assert (rc, one_line(err)) == (2, "scae-nb train: error: --resume x.png: not a checkpoint (neither a zip nor a "
                                      "pickle file, as torch.save writes): give a checkpoint file "
                                      "(RUN/checkpoints/step_*.pt)")


def test_5_one_copy():
    "06 re-exports none of its own: the one function is 05aa's."
    import scae_nb.analysis as analysis
    import scae_nb.checkpoints as checkpoints
    import scae_nb.evaluation as evaluation
    assert evaluation._refuse_not_torch is checkpoints._refuse_not_torch
    assert getattr(analysis, "_refuse_not_torch", checkpoints._refuse_not_torch) is checkpoints._refuse_not_torch
