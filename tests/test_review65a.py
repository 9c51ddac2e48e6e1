"""fx65a: paths a user copies from scae-nb's lines as one shell word, and values shown in refusals as typed.

The command-line tests run `python -m scae_nb.cli` in a child process, on one tiny synthetic run made once.
"""
import json
from pathlib import Path

import pytest
from cli_run import TINY, scae

from scae_nb.utils import cli_words


def _line(done) -> str:
    "The one line a refusal prints, checked to be one line."
    assert done.stderr.count("\n") == 1, done.stderr[-2000:]
    return done.stderr.strip()


@pytest.fixture(scope="module")
def spaced_run(tmp_path_factory) -> Path:
    "HOME/'my run': a 2-step synthetic run made by `scae-nb train --out 'my run'`; its finished line in HOME/train.txt."
    home = tmp_path_factory.mktemp("fx65a")
    done = scae("train", "--dataset", "synthetic", "--steps", "2", "--out", "my run", *TINY, cwd=home)
    assert done.returncode == 0, done.stderr[-2000:]
    (home / "train.txt").write_text(done.stdout + done.stderr)
    return home / "my run"


def _entries(folder: Path) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*")}


# ---- 1. one _shell_path, in 92_utils, that every module uses
def test_1_shell_path_lives_in_utils():
    import scae_nb.checkpoints, scae_nb.data, scae_nb.evaluation, scae_nb.pretrained, scae_nb.training, scae_nb.utils
    one = scae_nb.utils._shell_path
    assert all(m._shell_path is one for m in (scae_nb.checkpoints, scae_nb.data, scae_nb.evaluation,
                                              scae_nb.pretrained, scae_nb.training))
    assert one("-r") == "./-r" and one("a\nb") == "$'a\\nb'"


# ---- 2. the --data-dir fix line and the diverged checkpoint's eval line: a path typed as _shell_path writes it
def test_2_data_dir_line_one_shell_word(monkeypatch):
    "Was `pass --data-dir -d` (an option to argparse) and a quoted newline that broke the line in two."
    from scae_nb.data import _mnist_parent_said
    monkeypatch.delenv("SCAE_DATA", raising=False)
    with cli_words():
        assert _mnist_parent_said(Path("-d/MNIST"), Path("-d"))[1] == "pass --data-dir ./-d"
        assert _mnist_parent_said(Path("a\nb/MNIST"), Path("a\nb"))[1] == "pass --data-dir $'a\\nb'"
    monkeypatch.setenv("SCAE_DATA", "~d/MNIST")
    assert _mnist_parent_said(Path("~d/MNIST"), Path("~d"))[1] == "set it to './~d'"    # not $HOME's d


def test_2_diverged_eval_line_one_shell_word():
    "Was `--checkpoint -x/step_00000002.pt`, which argparse reads as an option."
    from scae_nb.pretrained import _diverged_fix
    assert "(scae-nb eval --checkpoint ./-x/step_00000002.pt draws" in _diverged_fix(None, "-x/step_00000002.pt", "NaN")
    assert "--checkpoint $'a\\nb.pt' draws" in _diverged_fix(None, "a\nb.pt", "inf")


# ---- 3. train's finished line and eval's 'evaluating' line: a spaced path quoted, to paste as one argument
def test_3_train_finished_line_quotes_checkpoint(spaced_run):
    said = (spaced_run.parent / "train.txt").read_text()
    assert "scae-nb train: finished 2 steps; checkpoint 'my run/checkpoints/step_00000002.pt'; " in said


def test_3_eval_line_quotes_checkpoint_and_run(spaced_run):
    done = scae("eval", "--checkpoint", "my run", "--out", "report", "--max-batches", "2", "--no-figures",
                "--no-progress", cwd=spaced_run.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert ("scae-nb eval: evaluating 'my run/checkpoints/step_00000002.pt', the newest intact checkpoint of "
            "'my run'\n") in done.stderr


# ---- 4. a value that whitespace starts or ends, or that does not print, shown quoted
def test_4_as_given_quotes_edge_space():
    from scae_nb.utils import as_given, said
    with cli_words():
        assert said("checkpoint", "runs/try ") == "--checkpoint 'runs/try '"
        assert said("checkpoint", Path("\truns/try")) == "--checkpoint $'\\truns/try'"
        assert said("checkpoint", "runs/try") == "--checkpoint runs/try"            # plain: as it is
    assert as_given("checkpoint", "runs/try ") == "checkpoint='runs/try '"


def test_4_eval_checkpoint_with_trailing_space(tmp_path):
    "Was `--checkpoint runs/try : no such file ...`, which reads as runs/try."
    done = scae("eval", "--checkpoint", "runs/try ", "--no-progress", cwd=tmp_path)
    assert done.returncode == 2
    assert _line(done).startswith("scae-nb eval: error: --checkpoint 'runs/try ': no such file or folder")


# ---- 5. --out "runs/try " (a pasted space) refused, nothing written
def test_5_train_out_with_trailing_space(tmp_path):
    "Was: a run folder named 'try ' made beside where 'try' would be."
    done = scae("train", "--dataset", "synthetic", "--steps", "1", "--out", "runs/try ", *TINY, cwd=tmp_path)
    assert (done.returncode, _line(done)) == (2, "scae-nb train: error: --out 'runs/try ': whitespace ends the "
                                                 "folder's name (pasted?); did you mean --out runs/try?")
    assert _entries(tmp_path) == set()


def test_5_eval_out_with_leading_space(spaced_run):
    before = _entries(spaced_run.parent)
    done = scae("eval", "--checkpoint", "my run", "--out", " rep", "--no-progress", cwd=spaced_run.parent)
    assert (done.returncode, _line(done)) == (2, "scae-nb eval: error: --out ' rep': whitespace starts the "
                                                 "folder's name (pasted?); did you mean --out rep?")
    assert _entries(spaced_run.parent) == before


def test_5_existing_spaced_folder_still_passes(tmp_path):
    "A folder already there under such a name (made on purpose, or before this check) is used, not refused."
    from scae_nb.utils import check_out_folder
    (tmp_path / "kept ").mkdir()
    assert check_out_folder(tmp_path / "kept ") == tmp_path / "kept "


# ---- 6. --checkpoint an evaluation's folder or a folder inside a run: said what it is
def test_6_eval_folder_as_checkpoint(spaced_run):
    folder = spaced_run / "eval" / "step_00000002"
    folder.mkdir(parents=True, exist_ok=True)
    checkpoint = (spaced_run / "checkpoints" / "step_00000002.pt").resolve()
    (folder / "report.json").write_text(json.dumps(dict(checkpoint=str(checkpoint), steps=2, wall_s=1.0)))
    done = scae("eval", "--checkpoint", "my run/eval/step_00000002", "--no-progress", cwd=spaced_run.parent)
    assert (done.returncode, _line(done)) == (
        2, f"scae-nb eval: error: --checkpoint 'my run/eval/step_00000002': an evaluation's folder (its report.json, "
           f"of '{checkpoint}'), not a run: give it, --checkpoint '{checkpoint}'")


@pytest.mark.parametrize("inside", ["eval", "figures"])
def test_6_folder_inside_run_as_checkpoint(spaced_run, inside):
    (spaced_run / inside).mkdir(exist_ok=True)
    done = scae("eval", "--checkpoint", f"my run/{inside}", "--no-progress", cwd=spaced_run.parent)
    assert (done.returncode, _line(done)) == (
        2, f"scae-nb eval: error: --checkpoint 'my run/{inside}': a folder inside the run 'my run': give the run itself, "
           "--checkpoint 'my run'")
