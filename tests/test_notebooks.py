"""Run every notebook's tests through nbdev's per-notebook runner, one pytest test per notebook.

Cells flagged `#| slow` or `#| gpu` are skipped (set `SCAE_TEST_FLAGS="slow gpu"` to run them too).
"""
import importlib.util
import os
import subprocess
import sys
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


@pytest.mark.parametrize('notebook', NBS, ids=[p.stem for p in NBS])
def test_notebook(notebook):
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
