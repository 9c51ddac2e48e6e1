"""rv63a's findings fixed by fx63d: a data folder from $SCAE_DATA named as such (#3), a short torchvision line (#2)."""
import sys
from unittest import mock

import pytest
from cli_run import broken_torchvision, scae

STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


@pytest.fixture
def mnist_raw(tmp_path):
    "DATA/MNIST/raw holding MNIST's four (empty) files: only their names are looked at before the refusal."
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for stem in STEMS: (raw / f"{stem}.gz").touch()
    return raw


# ---- 3. MNIST/raw or MNIST as the data folder: the refusal names where it came from
@pytest.mark.parametrize("level", ["raw", "MNIST"])
def test_3_scae_data_inside_mnist_names_the_variable(tmp_path, mnist_raw, monkeypatch, level):
    "Was: '... not the data folder: pass the folder that holds MNIST/, DATA', the words for --data-dir."
    given = mnist_raw if level == "raw" else mnist_raw.parent
    monkeypatch.setenv("SCAE_DATA", str(given))
    done = scae("train", "--steps", "2", "--out", "x2", cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(f"scae-nb train: error: SCAE_DATA={given} (the environment variable) "), line
    assert line.endswith(f"not the data folder: set it to {tmp_path / 'data'}, the folder that holds MNIST/"), line
    assert "pass" not in line, line
    assert not (tmp_path / "x2").exists()


def test_3_eval_scae_data_inside_mnist(tmp_path, mnist_raw, monkeypatch):
    "eval reads $SCAE_DATA too: the same line."
    monkeypatch.setenv("SCAE_DATA", str(mnist_raw))
    done = scae("eval", "--pretrained", "mnist-official-gpu", "--max-batches", "1", "--no-figures",
                "--no-progress", "--out", "ev", cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    line = done.stderr.strip().splitlines()[-1]
    assert line == (f"scae-nb eval: error: SCAE_DATA={mnist_raw} (the environment variable) holds MNIST's files "
                    f"(it is MNIST/raw), not the data folder: set it to {tmp_path / 'data'}, the folder that holds "
                    "MNIST/"), line


@pytest.mark.parametrize("with_env", [False, True])
def test_3_data_dir_inside_mnist_says_pass(tmp_path, mnist_raw, monkeypatch, with_env):
    "--data-dir typed (with or without $SCAE_DATA set): the folder named as typed, and the option to pass."
    if with_env: monkeypatch.setenv("SCAE_DATA", str(tmp_path / "data"))
    else: monkeypatch.delenv("SCAE_DATA", raising=False)
    done = scae("train", "--data-dir", str(mnist_raw), "--steps", "2", "--out", "x2", cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1] == (
        f"scae-nb train: error: {mnist_raw} holds MNIST's files (it is MNIST/raw), not the data folder: pass "
        f"--data-dir {tmp_path / 'data'}, the folder that holds MNIST/")


# ---- 2. a torchvision that does not import: one short line, the cause and the README's fix
def test_2_figures_unavailable_is_short(tmp_path):
    "Was: ~730 characters, two pip commands and a parenthetical about --isolated, before anything else."
    from scae_nb.runtime import figures_unavailable

    with broken_torchvision(), \
            mock.patch("scae_nb.runtime._installed", {"torch": "2.13.0+cpu", "torchvision": "0.28.0"}.get):
        why = figures_unavailable()
    assert why == ("torchvision 0.28.0 does not import with torch 2.13.0+cpu (operator torchvision::nms does not "
                   "exist; README: Install notes)"), why          # the import's own reason, not a guessed fix
    said = f"scae-nb train: warning: no figures will be drawn in this session: {why}; training and checkpoints go on"
    assert len(said) < 230, len(said)       # 220 with these versions (05b words the rest)
    said = f"scae-nb eval: warning: no figures will be drawn: {why}; the accuracies go on"
    assert len(said) < 200, len(said)


# ---- 6. eval's printout: the headline accuracy and chance, in words, after the JSON
def test_6_eval_says_headline_and_chance(tmp_path):
    "Was: the JSON only; which of its numbers is the paper's, and what chance is, only in the README."
    import json

    from cli_run import EVAL, make_synthetic_run
    run = make_synthetic_run(tmp_path)
    done = scae("eval", "--checkpoint", str(run), *EVAL, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "note" in json.loads(done.stdout)             # stdout: the JSON alone, with its random-labels note
    said = [line for line in done.stderr.splitlines() if line.startswith("scae-nb eval: headline")]
    assert said == [], done.stderr                        # random labels: no headline (the warning says why)
    assert "labels are random" in done.stderr, done.stderr
