"""What the subprocess tests of `scae-nb` share: the tiny run's options (TINY; SYNTHETIC_TINY with its --dataset; MNIST_TINY, in-process), an
evaluation's report.json (REPORT, `make_eval_folder`) and runners.

`from cli_run import EVAL, TINY, scae` (pytest puts tests/ on the path: rootdir-relative imports, `testpaths`).
"""
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--batch-size", "8", "--n-parts", "4", "--n-objects", "3", "--ckpt-every", "1", "--eval-every", "1000",
        "--fig-every", "1000", "--no-progress"]            # a 2-step run takes a few seconds with --dataset synthetic
SYNTHETIC_TINY = ["--dataset", "synthetic", *TINY]   # train's options for the tiny run on the synthetic data
# the in-process tests' tiny run on MNIST (the `mnist_root` fixture's folder, real or fake): one thread, no wandb
MNIST_TINY = ["--dataset", "mnist", "--n-parts", "4", "--n-objects", "4", "--template-size", "5", "--batch-size", "8",
              "--device", "cpu", "--no-progress", "--wandb", "disabled", "--log-every", "1", "--eval-every", "1000",
              "--fig-every", "1000", "--eval-batches", "1", "--threads", "1"]
EVAL = ["--max-batches", "2", "--no-figures", "--no-progress"]
# a report.json as `scae-nb eval` writes it (a checkpoint, steps, wall_s, an accuracy): what marks an evaluation's folder
REPORT = {"checkpoint": "/somewhere/run/checkpoints/step_00000003.pt", "steps": 3, "wall_s": 1.5,
          "kmeans_test_transductive": 0.5}


def scae(*args, cwd, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    "`scae-nb ARGS` in `cwd`, one thread, this checkout first on the path (`env`: more variables); UTF-8 text out."
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "WANDB_MODE": "disabled",
           "MPLBACKEND": "Agg", **(env or {})}
    return subprocess.run([sys.executable, "-m", "scae_nb.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def without_bfloat16(folder: Path) -> dict:
    """{'PYTHONPATH': ...} under which every new Python process (bench's per-variant ones too) sees an x86 CPU
    without bfloat16 instructions (`scae_nb.step.cpu_computes_bfloat16` False, as torch.cpu's checks say): FOLDER's
    sitecustomize.py, run at start-up, makes both checks answer False. For the slow-amp advice on any x86 CPU."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        "import torch.cpu\ntorch.cpu._is_avx512_bf16_supported = torch.cpu._is_amx_tile_supported = lambda: False\n")
    path = [str(folder), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return {"PYTHONPATH": os.pathsep.join(filter(None, path))}


def broken_torchvision():
    """A patch of `importlib.import_module` (a context manager) under which every torchvision module fails to import
    as one built for another torch does ("operator torchvision::nms does not exist"); other modules import as usual."""
    real_import = importlib.import_module

    def broken_import(name, *args):
        if name.startswith("torchvision"):
            raise RuntimeError("operator torchvision::nms does not exist")
        return real_import(name, *args)

    return mock.patch("importlib.import_module", broken_import)


def make_eval_folder(parent: Path) -> Path:
    "PARENT/evalout: an evaluation's folder, holding REPORT as its report.json (as `scae-nb eval` writes it)."
    folder = parent / "evalout"
    folder.mkdir()
    (folder / "report.json").write_text(json.dumps(REPORT, indent=1))
    return folder


def make_fake_run(folder: Path, steps=(4,)) -> Path:
    "FOLDER: a run folder as the refusals see it: run.json and empty checkpoint files of `steps` (nothing loads them)."
    (folder / "checkpoints").mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"run_id": "r1"}))
    for step in steps: (folder / "checkpoints" / f"step_{step:08d}.pt").touch()
    return folder


def make_synthetic_run(folder: Path, name: str = "syn") -> Path:
    "FOLDER/NAME: a 2-step run on the synthetic data (random labels), made by `scae-nb train` in a subprocess."
    trained = scae("train", "--steps", "2", "--out", name, *SYNTHETIC_TINY, cwd=folder)
    assert trained.returncode == 0, trained.stderr
    return folder / name


def train_in_process(out: Path, *args: str) -> Path:
    "OUT: a 2-step synthetic run made in this process (`scae_nb.cli.main`), global torch flags kept as found."
    import torch
    from scae_nb.cli import main

    flags = torch.are_deterministic_algorithms_enabled()
    assert main(["train", *SYNTHETIC_TINY, "--steps", "2", "--out", str(out), *args]) in (0, None)
    torch.use_deterministic_algorithms(flags)
    return out
