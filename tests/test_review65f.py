"""fx65f: rv65e's findings on fx65a's lines: every new name of --out checked for pasted whitespace, a shipped
model's evaluation named as that model, paths in the inside-a-run refusals one shell word, and `$'\\xff'` for a
path's undecodable byte. In-process, on folders made in tmp_path (nothing trained)."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from scae_nb.utils import UsageError, check_out_folder, cli_words, _shell_path, _shell_word


def _refused(f) -> str:
    "The one line `f()` is refused with (UsageError)."
    with pytest.raises(UsageError) as e: f()
    line = str(e.value)
    assert "\n" not in line, line
    return line


def _run(folder: Path) -> Path:
    "A run folder as the refusals see it: run.json only."
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"run_id": "r1"}))
    return folder


# ---- F1: a space pasted before the whole --out path (' runs/x'): its first new name is checked too
def test_f1_leading_space_on_a_new_parent(tmp_path, monkeypatch):
    "Was: no refusal, a folder ' runs' made with the run in it."
    monkeypatch.chdir(tmp_path)
    with cli_words():
        assert _refused(lambda: check_out_folder(" runs/x")) == (
            "--out ' runs/x': whitespace starts the name of folder ' runs' (pasted?); did you mean --out runs/x?")
    assert _refused(lambda: check_out_folder("runs /x ", "cfg.out")) == (
        "cfg.out='runs /x ': whitespace ends the name of folder 'runs ' (pasted?); did you mean cfg.out='runs/x'?")
    assert list(tmp_path.iterdir()) == []


def test_f1_existing_odd_parent_still_passes(tmp_path, monkeypatch):
    "A folder already there under such a name is used: only names made now are checked."
    monkeypatch.chdir(tmp_path)
    (tmp_path / " kept").mkdir()
    assert check_out_folder(" kept/new") == Path(" kept/new")


# ---- F7: a name that is whitespace only: name the folder (the parent would be the cwd or a folder of runs)
@pytest.mark.parametrize("typed, parent", [("./ ", "NAME"), ("runs/ ", "runs/NAME"), ("new /", None)])
def test_f7_whitespace_only_name(tmp_path, monkeypatch, typed, parent):
    "Was `did you mean --out .?` for './ ' and `--out runs?` for 'runs/ '; 'new /' shown as 'new '."
    monkeypatch.chdir(tmp_path)
    with cli_words(): line = _refused(lambda: check_out_folder(typed))
    assert line.startswith(f"--out {_shell_path(typed)}: "), line
    if parent: assert line.endswith(f"(pasted?): name the folder, e.g. --out {parent}"), line


# ---- F2: a shipped model's evaluation: give the model's name, whatever files the cwd holds
@pytest.mark.parametrize("stray", [False, True])
def test_f2_shipped_models_evaluation(tmp_path, monkeypatch, stray):
    "Was: no advice, or with a file `mnist-cpu` in the cwd `give it, --checkpoint mnist-cpu` (by chance)."
    from scae_nb.pretrained import _refuse_inside_run
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "runs" / "eval" / "mnist-cpu"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps(dict(checkpoint="mnist-cpu", steps=1, wall_s=1.0)))
    if stray: (tmp_path / "mnist-cpu").write_text("")
    line = _refused(lambda: _refuse_inside_run(Path("runs/eval/mnist-cpu"), "--checkpoint runs/eval/mnist-cpu"))
    assert line == ("--checkpoint runs/eval/mnist-cpu: an evaluation's folder (its report.json, of mnist-cpu), "
                    "not a run: give it, --checkpoint mnist-cpu")


def test_f2_relative_checkpoint_not_read_from_cwd(tmp_path, monkeypatch):
    "A report's relative checkpoint (no shipped name) is not looked up in the cwd."
    from scae_nb.pretrained import _refuse_inside_run
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "report.json").write_text(json.dumps(dict(checkpoint="x.pt", steps=1, wall_s=1.0)))
    (tmp_path / "x.pt").write_text("")
    line = _refused(lambda: _refuse_inside_run(Path("e"), "--checkpoint e"))
    assert line.endswith("not a run: give a checkpoint file or a run folder"), line


# ---- F3: the run and the evaluated checkpoint in those lines: one shell word (one line, a space seen)
def test_f3_inside_run_paths_one_word(tmp_path, monkeypatch):
    "Was `a folder inside the run a` (cut at the newline), `the run old :` (the space lost)."
    from scae_nb.pretrained import _refuse_inside_run
    monkeypatch.chdir(tmp_path)
    for name in ("a\nb", "old "):
        (_run(tmp_path / name) / "eval").mkdir()
        line = _refused(lambda: _refuse_inside_run(Path(name) / "eval", f"--checkpoint {_shell_path(name + '/eval')}"))
        assert f"a folder inside the run {_shell_path(name)}: give the run itself, --checkpoint {_shell_path(name)}" \
            in line, line
    step = tmp_path / "a\nb" / "eval" / "step_1"
    step.mkdir()
    evaluated = tmp_path / "a\nb" / "checkpoints" / "step_1.pt"
    (step / "report.json").write_text(json.dumps(dict(checkpoint=str(evaluated), steps=1, wall_s=1.0)))
    line = _refused(lambda: _refuse_inside_run(Path("a\nb/eval/step_1"), "--checkpoint x"))
    assert f"(its report.json, of {_shell_path(evaluated)}), not a run" in line, line
    line = _refused(lambda: _refuse_inside_run(Path("a\nb/eval/step_1"), "name='x'"))    # Python: repr
    assert f"(its report.json, of {str(evaluated)!r}), not a run: give the run itself, name='a\\nb'" in line, line


# ---- F5: a path's undecodable byte (surrogate escape) written as bash reads it back: \xHH
def test_f5_undecodable_byte_round_trips():
    "Was `$'r\\U0000dcff'`, which bash reads as three other bytes."
    name = os.fsdecode(b"r\xff")
    assert _shell_word(name) == "$'r\\xff'"
    said = subprocess.run(["bash", "-c", f"printf %s {_shell_path(name)}"], capture_output=True).stdout
    assert said == b"r\xff"


# ---- F6: the run around `.` or a link into it: found on the real path, shown relative to the cwd
def test_f6_dot_and_link_inside_run(tmp_path, monkeypatch):
    "Was the generic 'a folder with no checkpoint' line for `.` inside RUN/eval and for a link to it."
    from scae_nb.pretrained import _refuse_inside_run
    (_run(tmp_path / "old ") / "eval").mkdir()
    (tmp_path / "elink").symlink_to("old /eval")
    monkeypatch.chdir(tmp_path / "old " / "eval")
    assert _refused(lambda: _refuse_inside_run(Path("."), "--checkpoint .")) == (
        "--checkpoint .: a folder inside the run ..: give the run itself, --checkpoint ..")
    monkeypatch.chdir(tmp_path)
    assert _refused(lambda: _refuse_inside_run(Path("elink"), "--checkpoint elink")) == (
        "--checkpoint elink: a folder inside the run 'old ': give the run itself, --checkpoint 'old '")


# ---- F4: the 'holds another run' refusal names --out (and where --force moves the old run) as typed
@pytest.mark.parametrize("name", ["a\nb", "old ", "-r"])
def test_f4_held_run_line_names_out_as_typed(tmp_path, monkeypatch, name):
    "Was the whole line `a` (cut at the newline), `old  holds another run`, `-r holds another run`."
    from scae_nb.checkpoints import _held_run_line
    monkeypatch.chdir(tmp_path)
    _run(tmp_path / name)
    with cli_words(): line = _held_run_line(Path(name), "r1")
    assert line == (f"{_shell_path(name)} holds another run (run r1) with no checkpoint to resume: use --force to "
                    f"start over (the old run is moved to {_shell_path(name + '/replaced/r1')}), or another --out")
    if name != "-r":
        assert _held_run_line(Path(name), "r1").startswith(f"{name!r} holds another run (run r1)")   # Python: repr


# ---- F8: load_checkpoint's folder refusal: the folder and the checkpoint it suggests as typed
def test_f8_folder_hint_one_word(tmp_path, monkeypatch):
    "Was `old /eval is a folder, not a checkpoint (did you mean old /checkpoints/step_00000004.pt?)`: two words."
    from scae_nb.checkpoints import CHECKPOINT_FORMAT, checkpoint_path, load_checkpoint, save_checkpoint
    monkeypatch.chdir(tmp_path)
    run = Path("old ")
    save_checkpoint(dict(format=CHECKPOINT_FORMAT, step=4), checkpoint_path(run, 4))
    (run / "eval").mkdir()
    with cli_words(), pytest.raises(IsADirectoryError) as e: load_checkpoint(run / "eval")
    assert str(e.value) == ("'old /eval' is a folder, not a checkpoint (did you mean "
                            "'old /checkpoints/step_00000004.pt'?)")


# ---- rv65e F12: eval's default report folder (named after a weights file 'w .pt') is no typed name: not refused
def test_f12_default_report_folder_skips_spaced_name(tmp_path, monkeypatch):
    "A mutation dropping `typed=False` in 06c's `_check_default_out` refused it; no test named this."
    from scae_nb.evaluation import _check_default_out
    monkeypatch.chdir(tmp_path)
    with cli_words():
        assert _check_default_out(Path("runs/eval/w ")) is None
        assert _check_default_out(Path("runs/eval/ w")) is None
    assert list(tmp_path.iterdir()) == []                                 # nothing left made



# ---- 04b's other run-folder refusals: the folder named as typed (a newline cut the line there too)
def test_run_folder_without_checkpoint_one_line(tmp_path, monkeypatch):
    "Was `run folder a` then a second line `b has no checkpoint yet ...`: the CLI keeps only the first."
    from scae_nb.pretrained import _refuse_run_folder
    monkeypatch.chdir(tmp_path)
    _run(tmp_path / "a\nb")
    with cli_words():
        line = _refused(lambda: _refuse_run_folder(Path("a\nb"), [], "--checkpoint $'a\\nb'"))
    assert line == "--checkpoint $'a\\nb': run folder $'a\\nb' has no checkpoint yet (none in $'a\\nb/checkpoints')"
    (tmp_path / "plain").mkdir()
    with cli_words():
        line = _refused(lambda: _refuse_run_folder(Path("x\ty"), [], "--checkpoint x"))
    assert line.startswith("--checkpoint x: a folder with no checkpoint in $'x\\ty/checkpoints': give"), line
