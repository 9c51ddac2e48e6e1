"""Review 65h (rv65g, rv65e): what a newcomer meets after review 65b's changes, each in one line.

1. a run saved with an lr under float32's smallest normal (accepted before 65b) still resumes with a new `--lr`
   and `--allow-change lr`; kept, it is refused naming the checkpoint's lr and the fix.
"""
import json

import pytest
import torch
from cli_run import SYNTHETIC_TINY, scae

TINY_LR = 1e-40                        # under float32's smallest normal: 0 steps, refused since review 65b


@pytest.fixture(scope="module")
def tiny_lr_run(tmp_path_factory):
    "A 1-step synthetic run `old` whose checkpoint and config.json hold lr 1e-40, as a run of before review 65b did."
    from scae_nb.checkpoints import save_checkpoint
    folder = tmp_path_factory.mktemp("tiny_lr")
    done = scae("train", "--steps", "1", "--out", "old", "--threads", "1", *SYNTHETIC_TINY, cwd=folder)
    assert done.returncode == 0, done.stderr
    path = folder / "old" / "checkpoints" / "step_00000001.pt"
    state = torch.load(path, weights_only=True)
    state.pop("digest")
    state["config"]["lr"] = TINY_LR
    for group in state["optimizer"]["param_groups"]: group["lr"] = TINY_LR
    save_checkpoint(state, path)
    record = json.loads((folder / "old" / "config.json").read_text())
    (folder / "old" / "config.json").write_text(json.dumps({**record, "lr": TINY_LR}))
    return folder


def test_1_tiny_saved_lr_resumes_with_a_new_lr(tiny_lr_run, tmp_path):
    import shutil
    shutil.copytree(tiny_lr_run / "old", tmp_path / "old")
    done = scae("train", "--resume", "--out", "old", "--steps", "2", "--lr", "1e-3", "--allow-change", "lr",
                "--threads", "1", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "old" / "checkpoints" / "step_00000002.pt").is_file()
    saved = torch.load(tmp_path / "old" / "checkpoints" / "step_00000002.pt", weights_only=True)
    assert saved["config"]["lr"] == 1e-3
    assert {group["lr"] for group in saved["optimizer"]["param_groups"]} == {1e-3}


def test_1_tiny_saved_lr_kept_refused_naming_it(tiny_lr_run):
    done = scae("train", "--resume", "--out", "old", "--steps", "2", "--threads", "1", "--no-progress",
                cwd=tiny_lr_run)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("scae-nb train: error: the checkpoint's lr 1e-40 is under float32's smallest normal"), last
    assert last.endswith("give --lr X --allow-change lr"), last
    assert not (tiny_lr_run / "old" / "checkpoints" / "step_00000002.pt").exists()


def test_1_tiny_saved_lr_read_by_resumed_changes():
    "The API's reading of a saved config (`resumed_changes`) takes the tiny lr as saved, the new lr as a change."
    from scae_nb.config import TrainConfig, resumed_changes
    cfg = TrainConfig.preset("official", dataset="synthetic", batch_size=8, model=dict(n_parts=4, n_objects=3))
    saved = {**cfg.to_dict(), "lr": TINY_LR}
    assert resumed_changes(saved, cfg) == {"lr": (TINY_LR, cfg.lr)}


def _exit(argv, capsys):
    "(exit status, stdout, stderr) of parsing `argv` in this process (`_parsed`)."
    from scae_nb.cli import _parsed
    with pytest.raises(SystemExit) as caught:
        _parsed(argv, argv[0])
    out, err = capsys.readouterr()
    return caught.value.code, out, err


def test_2_help_wins_over_a_number_word(capsys):
    code, out, err = _exit(["eval", "--help", "--out", "-inf"], capsys)
    assert (code, err) == (0, ""), err
    assert out.startswith("usage: scae-nb eval"), out


def test_2_an_unknown_option_blamed_before_a_number_word(capsys):
    code, _, err = _exit(["eval", "--bogus", "--out", "-inf"], capsys)
    assert code == 2
    assert err.startswith("scae-nb eval: error: unrecognized arguments: --bogus"), err


