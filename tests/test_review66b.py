"""Review 66b (rv65n, the closing note of 65): what `scae-nb train --resume` and its neighbours say, each in one line.

1. `--resume X --resume` warns with what a bare `--resume` means (the newest checkpoint in --out), not 'latest';
2. every refusal of `--resume X` begins with the option as given, `--resume X: ...` (a folder, an empty or damaged
   file, an evaluation's folder, a checkpoints folder; with `--out` or not);
3. `--resume --out 'runs/try '`: the value shown quoted, its trailing space seen;
4. a stray word: `train RUN` -> `--resume --out RUN`, `train WORD` -> `--out WORD`, eval's `--checkpoint` kept;
5. a refused `--lr 1e-4` on a resume is shown as typed, not 0.0001;
6. a config.json edited by hand (lr) names the way to use it, `--lr X --allow-change lr`;
7. `--data-dir ' /x'`: the joined path quoted (`'/here/ /x'`);
8. tools/amp_study.py `--lr 1e-40`: refused as train's, under float32's smallest normal.
"""
import json
import shutil
import subprocess
import sys

import pytest
from cli_run import ROOT, SYNTHETIC_TINY, make_eval_folder, make_synthetic_run, scae

ERROR = "scae-nb train: error: "


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    "A folder holding `syn`, a 2-step synthetic run, and odd things to give `--resume`."
    folder = tmp_path_factory.mktemp("rv66b")
    make_synthetic_run(folder)
    (folder / "empty").mkdir()
    (folder / "blank.pt").write_bytes(b"")
    (folder / "junk.pt").write_text("garbage")
    make_eval_folder(folder)
    return folder


def last_line(done: subprocess.CompletedProcess) -> str:
    return done.stderr.strip().splitlines()[-1]


def test_1_resume_alone_said_as_the_user_knows_it(tmp_path):
    done = scae("train", "--resume", "runs/a", "--resume", "--out", "nothing", "--dataset", "synthetic", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[0] == ("scae-nb train: warning: --resume given twice (runs/a, then --resume alone): "
                                           "using the newest checkpoint in --out"), done.stderr


@pytest.mark.parametrize("given, rest", [
    ("empty", "a folder, not a checkpoint"),
    ("blank.pt", "not a readable checkpoint (the file is empty)"),
    ("junk.pt", "not a readable checkpoint (damaged or not a PyTorch file)"),
    ("evalout", "a folder, not a checkpoint"),
    ("syn/checkpoints", "a folder, not a checkpoint (did you mean syn/checkpoints/step_00000002.pt?)"),
])
def test_2_resume_refusals_begin_with_the_option(run_folder, given, rest):
    done = scae("train", "--resume", given, "--steps", "3", "--threads", "1", "--no-progress", cwd=run_folder)
    assert done.returncode in (1, 2), done.stderr
    assert last_line(done) == f"{ERROR}--resume {given}: {rest}", done.stderr


def test_2_with_out_too(run_folder):
    done = scae("train", "--resume", "junk.pt", "--out", "syn", "--steps", "3", "--threads", "1", cwd=run_folder)
    assert last_line(done).startswith(f"{ERROR}--resume junk.pt: not a readable checkpoint"), done.stderr


def test_3_out_with_a_trailing_space_quoted(tmp_path):
    done = scae("train", "--resume", "--out", "runs/try ", "--dataset", "synthetic", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "--out 'runs/try ': no such folder" in last_line(done), done.stderr


@pytest.mark.parametrize("command, word, hint", [
    ("train", "syn", "did you mean --resume --out syn?"),               # a run folder: continued so
    ("train", "runs/try", "did you mean --out runs/try?"),              # no run there: a new run's folder
    ("train", "syn/checkpoints/step_00000001.pt", "did you mean --resume syn/checkpoints/step_00000001.pt?"),
    ("eval", "syn", "did you mean --checkpoint syn?"),
])
def test_4_stray_word_names_its_option(run_folder, command, word, hint):
    done = scae(command, word, cwd=run_folder)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"scae-nb {command}: error: unrecognized arguments: {word}; {hint}", done.stderr


def test_5_refused_lr_shown_as_typed(run_folder):
    done = scae("train", "--resume", "--out", "syn", "--steps", "3", "--lr", "1e-4", "--threads", "1", cwd=run_folder)
    assert done.returncode == 2, done.stderr
    assert "this command asks for --lr 1e-4: " in last_line(done), done.stderr


def test_6_edited_config_names_the_way_out(run_folder, tmp_path):
    shutil.copytree(run_folder / "syn", tmp_path / "syn")
    record = json.loads((tmp_path / "syn" / "config.json").read_text())
    (tmp_path / "syn" / "config.json").write_text(json.dumps({**record, "lr": 0.001}))
    done = scae("train", "--resume", "--out", "syn", "--steps", "3", "--threads", "1", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if "config.json: lr 0.001" in line]
    assert len(warned) == 1 and warned[0].endswith("; to use it, give --lr 0.001 --allow-change lr"), done.stderr


def test_7_data_dir_joined_path_quoted(tmp_path):
    done = scae("train", "--dataset", "mnist", "--data-dir", " /x", "--steps", "1", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert last_line(done) == f"{ERROR}--data-dir '{tmp_path}/ /x': no such folder", done.stderr


def test_8_amp_study_lr_under_float32(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "amp_study.py"), "--lr", "1e-40"], cwd=tmp_path,
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2, done.stderr
    assert "--lr must be at least 1.1754944e-38, float32's smallest normal" in last_line(done), done.stderr



def test_6_every_edited_field_is_in_the_fix(tmp_path):
    "Was: the fix took the first three edited fields only (`keys[:3]`) and still said 'them': a 4th edit stayed unused."
    from scae_nb.training import _record_line
    from scae_nb.utils import cli_words
    used = {"lr": 3e-4, "decay": 0.9, "momentum": 0.9, "eps": 1e-8, "model": {}}
    edited = {"lr": 1e-3, "decay": 0.5, "momentum": 0.5, "eps": 1e-6}
    where = tmp_path / "config.json"
    where.write_text(json.dumps({**used, **edited}))
    with cli_words():
        line = _record_line(where, tmp_path / "step_00000004.pt", used, used)
    assert "and 1 more not used" in line, line              # the warning names three, counts the rest
    assert line.partition("; to use them, give ")[2].startswith(
        "--lr 0.001 --decay 0.5 --momentum 0.5 --eps 1e-06"), line
