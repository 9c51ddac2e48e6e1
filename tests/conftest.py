"""pytest settings for scae-nb's tests.

Parity tests read the golden fixtures from `$SCAE_GOLDEN`, else from the repository's
`fixtures/golden/` (this sets `SCAE_GOLDEN` to it, so the notebooks' tests find it). When neither
exists the session stops with an error instead of letting every parity test skip: set
`SCAE_SKIP_PARITY=1` to run the other tests without them. These are the rules of
`scae_nb.test_utils.golden_root` (nbs/91_test_utils.ipynb), which nbdev_test and Jupyter use; here they
are applied once, before any notebook runs, so a misconfiguration stops the session at once.

The notebooks' Ctrl-C tests press Ctrl-C as in a terminal. A pytest started with `&` from a script
inherits SIGINT ignored, which `stop_on_signals` and `scae-nb` leave ignored (05aa_checkpoints, 07_cli):
the session puts Python's own handler back first.

MNIST: the fixture `mnist_root` is a data folder holding `MNIST/raw`: `$SCAE_DATA` where it has one, else a tiny
fake MNIST in torchvision's layout (`write_fake_mnist`), so the tests of runs on MNIST run without the real set
(CI has none) instead of skipping; they check file names, folders and records, not what the digits look like.
"""
import gzip
import os
import signal
import struct
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / 'fixtures' / 'golden'


def pytest_sessionstart(session):
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:        # `pytest ... &` from a script
        signal.signal(signal.SIGINT, signal.default_int_handler)   # as in a terminal


def pytest_configure(config):
    config.addinivalue_line('markers', 'colab: the Colab first-cell check (fresh venv, pip from git)')
    given = os.environ.get('SCAE_GOLDEN')
    if given:
        if not Path(given).is_dir(): raise pytest.UsageError(f'SCAE_GOLDEN={given!r} is not a folder')
        return
    if FIXTURES.is_dir():
        os.environ['SCAE_GOLDEN'] = str(FIXTURES)
        return
    if os.environ.get('SCAE_SKIP_PARITY', '').strip().lower() not in ('1', 'true', 'yes'):
        raise pytest.UsageError(f'golden fixtures not found ($SCAE_GOLDEN unset, no {FIXTURES}): '
                                'the parity tests cannot run. Set SCAE_SKIP_PARITY=1 to skip them.')


def write_fake_mnist(root: Path, n_train: int = 128, n_test: int = 64) -> Path:
    """ROOT, with torchvision's four gzip'd IDX files in ROOT/MNIST/raw: `n_train`/`n_test` sparse random 28x28
    uint8 images, labels 0..9 in turn (every class in both splits). A stand-in that scae_nb.data reads as MNIST;
    128 train images: the shipped `mnist-cpu` model's batch of 100 fits (train-split batches are whole)."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = (rng.integers(0, 256, (n, 28, 28)) * (rng.random((n, 28, 28)) < 0.2)).astype(np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            header = struct.pack(f">4B{array.ndim}I", 0, 0, 8, array.ndim, *array.shape)  # IDX: uint8, its shape
            (raw / f"{split}-{kind}-ubyte.gz").write_bytes(gzip.compress(header + array.tobytes(), mtime=0))
    return root


@pytest.fixture(scope="session")
def mnist_root(tmp_path_factory) -> Path:
    "A data folder holding MNIST/raw: `$SCAE_DATA` where it has one (the real set), else a fake one (128/64 images)."
    given = os.environ.get("SCAE_DATA", "").strip()
    if given and (Path(given) / "MNIST" / "raw").is_dir():
        return Path(given)
    return write_fake_mnist(tmp_path_factory.mktemp("fake_data"))
