"""What a run started without `--threads` or `--data-dir` records for its resume (review 53, fx53c).

A run takes its thread count from the environment (`OMP_NUM_THREADS`, else one per core) and its data
folder from `SCAE_DATA` when no option names them. It records both, so that `--resume` in a new shell,
with another count or without the variable, continues it as it ran: bit for bit on the same device, and
from the same data. Each test failed on the code before this fix: the resume took the new shell's 2
threads silently (71 model tensors differed from the straight run), and could not find the data, nor
say where they were.
"""

import contextlib
import json
from pathlib import Path

import pytest
import torch

from cli_run import MNIST_TINY
from test_reliability import TINY, assert_same_weights, checkpoint_of_step, inproc_main, model_state, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)

# a model large enough that 1 and 2 threads round differently (the tiny one of test_reliability does not)
SIZED = [*TINY, "--n-parts", "16", "--n-objects", "8", "--template-size", "11", "--canvas-size", "40",
         "--batch-size", "16", "--ckpt-every", "3"]


@contextlib.contextmanager
def torch_threads_here(n: int):
    "The block in a process whose environment gives `n` torch threads, as `OMP_NUM_THREADS=n` would."
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train(out, steps, capfd, *extra, threads: int) -> str:
    "stderr of `scae-nb train` of the sized model to `steps` in `out`, `threads` from the environment."
    with torch_threads_here(threads):
        rc, _, err = inproc_main(["train", *SIZED, "--out", out, "--steps", steps, *extra], capfd)
    assert rc == 0, err[-3000:]
    return err


def resuming_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("scae-nb train: resuming with")]


@pytest.fixture(scope="module")
def straight(tmp_path_factory) -> Path:
    "6 steps in one go with 1 thread from the environment (not --threads)."
    out = tmp_path_factory.mktemp("straight") / "run"
    with torch_threads_here(1):
        from scae_nb.cli import main

        assert main([str(a) for a in ["train", *SIZED, "--out", out, "--steps", 6]]) == 0
    return out


def test_resume_in_a_shell_of_2_threads_keeps_the_runs_1_and_is_exact(straight, tmp_path, capfd, quiet_globals):
    "Was: the resume ran with the shell's 2 threads, said nothing, and ended off the straight run."
    out = tmp_path / "run"
    train(out, 3, capfd, threads=1)
    test_config = json.loads((out / "config.json").read_text())
    assert test_config["threads"] == 1, test_config["threads"]  # the count it ran with, recorded
    err = train(out, 6, capfd, "--resume", threads=2)  # a new shell: OMP_NUM_THREADS unset, 2 cores
    assert resuming_lines(err) == [
        "scae-nb train: resuming with --steps 3 -> 6, the run's --threads 1, kept for an exact resume "
        "(this shell's default: 2)"
    ], err
    assert_same_weights(model_state(checkpoint_of_step(out, 6)), model_state(checkpoint_of_step(straight, 6)))
    sessions = json.loads((out / "run.json").read_text())["sessions"]
    assert [s["device"].endswith("1 thread)") for s in sessions] == [True, True], sessions


def test_threads_typed_on_the_resume_still_change_it(tmp_path, capfd, quiet_globals):
    "`--threads N` on the resume: the change said as before, and the run's count no longer kept."
    out = tmp_path / "run"
    train(out, 3, capfd, threads=1)
    err = train(out, 4, capfd, "--resume", "--threads", 2, threads=1)
    assert resuming_lines(err) == ["scae-nb train: resuming with --steps 3 -> 4, --threads 1 -> 2"], err


def test_resume_in_a_shell_of_the_same_count_says_nothing_of_threads(tmp_path, capfd, quiet_globals):
    out = tmp_path / "run"
    train(out, 3, capfd, threads=1)
    err = train(out, 4, capfd, "--resume", threads=1)
    assert resuming_lines(err) == ["scae-nb train: resuming with --steps 3 -> 4"], err


# ---- the data folder (finding 12)


def linked_mnist_data(tmp_path, monkeypatch, mnist_root: Path) -> Path:
    "tmp/data, whose MNIST is a link to `mnist_root`'s (the conftest fixture: real or fake), named by `$SCAE_DATA`."
    shared = mnist_root / "MNIST"
    data = tmp_path / "data"
    data.mkdir()
    (data / "MNIST").symlink_to(shared.resolve())
    monkeypatch.setenv("SCAE_DATA", str(data))
    return data


@pytest.fixture
def run_from_scae_data(tmp_path, capfd, monkeypatch, mnist_root):
    "(run folder, data folder) of 2 MNIST steps whose data `SCAE_DATA` named; then a shell without it."
    data = linked_mnist_data(tmp_path, monkeypatch, mnist_root)
    out = tmp_path / "run"
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 2, "--out", out], capfd)
    assert rc == 0, err[-3000:]
    monkeypatch.delenv("SCAE_DATA")  # a new shell without the variable, and no cache to fall back on
    (tmp_path / "no-cache").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "no-cache"))
    return out, data


def test_a_run_from_scae_data_records_the_folder_and_resumes_there(run_from_scae_data, capfd, quiet_globals):
    "Was: `data_dir: null`, and the resume looked in the per-user cache: `MNIST not found at ...`."
    out, data = run_from_scae_data
    assert json.loads((out / "config.json").read_text())["data_dir"] == str(data.resolve())
    rc, _, err = inproc_main(["train", "--resume", "--out", out, "--steps", 3, "--no-progress"], capfd)
    assert rc == 0, err[-3000:]
    assert torch.load(checkpoint_of_step(out, 3), weights_only=True)["config"]["data_dir"] == str(data.resolve())


def test_a_resume_whose_recorded_data_folder_is_gone_names_it(run_from_scae_data, capfd, quiet_globals):
    "Was: `MNIST not found at <the cache>/MNIST/raw ...`, the run's folder unsaid."
    out, data = run_from_scae_data
    data.rename(data.with_name("moved"))
    rc, _, err = inproc_main(["train", "--resume", "--out", out, "--steps", 3, "--no-progress"], capfd)
    line = one_line(err)
    assert rc == 2, line
    assert line == (f"scae-nb train: error: the run's data folder {data.resolve()} (recorded in the checkpoint "
                    f"{checkpoint_of_step(out, 2)}; pass --data-dir to use another): no such folder"), line


def test_eval_of_a_run_from_scae_data_reads_its_folder(run_from_scae_data, capfd, quiet_globals, tmp_path):
    "Was: `eval --checkpoint RUN` in the new shell: `MNIST not found at <the cache>/MNIST/raw ...`."
    out, _ = run_from_scae_data
    rc, _, err = inproc_main(["eval", "--checkpoint", out, "--max-batches", 2, "--batch-size", 8, "--no-figures",
                              "--out", tmp_path / "report", "--threads", 1], capfd)
    assert rc == 0, err[-3000:]
