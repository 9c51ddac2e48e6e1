"""fx66a: rv65n's findings on `scae-nb eval --checkpoint/--pretrained`: a copied run's evaluation folder names the
copy's own checkpoint, one path-quoting helper and one near-runs helper (06_analysis), a folder with a space quoted,
`--pretrained FOLDER` hinted at `--checkpoint` only where that takes it, edge whitespace named, runs/ searched for a
bare name, and a file plainly no checkpoint (x.png) a usage mistake (exit status 2). In-process, on folders made in
tmp_path (nothing trained)."""
import json
import shutil

import pytest

from cli_run import make_fake_run
from test_reliability import inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)



def _eval(argv, capfd) -> tuple[int, str]:
    "(exit status, the one line on stderr) of `scae-nb eval *argv`."
    rc, _, err = inproc_main(["eval", *argv], capfd)
    return rc, one_line(err)


@pytest.fixture
def here(tmp_path, monkeypatch, quiet_globals):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---- 1: a copied run's eval/STEP names the copy's own checkpoint, not the original's absolute path
def test_1_copied_run_names_its_own_checkpoint(here, capfd):
    "Was: `give it, --checkpoint /…/runs/a/checkpoints/step_00000004.pt`: pasted, it evaluates the other copy."
    run = make_fake_run(here / "runs" / "a")
    report = run / "eval" / "step_00000004" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"checkpoint": str(run.resolve() / "checkpoints" / "step_00000004.pt"),
                                  "steps": 4, "wall_s": 1.0}))
    shutil.copytree(run, here / "runs" / "b")
    rc, line = _eval(["--checkpoint", "runs/b/eval/step_00000004"], capfd)
    assert rc == 2 and line.endswith("give this run's step_00000004.pt, "
                                     "--checkpoint runs/b/checkpoints/step_00000004.pt"), line
    rc, line = _eval(["--checkpoint", "runs/a/eval/step_00000004"], capfd)     # the original's: its own
    assert rc == 2 and line.endswith(f"give it, --checkpoint {run.resolve()}/checkpoints/step_00000004.pt"), line
    (here / "runs" / "b" / "checkpoints" / "step_00000004.pt").unlink()
    (here / "runs" / "b" / "checkpoints" / "step_00000002.pt").touch()       # not that step: the run
    rc, line = _eval(["--checkpoint", "runs/b/eval/step_00000004"], capfd)
    assert rc == 2 and line.endswith("give the run itself, --checkpoint runs/b"), line


# ---- 2: one of each helper
def test_2_one_path_said_and_one_runs_named_near():
    "Was: 06 `_checkpoint_said` and 06c `_path_said`; 06 `_names_near`'s run part and 06c `_runs_named_near`."
    from scae_nb import analysis, evaluation
    assert evaluation._path_said is analysis._path_said
    assert evaluation._runs_named_near is analysis._runs_named_near
    assert not hasattr(analysis, "_checkpoint_said")


# ---- 3: a run folder with a space is one shell word in `_run_checkpoint`'s refusals
def test_3_run_folder_with_a_space_is_quoted(here, capfd):
    "Was: `--checkpoint my run: run folder 'my run' has no checkpoint yet`: two words pasted."
    (here / "my run").mkdir()
    (here / "my run" / "run.json").write_text("{}")
    rc, line = _eval(["--checkpoint", "my run"], capfd)
    assert rc == 2 and line.startswith("scae-nb eval: error: --checkpoint 'my run': run folder 'my run' "), line


# ---- 4: --pretrained FOLDER hinted at --checkpoint only where --checkpoint takes it
def test_4_pretrained_eval_folder_gets_no_checkpoint_hint(here, capfd):
    "Was: `(did you mean --checkpoint 'old /eval'?)`, which --checkpoint refuses again."
    make_fake_run(here / "old ")
    (here / "old " / "eval" / "step_00000004").mkdir(parents=True)
    for folder in ("old /eval", "old /eval/step_00000004"):
        rc, line = _eval(["--pretrained", folder], capfd)
        assert rc == 2 and "did you mean" not in line, line
    rc, line = _eval(["--pretrained", "old "], capfd)                   # a run: --checkpoint takes it
    assert rc == 2 and line.endswith("(did you mean --checkpoint 'old '?)"), line


# ---- 5: edge whitespace pasted into the path
@pytest.mark.parametrize("given", [" runs/try", "runs/try "])
def test_5_edge_whitespace_is_named(here, capfd, given):
    "Was: `--checkpoint ' runs/try': no such file or folder`, no hint."
    make_fake_run(here / "runs" / "try")
    rc, line = _eval(["--checkpoint", given], capfd)
    assert rc == 2 and line == (f"scae-nb eval: error: --checkpoint '{given}': no such file or folder; "
                                "did you mean --checkpoint runs/try?"), line


def test_5_edge_whitespace_around_a_shipped_name(here, capfd):
    rc, line = _eval(["--pretrained", " mnist-cpu"], capfd)
    assert rc == 2 and line.endswith("(did you mean --pretrained mnist-cpu?)"), line
    rc, line = _eval(["--checkpoint", "mnist-cpu "], capfd)
    assert rc == 2 and line.endswith("; did you mean --checkpoint mnist-cpu?"), line


# ---- 6: a bare name mistyped is looked for in runs/ too
def test_6_bare_name_looks_in_runs(here, capfd):
    "Was: only the shipped models listed: `scae-nb train` puts runs in runs/ by default."
    make_fake_run(here / "runs" / "try")
    rc, line = _eval(["--checkpoint", "tyr"], capfd)
    assert rc == 2 and line.endswith("; runs/try holds a run: evaluate it with --checkpoint runs/try"), line


# ---- 7: a file plainly no checkpoint is a usage mistake; a damaged .pt stays exit status 1
def test_7_an_image_is_a_bad_command_line(here, capfd):
    "Was: exit status 1, `x.png: not a readable checkpoint (damaged or not a PyTorch file)`."
    (here / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    (here / "notes.txt").write_text("the run I liked\n")
    for name in ("x.png", "notes.txt"):
        rc, line = _eval(["--checkpoint", name], capfd)
        assert rc == 2 and line.startswith(f"scae-nb eval: error: --checkpoint {name}: not a checkpoint"), line
    assert not (here / "eval").exists() and sorted(p.name for p in here.iterdir()) == ["notes.txt", "x.png"]
    (here / "damaged.pt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    rc, line = _eval(["--checkpoint", "damaged.pt"], capfd)
    assert rc == 1 and "damaged.pt: not a readable checkpoint" in line, line
