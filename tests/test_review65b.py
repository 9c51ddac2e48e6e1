"""Review 65b: command-line mistakes a newcomer makes, each answered in one line (exit status 2, nothing written).

1. a mistyped bare `--checkpoint` name names the run folder (or shipped model) it is close to;
2. an `--lr` that is 0 (or subnormal) in float32 is refused;
3. an option given twice with different values: a warning line naming both, the last one used;
4. a stray path or shipped model's name (no `--checkpoint`) gets 'did you mean --checkpoint ...?';
5. a text option given `-inf`, `-NaN`, ... apart gets the `--out=-VALUE` hint, as `--out -x` does.
"""
import pytest
import torch
from cli_run import EVAL, TINY, scae


def _fake_run(folder):
    "A folder `_runs_near` counts as a run: a step file in its checkpoints/."
    (folder / "checkpoints").mkdir(parents=True)
    (folder / "checkpoints" / "step_00000001.pt").write_bytes(b"")
    return folder


def _refused(function, *args, **kwargs) -> str:
    with pytest.raises(Exception) as caught:
        function(*args, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize("typed, run, hint", [
    ("tyr", "try", "; try holds a run: evaluate it with checkpoint='try'"),
    ("./tyr", "try", "; try holds a run: evaluate it with checkpoint='try'"),
    ("my rnu", "my run", "; my run holds a run: evaluate it with checkpoint='my run'"),
    ("mnist-cpuu", "zzz", "; did you mean checkpoint='mnist-cpu'?"),
])
def test_1_bare_name_names_the_run_or_model_near_it(tmp_path, monkeypatch, typed, run, hint):
    from scae_nb.analysis import load_model
    _fake_run(tmp_path / run)
    monkeypatch.chdir(tmp_path)
    line = _refused(load_model, typed)
    assert "no such file or folder, and no shipped model of that name" in line
    assert line.endswith(hint), line


def test_1_nothing_close_nothing_said(tmp_path, monkeypatch):
    from scae_nb.analysis import load_model
    _fake_run(tmp_path / "try")
    monkeypatch.chdir(tmp_path)
    assert _refused(load_model, "zebra").endswith("(mnist-cpu, mnist-official-gpu)")


def test_1_eval_command_line(tmp_path):
    _fake_run(tmp_path / "my run")
    done = scae("eval", "--checkpoint", "my rnu", *EVAL, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1].endswith(
        "; 'my run' holds a run: evaluate it with --checkpoint 'my run'"), done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my run"]


@pytest.mark.parametrize("lr", [1e-50, 1e-40])
def test_2_lr_zero_or_subnormal_in_float32_refused(lr):
    from scae_nb.config import TrainConfig
    from scae_nb.optim import TFRMSprop
    assert torch.tensor(1e-50).item() == 0.0
    for make in (lambda: TrainConfig(lr=lr), lambda: TFRMSprop([torch.zeros(2, requires_grad=True)], lr=lr)):
        assert f"lr must be at least 1.1754944e-38, float32's smallest normal number" in _refused(make)
    TFRMSprop([torch.zeros(2, requires_grad=True)], lr=0.0)          # the optimizer's no-op: taken


@pytest.mark.parametrize("command", [["train", "--dataset", "synthetic", "--steps", "1", "--out", "r", *TINY],
                                     ["bench", "--steps", "1", "--warmup", "0"]])
def test_2_lr_refused_on_the_command_line(tmp_path, command):
    done = scae(*command, "--lr", "1e-50", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(
        f"scae-nb {command[0]}: error: --lr must be at least 1.1754944e-38"), done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("word", ["-inf", "-INF", "-nan", "-Infinity"])
def test_5_text_option_given_a_number_word_apart(tmp_path, monkeypatch, word):
    from scae_nb.cli import main
    monkeypatch.chdir(tmp_path)                     # where a folder `-inf` would be made
    with pytest.raises(SystemExit) as caught:
        main(["eval", "--checkpoint", "x", "--out", word, "--max-batches", "1", "--no-figures"])
    assert caught.value.code == 2
    from scae_nb.cli import _parsed
    assert vars(_parsed(["eval", "--checkpoint", "x", f"--out={word}"], "eval"))["out"] == word   # joined: taken
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["train", "--dataset", "synthetic", "--steps", "1", "--out", "r"],
                                     ["eval", "--checkpoint", "nothing-here"]])
def test_3_an_option_given_twice_is_warned_of(tmp_path, command):
    from scae_nb.cli import _parsed
    import contextlib, io
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        args = _parsed([*command, "--seed", "3", "--seed", "4"], command[0])
    assert args.seed == 4
    assert err.getvalue().splitlines() == [f"scae-nb {command[0]}: warning: --seed given twice (3, then 4): using 4"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        _parsed([*command, "--seed", "3", "--seed", "3"], command[0])
    assert err.getvalue() == ""                                       # one value twice: nothing said


def test_3_warning_comes_first_on_the_command_line(tmp_path):
    done = scae("train", "--dataset", "synthetic", "--steps", "1", *TINY, "--lr", "3e-4", "--lr", "1e-3", "--lr", "1e-50",
                "--out", "r", cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "scae-nb train: warning: --lr given 3 times (3e-4, 1e-3, then 1e-50): using 1e-50", lines
    assert done.returncode == 2 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("word", ["runs/try", "mnist-cpu"])
def test_4_stray_checkpoint_word(tmp_path, word):
    _fake_run(tmp_path / "runs" / "try")
    done = scae("eval", word, *EVAL, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"scae-nb eval: error: unrecognized arguments: {word}; did you mean --checkpoint {word}?"), done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]
