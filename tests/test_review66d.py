"""Review 66d (of ba84d28, 07_cli): a stray word's hint offers only what its option takes; `--resume` alone is `latest`.

1. `scae-nb train WORD` (no option took WORD) hinted `--out WORD` for any word: `train runs` trained a new run into
   the folder of runs, `train official` meant `--preset official`, `train mnist` `--dataset mnist`, `train 3` and
   `train x.txt` no folder at all, `train RUN/eval` a path inside a run (refused there), `train 'runs/try '` the
   pasted space. Now: a preset's or dataset's name (read from the parser) -> `--preset`/`--dataset`; a path in a run
   -> `--resume --out RUN`; edge spaces dropped; a number, a file, a folder of runs -> argparse's line alone.
2. `--resume latest --resume` warned "given twice" though argparse reads both as 'latest'; what `--resume` alone
   means was read out of its help text.
"""
import pytest

from scae_nb.cli import _left_out, _parsed, make_parser

ERROR = "scae-nb train: error: unrecognized arguments: "


@pytest.fixture
def runs(tmp_path, monkeypatch):
    "A cwd with runs/try (a checkpoint, eval/3, figures/), x.txt and runs/try/notes.txt; nothing trained."
    run = tmp_path / "runs" / "try"
    for sub in ("checkpoints", "eval/3", "figures"): (run / sub).mkdir(parents=True)
    (run / "checkpoints" / "step_00000003.pt").write_bytes(b"")
    (tmp_path / "x.txt").write_text("notes")
    (run / "notes.txt").write_text("notes")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(capsys, *argv: str, command: str = "train") -> str:
    "The last stderr line of `scae-nb COMMAND ARGV` refused by the parser (exit status 2)."
    with pytest.raises(SystemExit) as stop: _parsed([command, *argv], command)
    assert stop.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize("argv, hint", [
    (["official"], "; did you mean --preset official?"),                 # a preset's name (parser's choices)
    (["mnist"], "; did you mean --dataset mnist?"),                      # a dataset's name
    (["--preset", "paper", "svhn"], "; did you mean --dataset svhn?"),   # --preset given: the dataset's
    (["--dataset", "mnist", "paper"], "; did you mean --preset paper?"),  # a preset's: not --out
    (["--preset", "paper", "official"], ""),                             # --preset given: nothing
    (["--steps", "3", "runs"], ""),                                      # a folder of runs: not --out
    (["3"], ""),                                                         # a number
    (["x.txt"], ""),                                                     # a file, no checkpoint
    (["runs/try/notes.txt"], ""),                                        # a file in a run
    (["runs/try/eval"], "; did you mean --resume --out runs/try?"),      # inside the run: the run
    (["runs/try/eval/3"], "; did you mean --resume --out runs/try?"),
    (["runs/try/checkpoints"], "; did you mean --resume --out runs/try?"),
    (["runs/try/figures"], "; did you mean --resume --out runs/try?"),
    (["runs/try "], "; did you mean --resume --out runs/try?"),         # edge space dropped
    ([" official"], "; did you mean --preset official?"),
    (["runs/new"], "; did you mean --out runs/new?"),                    # a new folder: --out stays
    (["empty"], "; did you mean --out empty?"),
    (["runs/try/checkpoints/step_00000003.pt"], "; did you mean --resume runs/try/checkpoints/step_00000003.pt?"),
])
def test_1_train_stray_word_hint(runs, capsys, argv, hint):
    line = refused(capsys, *argv)
    assert line == f"{ERROR}{argv[-1]}{hint}", line


def test_1_choices_read_from_the_parser(runs, capsys):
    "Every preset the parser offers is hinted as --preset (no list of names kept in 07)."
    train = make_parser("train")._subparsers._group_actions[0].choices["train"]
    presets = next(a.choices for a in train._actions if a.dest == "preset")
    for name in presets:
        assert refused(capsys, name) == f"{ERROR}{name}; did you mean --preset {name}?"


def test_1_eval_has_no_preset_nor_dataset(runs, capsys):
    assert refused(capsys, "official", command="eval") == "scae-nb eval: error: unrecognized arguments: official"
    assert refused(capsys, "runs/try ", command="eval") == (
        "scae-nb eval: error: unrecognized arguments: runs/try ; did you mean --checkpoint runs/try?")


@pytest.mark.parametrize("argv", [["--resume", "latest", "--resume"], ["--resume", "--resume=latest"]])
def test_2_resume_alone_is_latest(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    _parsed(["train", *argv, "--dataset", "synthetic"], "train")
    assert "given twice" not in capsys.readouterr().err


def test_2_left_out_not_read_from_help():
    import argparse
    parser = argparse.ArgumentParser()
    level = parser.add_argument("--level", nargs="?", const="high", help="alone = low")
    assert _left_out(level) == "high"                                   # its const, not the help's words
    resume = next(a for a in make_parser("train")._subparsers._group_actions[0].choices["train"]._actions
                  if a.dest == "resume")
    resume.help = "reworded"
    assert _left_out(resume) == "the newest checkpoint in --out"


def test_2_another_value_still_warned(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _parsed(["train", "--resume", "runs/a", "--resume", "--dataset", "synthetic"], "train")
    assert capsys.readouterr().err.strip() == ("scae-nb train: warning: --resume given twice (runs/a, then --resume "
                                               "alone): using the newest checkpoint in --out")