@pytest.mark.parametrize("word", ["-inf", "-1e3", "-1"])
def test_2_dashed_words_on_a_text_option_alike(capsys, word):
    code, _, err = _exit(["eval", "--checkpoint", "x", "--out", word], capsys)
    assert code == 2
    assert err == ("scae-nb eval: error: argument --out: expected one argument (a value that starts with '-' is "
                   "joined to it by '=': --out=-VALUE)\n"), err


def _warned(argv, capsys):
    "stderr of parsing `argv` (it parses) in this process (`_parsed`)."
    from scae_nb.cli import _parsed
    _parsed(argv, argv[0])
    return capsys.readouterr().err


def test_3_repeatable_options_not_warned(capsys):
    assert _warned(["train", "--dataset", "synthetic", "--allow-change", "lr", "--allow-change", "seed"], capsys) == ""


@pytest.mark.parametrize("argv, line", [
    (["--resume", "runs/a", "--resume", "runs/b"], "--resume given twice (runs/a, then runs/b): using runs/b"),
    (["--resume", "runs/a", "--resume=runs/b"], "--resume given twice (runs/a, then runs/b): using runs/b"),
    (["--resume=runs/a", "--resume"], "--resume given twice (runs/a, then --resume alone): using the newest checkpoint in --out"),
    (["--resume=runs/a", "--resume", "--steps", "3"], "--resume given twice (runs/a, then --resume alone): using the newest checkpoint in --out"),
])
def test_3_optional_value_read_as_argparse_reads_it(capsys, argv, line):
    assert _warned(["train", "--dataset", "synthetic", *argv], capsys) == f"scae-nb train: warning: {line}\n"


def test_3_equal_numbers_not_warned(capsys):
    assert _warned(["train", "--dataset", "synthetic", "--decay", "0", "--decay", "-0"], capsys) == ""


def test_3_warned_by_process_0_only(capsys, monkeypatch):
    monkeypatch.setenv("RANK", "1")
    assert _warned(["train", "--dataset", "synthetic", "--seed", "1", "--seed", "2"], capsys) == ""
    monkeypatch.setenv("RANK", "0")
    assert "--seed given twice" in _warned(["train", "--dataset", "synthetic", "--seed", "1", "--seed", "2"], capsys)


@pytest.mark.parametrize("argv, hint", [
    (["--checkpoint", "runs/try", "."], ""),                       # --checkpoint given: no second one offered
    (["--checkpoint=runs/try", "notes.txt"], ""),
    (["notes.txt"], ""),                                           # a text file holds no checkpoint
    (["."], ""),                                                   # nor a folder of no run
    (["runs/try"], "; did you mean --checkpoint runs/try?"),        # a run folder
    (["w.pt"], "; did you mean --checkpoint w.pt?"),                # a checkpoint's file
    (["mnist-cpu"], "; did you mean --checkpoint mnist-cpu?"),      # a shipped model
])
def test_3_stray_checkpoint_only_for_a_checkpoint(capsys, monkeypatch, tmp_path, argv, hint):
    (tmp_path / "runs" / "try" / "checkpoints").mkdir(parents=True)
    (tmp_path / "runs" / "try" / "checkpoints" / "step_00000001.pt").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("notes")
    (tmp_path / "w.pt").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    code, _, err = _exit(["eval", *argv], capsys)
    assert code == 2
    stray = argv[-1]
    assert err == f"scae-nb eval: error: unrecognized arguments: {stray}{hint}\n", err


@pytest.mark.parametrize("cli", [True, False])
def test_4_mnist_folder_refusal_one_line(tmp_path, monkeypatch, cli):
    "rv65e F9: a data folder whose name holds a newline is shown as one word, so the line is whole."
    import contextlib
    from scae_nb.data import _check_not_inside_mnist, _DATA_DIR_GIVEN
    from scae_nb.utils import cli_words
    raw = tmp_path / "n\nl" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte").write_bytes(b"")
    monkeypatch.delenv("SCAE_DATA", raising=False)
    token = _DATA_DIR_GIVEN.set(True)
    try:
        with cli_words() if cli else contextlib.nullcontext():
            line = _refused(_check_not_inside_mnist, raw.parent, ["train-images-idx3-ubyte"])
    finally:
        _DATA_DIR_GIVEN.reset(token)
    assert "\n" not in line, line
    folder = f"$'{tmp_path}/n\\nl/MNIST'" if cli else repr(f"{tmp_path}/n\nl/MNIST")
    assert line.startswith(f"{folder} is MNIST's own folder (its files are in "), line


