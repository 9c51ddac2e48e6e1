"""fx64c: the command line's numbers, values that start with '-', quoted paths, a stray evaluation above a run.

Each test runs the command as a user would (`python -m scae_nb.cli`, or the tool's script) in a child process.
"""
import json
import sys
from pathlib import Path

import pytest
from cli_run import ROOT, SYNTHETIC_TINY, scae

REPORT = dict(checkpoint="c.pt", steps=1, wall_s=1.0)     # what `scae-nb eval` writes, enough to be its report


def _line(done) -> str:
    "The one line a refusal prints, checked to be one line."
    assert done.stderr.count("\n") == 1, done.stderr[-2000:]
    return done.stderr.strip()


# ---- 1, 2. float() reads 1_0 as 10 and ٣e-400 as 0; int() reads 1_000: refused, naming the value
@pytest.mark.parametrize("option, value, why", [
    ("--lr", "1_0", "invalid float value: '1_0' (no '_' in a number)"),
    ("--lr", "٣e-400", "invalid float value: '٣e-400' (non-ASCII character '٣')"),
    ("--lr", "１e999", "invalid float value: '１e999' (non-ASCII character '１')"),
    ("--lr", "\u22121e-3", "invalid float value: '−1e-3' ('−' is not an ASCII minus)"),     # rv64g #3: was 'digits 0-9 only'
    ("--steps", "1_000", "invalid int value: '1_000' (no '_' in a number)"),
    ("--steps", "１０", "invalid int value: '１０' (non-ASCII character '１')"),
])
def test_1_2_unplain_numbers_refused(tmp_path, option, value, why):
    "Was: --lr 1_0 trained at 10.0, --lr ٣e-400 at 0.0 (no range check), --steps 1_000 ran 1000 steps."
    done = scae("train", *SYNTHETIC_TINY, option, value, "--out", "r", cwd=tmp_path)
    assert (done.returncode, _line(done)) == (2, f"scae-nb train: error: argument {option}: {why}")
    assert not (tmp_path / "r").exists()


# ---- 3. --lr -inf: the option's own line, not argparse's 'expected one argument'
@pytest.mark.parametrize("value, said", [("-inf", "--lr must be a finite number, got -inf"),
                                         ("-1", "--lr must be a positive number, got -1"),
                                         ("-1e-3", "--lr must be a positive number, got -1e-3")])   # as typed
def test_3_negative_values_reach_their_checks(tmp_path, value, said):
    "Was: 'argument --lr: expected one argument' for -inf."
    done = scae("train", *SYNTHETIC_TINY, "--steps", "1", "--lr", value, "--out", "r", cwd=tmp_path)
    assert (done.returncode, _line(done)) == (2, f"scae-nb train: error: {said}")


def test_3_a_dashed_value_is_told_how_to_pass_it(tmp_path):
    "Was: 'argument --out: expected one argument', with no word of --out=-x."
    done = scae("train", "--dataset", "synthetic", "--out", "-x", cwd=tmp_path)
    assert (done.returncode, _line(done)) == (2, "scae-nb train: error: argument --out: expected one argument "
                                                 "(a value that starts with '-' is joined to it by '=': --out=-VALUE)")


