"""Run every notebook's tests through nbdev's per-notebook runner, one pytest test per notebook.

Cells flagged `#| slow` or `#| gpu` are skipped (set `SCAE_TEST_FLAGS="slow gpu"` to run them too).
Each notebook's temporary files go in a folder of its own, removed after it: the notebooks' tests make
folders with `tempfile` and leave them (one day of runs here had left 8.9 GB of them in /tmp).
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
FORCE = os.environ.get('SCAE_TEST_FLAGS', '').split()
NEEDS = {'02c_triton': 'triton'}      # notebooks that need an optional package (Triton: Linux, with torch)
# run in a fresh process: 02c sets TRITON_INTERPRET, which Triton reads when it is imported (and an
# earlier notebook's torch.compile imports it)
OWN_PROCESS = {'02c_triton'}
_RUN = ("import sys; from pathlib import Path; from nbdev.test import test_nb; "
        "ok, secs = test_nb(Path(sys.argv[1]), skip_flags=['slow', 'gpu'], force_flags=sys.argv[3:], "
        "basepath=Path(sys.argv[2])); sys.exit(0 if ok else 1)")


@pytest.fixture
def own_tmp(monkeypatch):
    """A temporary folder for one notebook, as `tempfile`'s default (this process) and `TMPDIR` (its
    subprocesses), removed afterwards. torch.compile's cache stays where it was, shared by all notebooks."""
    if not os.environ.get('TORCHINDUCTOR_CACHE_DIR'):
        from torch._inductor.runtime.cache_dir_utils import default_cache_dir
        monkeypatch.setenv('TORCHINDUCTOR_CACHE_DIR', default_cache_dir())     # before TMPDIR changes
    folder = tempfile.mkdtemp(prefix='scae-nb-test-')
    monkeypatch.setenv('TMPDIR', folder)
    monkeypatch.setattr(tempfile, 'tempdir', folder)
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


def test_own_tmp_holds_what_a_notebook_makes(own_tmp):
    "What a notebook makes with tempfile, here or in a subprocess, lands in its own folder."
    made = Path(tempfile.mkdtemp())
    child = subprocess.run([sys.executable, '-c', 'import tempfile; print(tempfile.mkdtemp())'],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert made.parent == own_tmp and Path(child).parent == own_tmp, (made, child, own_tmp)
    assert not Path(os.environ['TORCHINDUCTOR_CACHE_DIR']).is_relative_to(own_tmp)


@pytest.mark.parametrize('notebook', NBS, ids=[p.stem for p in NBS])
def test_notebook(notebook, own_tmp):
    from nbdev.test import test_nb
    if (package := NEEDS.get(notebook.stem)) and importlib.util.find_spec(package) is None:
        pytest.skip(f'{notebook.name} needs {package}, which is not installed')
    os.environ.setdefault('MPLBACKEND', 'Agg')
    os.environ.setdefault('WANDB_MODE', 'disabled')
    if notebook.stem in OWN_PROCESS:
        res = subprocess.run([sys.executable, '-c', _RUN, str(notebook), str(ROOT), *FORCE], cwd=ROOT)
        assert res.returncode == 0, f'{notebook.name} failed in its own process (traceback above)'
        return
    ok, secs = test_nb(notebook, skip_flags=['slow', 'gpu'], force_flags=FORCE, basepath=ROOT)
    assert ok, f'{notebook.name} failed after {secs:.1f}s (traceback above)'