def _refused(function, *args, **kwargs) -> str:
    with pytest.raises(Exception) as caught:
        function(*args, **kwargs)
    return str(caught.value)


def test_4_empty_folder_is_not_installed(tmp_path, monkeypatch):
    "rv65e F13: an empty `triton/` a `pip uninstall` left imports as a namespace package: not installed, a skip."
    from test_notebooks import not_installed
    (tmp_path / "zz_left_over").mkdir()
    monkeypatch.chdir(tmp_path)                          # `python -c` finds modules in its working folder
    said = not_installed("zz_left_over")
    assert said is not None and said.startswith("No module named 'zz_left_over' (only an empty folder"), said
    (tmp_path / "zz_left_over" / "__init__.py").write_text("")
    assert not_installed("zz_left_over") is None


def test_5_lr_bound_said_exactly():
    "rv65g F6: the bound is 1.1754944e-38, not 1.18e-38 (1.1755e-38 is taken)."
    from scae_nb.config import TrainConfig
    assert TrainConfig(lr=1.1755e-38).lr == 1.1755e-38
    assert "lr must be at least 1.1754944e-38, float32's smallest normal" in _refused(TrainConfig, lr=1.17549435e-38)


def test_5_bench_refuses_a_tiny_lr_before_building():
    "rv65g F5: bench's lr checked with its other arguments, a UsageError, before the model is built."
    from scae_nb.bench import _check_bench_args
    from scae_nb.utils import UsageError
    with pytest.raises(UsageError, match=r"^lr must be at least 1\.1754944e-38.*got 1e-40$"):
        _check_bench_args(1, 0, 1e-40)


def test_5_shipped_name_matched_whatever_its_case(tmp_path, monkeypatch):
    "rv65g F11: run folders are matched case-blind, so are the shipped models' names."
    from scae_nb.analysis import load_model
    monkeypatch.chdir(tmp_path)
    assert _refused(load_model, "MNIST-CPU").endswith("; did you mean checkpoint='mnist-cpu'?")


@pytest.mark.parametrize("cli", [True, False])
def test_5_diverged_line_one_line(tmp_path, cli):
    "rv65e F10: a diverged checkpoint's path that holds a newline starts eval's error as one word."
    import contextlib
    from scae_nb.evaluation import DivergedError, _diverged_error
    from scae_nb.utils import cli_words
    with cli_words() if cli else contextlib.nullcontext():
        line = str(_diverged_error(DivergedError("NaN in m"), "/r/d\nv/ck.pt", tmp_path / "s", tmp_path / "o", False))
    assert "\n" not in line, line
    assert line.startswith(("$'/r/d\\nv/ck.pt'" if cli else repr("/r/d\nv/ck.pt")) + ": NaN in m; "), line


@pytest.mark.parametrize("name", ["v ", " v"])
def test_5_default_report_folder_of_a_spaced_name_taken(tmp_path, name):
    "rv65e F12: `--pretrained 'v .pt'` gets runs/eval/'v ': a name no one typed, not refused as pasted."
    from scae_nb.evaluation import _check_default_out
    _check_default_out(tmp_path / "runs" / "eval" / name)


def test_1_tiny_saved_lr_api_resume_checked():
    "`train(cfg, resume=..., allow_change=['lr'])`'s check (`_check_resumed`) reads the saved tiny lr as saved."
    from scae_nb.config import ConfigChangeError, TrainConfig
    from scae_nb.training import _check_resumed
    cfg = TrainConfig.preset("official", dataset="synthetic", batch_size=8, model=dict(n_parts=4, n_objects=3))
    saved = {**cfg.to_dict(), "lr": TINY_LR}
    _check_resumed(saved, cfg, ["lr"], "ck.pt")                         # allowed: taken
    with pytest.raises(ConfigChangeError, match="lr=1e-40"):
        _check_resumed(saved, cfg, [], "ck.pt")                         # not allowed: the change named
