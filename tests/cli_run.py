"""What the subprocess tests of `scae-nb` share: the tiny run's options and a runner.

`from cli_run import EVAL, TINY, scae` (pytest puts tests/ on the path: rootdir-relative imports, `testpaths`).
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--batch-size", "8", "--n-parts", "4", "--n-objects", "3", "--ckpt-every", "1", "--eval-every", "1000",
        "--fig-every", "1000", "--no-progress"]            # a 2-step run takes a few seconds with --dataset synthetic
EVAL = ["--max-batches", "2", "--no-figures", "--no-progress"]


def scae(*args, cwd, timeout: float = 600) -> subprocess.CompletedProcess:
    "`scae-nb ARGS` in `cwd`, one thread, this checkout first on the path; output as UTF-8 text."
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", WANDB_MODE="disabled", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "scae_nb.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def make_synthetic_run(folder: Path, name: str = "syn") -> Path:
    "FOLDER/NAME: a 2-step run on the synthetic data (random labels), made by `scae-nb train` in a subprocess."
    trained = scae("train", "--dataset", "synthetic", "--steps", "2", "--out", name, *TINY, cwd=folder)
    assert trained.returncode == 0, trained.stderr
    return folder / name


def train_in_process(out: Path, *args: str) -> Path:
    "OUT: a 2-step synthetic run made in this process (`scae_nb.cli.main`), global torch flags kept as found."
    import torch
    from scae_nb.cli import main

    flags = torch.are_deterministic_algorithms_enabled()
    assert main(["train", "--dataset", "synthetic", *TINY, "--steps", "2", "--out", str(out), *args]) in (0, None)
    torch.use_deterministic_algorithms(flags)
    return out