def test_3_unicode_space_about_a_number_is_read_as_float_reads_it(tmp_path):
    "rv64g #3. Was: --lr '1e-3\\xa0' refused as 'digits 0-9 only'; float() strips it, as it strips ' 1e-3 '."
    done = scae("train", *SYNTHETIC_TINY, "--steps", "1", "--lr", "1e-3\xa0", "--out", "r", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads((tmp_path / "r" / "config.json").read_text(encoding="utf-8"))["lr"] == 1e-3


# ---- rv64g #2, #8: the '=' hint only for a text option given a word that starts with '-' and is no option
HINT = " (a value that starts with '-' is joined to it by '=': {}=-VALUE)"


@pytest.mark.parametrize("argv, option, hinted", [
    (["--lr"], "--lr", False),                           # a value left out, last: argparse's line
    (["--out", "--force"], "--out", False),              # left out, before another option
    (["--lr", "-x"], "--lr", False),                     # a number option: '=' changes nothing
    (["--out", "-x"], "--out", True),
    (["--out", "-information"], "--out", True),          # #8: was taken as a value, a folder '-information' made
    (["--out", "-nano"], "--out", True),                 # #8: was a folder '-nano' (a whole -nan, -INF: a value)
])
def test_2_8_dash_hint_only_where_it_helps(tmp_path, argv, option, hinted):
    "Was: the hint after every 'expected one argument', --lr and a forgotten --out value too; -information a value."
    done = scae("train", "--dataset", "synthetic", "--steps", "1", *argv, cwd=tmp_path)
    said = f"scae-nb train: error: argument {option}: expected one argument"
    assert (done.returncode, _line(done)) == (2, said + (HINT.format(option) if hinted else ""))
    assert list(tmp_path.iterdir()) == []


# ---- rv64g #9: bench has no --dataset; --target is not what was meant
def test_9_bench_dataset_suggests_nothing(tmp_path):
    "Was: 'unrecognized arguments: --dataset synthetic; did you mean --target?'."
    done = scae("bench", "--steps", "1", "--dataset", "synthetic", cwd=tmp_path)
    assert (done.returncode, _line(done)) == (2, "scae-nb bench: error: unrecognized arguments: --dataset synthetic")


# ---- 4. a folder to type, with a space: quoted for the shell
def test_4_data_folder_fix_is_shell_quoted(tmp_path, monkeypatch):
    "Was: 'set it to /x/my data, the folder that holds MNIST/': two words to a shell."
    raw = tmp_path / "my data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        (raw / f"{stem}.gz").touch()
    monkeypatch.setenv("SCAE_DATA", str(raw))
    done = scae("train", "--steps", "1", "--out", "r", cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert _line(done).endswith(f"set it to '{tmp_path / 'my data'}', the folder that holds MNIST/"), done.stderr
    monkeypatch.delenv("SCAE_DATA")
    done = scae("train", "--steps", "1", "--data-dir", raw, "--out", "r", cwd=tmp_path)
    assert _line(done).endswith(f"pass --data-dir '{tmp_path / 'my data'}', the folder that holds MNIST/"), done.stderr


# ---- 6. an evaluation's report above a run: no concern of the run's; only the evaluation's folder itself refuses
def test_6_stray_report_high_up_does_not_refuse(tmp_path):
    "Was: 'is inside an evaluation's folder TMP', rc 2, for any run anywhere below a stray report.json."
    (tmp_path / "report.json").write_text(json.dumps(REPORT))
    done = scae("train", *SYNTHETIC_TINY, "--steps", "1", "--out", "runs/a", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "runs" / "a" / "checkpoints" / "step_00000001.pt").is_file()


def test_6_run_in_its_own_folder_inside_an_evaluation_is_accepted(tmp_path):
    "rv64g #1. Was: EVAL/a refused ('would mix with its files'), EVAL/x/a accepted; neither mixes a file."
    (tmp_path / "report.json").write_text(json.dumps(REPORT))
    done = scae("train", *SYNTHETIC_TINY, "--steps", "1", "--out", "a", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "a" / "checkpoints" / "step_00000001.pt").is_file()


def test_6_the_evaluation_folder_itself_still_refused(tmp_path):
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "report.json").write_text(json.dumps(REPORT))
    done = scae("train", *SYNTHETIC_TINY, "--steps", "1", "--out", "ev", cwd=tmp_path)
    assert (done.returncode, _line(done)) == (2, "scae-nb train: error: --out ev: is an evaluation's folder (its "
                                                 "report.json, from scae-nb eval); a run there would mix with its "
                                                 "files: choose another --out")
    assert sorted(p.name for p in (tmp_path / "ev").iterdir()) == ["report.json"]


# ---- 7. the tools' float settings: nan, inf, 1_0 refused as scae-nb refuses them
@pytest.mark.parametrize("tool, argv, said", [
    ("gpu_profile.py", ["OUT", "--device", "cpu", "--variants", "eager", "--budget", "inf"],
     "argument --budget: inf is not a finite number"),
    ("gpu_profile.py", ["OUT", "--device", "cpu", "--variants", "eager", "--cap", "nan"],
     "argument --cap: nan is not a finite number"),
    ("amp_study.py", ["--lr", "nan"], "argument --lr: nan is not a finite number"),
    ("amp_study.py", ["--lr", "1_0"], "argument --lr: invalid float value: '1_0' (no '_' in a number)"),
    ("amp_study.py", ["--lr", "0"], "--lr must be a positive number, got 0.0"),          # rv64g #6: was taken
    ("amp_study.py", ["--lr", "-1e-3"], "--lr must be a positive number, got -0.001"),
])
def test_7_tools_refuse_non_finite_floats(tmp_path, tool, argv, said):
    "Was: --budget inf, --cap nan taken (type=float); amp_study --lr nan trained on nan."
    import os
    import subprocess
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / tool), *argv], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert (done.returncode, _line(done)) == (2, f"{tool}: error: {said}")
    assert not (tmp_path / "OUT").exists()


# ---- rv64g #4, #5: a path to type is one shell word: 'runs/my run' quoted, -r as ./-r, a folder '~' as ./~
@pytest.mark.parametrize("folder, typed", [("runs/my run", "'runs/my run'"), ("-r", "./-r")])
def test_4_resume_of_a_run_folder_names_it_as_typed(tmp_path, folder, typed):
    "Was: 'continue it with --resume --out runs/my run' (two words) and '--out -r' (an option to argparse)."
    (tmp_path / folder / "checkpoints").mkdir(parents=True)
    done = scae("train", "--dataset", "synthetic", f"--resume={folder}", cwd=tmp_path)
    assert (done.returncode, _line(done)) == (2, f"scae-nb train: error: --resume {typed}: a run folder, not a "
                                                 f"checkpoint: continue it with --resume --out {typed} (its newest "
                                                 "checkpoint)")


def test_4_resume_it_and_out_in_run_lines_quote(tmp_path):
    "Was: shlex.quote, so '--out -r' for a run named -r; a newline made the line two."
    from scae_nb.checkpoints import _resume_it, _start_again
    from scae_nb.utils import cli_words
    with cli_words():
        assert _resume_it(Path("-r")) == "--out ./-r"
        assert _start_again("my run", "-x.pt") == "--resume ./-x.pt --out 'my run'"
        assert _resume_it(Path("a\nb")) == "--out $'a\\nb'"


def test_5_a_folder_named_tilde_is_not_the_home_folder(tmp_path, monkeypatch):
    "Was: \"did you mean --checkpoint '~'?\", which scae-nb's expand_user reads as $HOME."
    from scae_nb.evaluation import _name_hint
    from scae_nb.utils import cli_words
    (tmp_path / "~").mkdir()
    (tmp_path / "~" / "run.json").write_text("{}")              # a run folder: --checkpoint takes it (fx66a)
    monkeypatch.chdir(tmp_path)
    with cli_words():
        assert _name_hint("~") == " (did you mean --checkpoint './~'?)"
