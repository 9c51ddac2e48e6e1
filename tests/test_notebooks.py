"""Run every notebook's tests through nbdev's per-notebook runner, one pytest test per notebook.

Cells flagged `#| slow` or `#| gpu` are skipped (set `SCAE_TEST_FLAGS="slow gpu"` to run them too).
"""
import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
FORCE = os.environ.get('SCAE_TEST_FLAGS', '').split()
NEEDS = {'02c_triton': 'triton'}      # notebooks that need an optional package (Triton: Linux, with torch)


@pytest.mark.parametrize('notebook', NBS, ids=[p.stem for p in NBS])
def test_notebook(notebook):
    from nbdev.test import test_nb
    if (package := NEEDS.get(notebook.stem)) and importlib.util.find_spec(package) is None:
        pytest.skip(f'{notebook.name} needs {package}, which is not installed')
    os.environ.setdefault('MPLBACKEND', 'Agg')
    os.environ.setdefault('WANDB_MODE', 'disabled')
    ok, secs = test_nb(notebook, skip_flags=['slow', 'gpu'], force_flags=FORCE, basepath=ROOT)
    assert ok, f'{notebook.name} failed after {secs:.1f}s (traceback above)'
