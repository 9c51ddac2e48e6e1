"""rv55d findings 1, 2, 3, 5: a `$SCAE_DATA` naming a file (or an unknown `~user`) is a `DataFolderMissing`, so the
README's `except FileNotFoundError` catches it and eval names the run's data folder for it; eval's refusal of `--out
RUN` advises a sub-folder of RUN/eval; `TFRMSprop` checks each param group's own values. Each test failed on the code
before these fixes (fx55f's base, 98d5b27).
"""

import math

import pytest
import torch

from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review54d import mnist_data, mnist_run  # noqa: F401 (fixtures: a linked MNIST folder, a 1-step run)

EVAL = ["--max-batches", 2, "--no-progress"]


# ---- 1. the README's example: `except FileNotFoundError` catches a $SCAE_DATA that names a file or no home
@pytest.mark.parametrize("kind", ["file", "nouser"])
def test_readme_example_catches_a_scae_data_that_names_no_folder(kind, tmp_path, monkeypatch, quiet_globals):
    "Was: a plain `UsageError` (a ValueError only): the README's `except FileNotFoundError` missed it, a traceback."
    from scae_nb.data import DataFolderMissing
    from scae_nb.loaders import image_loaders

    if kind == "file":
        (given := tmp_path / "afile").write_text("")
        line = f"SCAE_DATA={given} (the environment variable): is a file, not a folder"
    else:
        given = "~nouserxyz/data"
        line = ("SCAE_DATA=~nouserxyz/data (the environment variable): no user nouserxyz, so ~nouserxyz names no "
                "home folder")
    monkeypatch.setenv("SCAE_DATA", str(given))
    try: image_loaders("mnist", batch_size=8)                        # the README's pattern
    except FileNotFoundError as e: caught = e
    assert (str(caught), type(caught)) == (line, DataFolderMissing)


# ---- 2. eval in a shell whose $SCAE_DATA names a file: the run's folder named, as for one not there
def test_eval_with_a_scae_data_file_names_the_runs_data_folder(mnist_run, mnist_data, tmp_path, capfd,
                                                                monkeypatch, quiet_globals):
    "Was: 'SCAE_DATA=X (the environment variable): is a file, not a folder', the run's folder unnamed."
    (afile := tmp_path / "afile").write_text("")
    monkeypatch.setenv("SCAE_DATA", str(afile))
    rc, _, err = inproc_main(["eval", "--checkpoint", mnist_run, *EVAL, "--out", tmp_path / "ev"], capfd)
    real = mnist_data.resolve()
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: SCAE_DATA={afile} (the environment variable): is a file, not a folder; "
        f"the run read {real}: --data-dir {real}")), err[-2000:]
    assert not (tmp_path / "ev").exists()


# ---- 3. eval --out RUN: the advice names a sub-folder of RUN/eval, not RUN/eval beside the per-step folders
def test_eval_out_in_a_run_advises_a_sub_folder_of_its_eval(tmp_path, capfd, quiet_globals):
    "Was: 'choose RUN/eval, or leave out --out': followed, a loose evaluation amid RUN/eval/STEP folders."
    run = tmp_path / "r"
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", run], capfd)
    assert rc == 0, err[-2000:]
    for out, what in ((run, "is a training run's folder"), (run / "checkpoints", f"is inside the training run {run}")):
        rc, _, err = inproc_main(["eval", "--checkpoint", run, *EVAL, "--out", out], capfd)
        assert (rc, one_line(err)) == (2, (
            f"scae-nb eval: error: --out {out}: {what}; eval's report and figures would mix with the run's files: "
            f"choose {run / 'eval' / 'NAME'}, or leave out --out (RUN/eval/STEP)")), err


# ---- 5. TFRMSprop: a param group's own values are checked as the constructor's are
def _params():
    return [torch.nn.Parameter(torch.zeros(2))]


@pytest.mark.parametrize("option, value, exc, words", [
    ("momentum", 1.0, ValueError, "momentum must be a number in [0, 1), got 1.0"),
    ("momentum", math.nan, ValueError, "momentum must be a number in [0, 1), got nan"),
    ("momentum", "0.9", TypeError, "momentum must be a number, got str '0.9'"),
    ("momentum", None, TypeError, "momentum must be a number, got NoneType None"),
    ("lr", -1.0, ValueError, "lr must be"),
    ("eps", math.nan, ValueError, "eps must be"),
])
def test_tfrmsprop_checks_each_param_groups_values(option, value, exc, words):
    "Was: a group's own momentum 1.0 accepted; NaN 'must be non-negative'; a string a bare '>=' TypeError."
    from scae_nb.optim import TFRMSprop
    with pytest.raises(exc) as e: TFRMSprop([{"params": _params(), option: value}], lr=1e-3)
    assert words in str(e.value) and "\n" not in str(e.value), str(e.value)
    if option == "momentum":                                         # the constructor's default: the same line
        with pytest.raises(exc) as e: TFRMSprop(_params(), lr=1e-3, momentum=value)
        assert words in str(e.value), str(e.value)
