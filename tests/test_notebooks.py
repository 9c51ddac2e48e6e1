"""Run every notebook's tests through nbdev's per-notebook runner, one pytest test per notebook.

Cells flagged `#| slow` or `#| gpu` are skipped (set `SCAE_TEST_FLAGS="slow gpu"` to run them too).
"""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
FORCE = os.environ.get('SCAE_TEST_FLAGS', '').split()


@pytest.mark.parametrize('notebook', NBS, ids=[p.stem for p in NBS])
def test_notebook(notebook):
    from nbdev.test import test_nb
    os.environ.setdefault('MPLBACKEND', 'Agg')
    os.environ.setdefault('WANDB_MODE', 'disabled')
    ok, secs = test_nb(notebook, skip_flags=['slow', 'gpu'], force_flags=FORCE, basepath=ROOT)
    assert ok, f'{notebook.name} failed after {secs:.1f}s (traceback above)'
