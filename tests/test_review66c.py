"""fx66c: rv66's notes on what `scae-nb train --resume`, `eval` and `from_pretrained` say, each said right where it is made.

1. 05aa's refusals of a checkpoint begin with the option as given (`load_checkpoint(name='resume')`: `--resume X: ...`),
   a path with a space quoted as one shell word (`_path_said`, now 92_utils'); 05b no longer rewrites their text;
2. 06c `_refuse_typo_of_run`: `--checkpoint 'my ru': no such file or folder; ...`, the path quoted;
3. a refused number is shown as typed (`--lr -1e-4`: got -1e-4, not -0.0001; `typed_words`, 92_utils);
4. `from_pretrained(' runs/try')`: 'did you mean' the folder without the pasted space, as `load_model` and eval say it.
In-process or one short CLI call each, on folders made in tmp_path (nothing trained).
"""

import pytest
from cli_run import SYNTHETIC_TINY, make_fake_run, scae

from test_reliability import inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)



@pytest.fixture
def here(tmp_path, monkeypatch, quiet_globals):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---- 1: `--resume X`'s refusals, quoted where they are made
@pytest.mark.parametrize("given, rest", [
    ("my run", "a folder, not a checkpoint"),
    ("blank .pt", "not a readable checkpoint (the file is empty)"),
    ("junk .pt", "not a readable checkpoint (damaged or not a PyTorch file)"),
])
def test_1_resume_refusal_quotes_a_spaced_path(here, capfd, given, rest):
    "Was: `--resume my run: a folder, not a checkpoint` (two words: pasted, --resume takes `my`)."
    (here / "my run").mkdir()
    (here / "blank .pt").touch()
    (here / "junk .pt").write_text("garbage")
    rc, _, err = inproc_main(["train", "--resume", given, "--steps", "3", "--no-progress"], capfd)
    assert (rc, one_line(err)) == (2 if "folder" in rest else 1, f"scae-nb train: error: --resume '{given}': {rest}")


def test_1_no_wrapper_left():
    "05b rewrote 05aa's lines (`_resume_refusal`); 05aa now says them so."
    import scae_nb.training as training
    assert not hasattr(training, "_resume_refusal") and not hasattr(training, "_resume_refusals")


# ---- 2: eval --checkpoint 'my ru' (a typo of a run folder with a space): quoted
def test_2_typo_of_a_run_quoted(here, capfd):
    "Was: `--checkpoint runs/my ru: no such file or folder; ...`."
    make_fake_run(here / "runs" / "my run")
    rc, _, err = inproc_main(["eval", "--checkpoint", "runs/my ru"], capfd)
    line = one_line(err)
    assert rc == 2 and line.startswith("scae-nb eval: error: --checkpoint 'runs/my ru': no such file or folder; "), line
    assert line.endswith("evaluate it with --checkpoint 'runs/my run'"), line


# ---- 3: a refused number as typed
@pytest.mark.parametrize("value, said", [("-1e-4", "--lr must be a positive number, got -1e-4"),
                                         ("0", "--lr must be a positive number, got 0")])
def test_3_refused_number_as_typed(tmp_path, value, said):
    "Was: `got -0.0001`, `got 0.0`: not what was typed."
    done = scae("train", *SYNTHETIC_TINY, "--steps", "1", "--lr", value, "--out", "r", cwd=tmp_path)
    assert (done.returncode, done.stderr.strip().splitlines()[-1]) == (2, f"scae-nb train: error: {said}")
    assert not (tmp_path / "r").exists()


def test_3_python_keeps_repr():
    "From Python, nothing typed: the float's repr, which reads back as the same number."
    from scae_nb.config import TrainConfig
    with pytest.raises(ValueError, match=r"lr must be a positive number, got -0\.0001$"):
        TrainConfig(dataset="synthetic", lr=-1e-4)


# ---- 4: from_pretrained(' runs/try'): the pasted space named
@pytest.mark.parametrize("given", [" runs/try", "runs/try "])
def test_4_from_pretrained_edge_spaces(here, given):
    "Was: `name=' runs/try': no such file ...` with no 'did you mean', where load_model and eval give one."
    from scae_nb.pretrained import from_pretrained
    make_fake_run(here / "runs" / "try")
    with pytest.raises(FileNotFoundError) as e: from_pretrained(given)
    assert str(e.value) == f"name='{given}': no such file or folder; did you mean name='runs/try'?"
