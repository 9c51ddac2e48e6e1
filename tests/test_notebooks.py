"""Run every notebook's tests through nbdev's per-notebook runner, one pytest test per notebook.

Cells flagged `#| slow` or `#| gpu` are skipped (set `SCAE_TEST_FLAGS="slow gpu"` to run them too).
A notebook that needs an optional module (`NEEDS`: 02c_triton, Triton) is a skip only where a fresh Python here says
the module is not installed, with a reason that names the notebook and the module (`pytest -rs`, and `-ra` in
pyproject.toml, list it); where the module imports the notebook runs, and where it is installed but does not import
the test fails at once, naming the error. `SCAE_REQUIRE` (module names, e.g. `triton`: the CI workflow, which installs
it, sets it) makes a missing module a failure, not a skip: there a skip would hide a broken install.
Each notebook's temporary files go in a folder of its own, removed after it: the notebooks' tests make
folders with `tempfile` and leave them (one day of runs here had left 8.9 GB of them in /tmp).
"""
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
# exit 3: the module itself is not installed (a missing module it imports is a broken install: another exit status)
# an empty folder of the name (a `pip uninstall` leaves one) imports as a namespace package, no file: not installed
_IMPORT = ("import sys\ntry: import {0}\nexcept ModuleNotFoundError as e:\n"
           "    if e.name != '{0}': raise\n    print(e); sys.exit(3)\n"
           "if getattr({0}, '__file__', None) is None:\n"
           "    print(f\"No module named '{0}' (only an empty folder: {{', '.join({0}.__path__)}})\"); sys.exit(3)")


def not_installed(package: str) -> str | None:
    """Python's words for PACKAGE not being installed ("No module named 'triton'"), in a fresh process with this
    interpreter and environment (where the notebook runs); None where it imports. AssertionError naming the error
    where it is installed but does not import (built for another Python or torch): a failure, not a skip."""
    res = subprocess.run([sys.executable, '-c', _IMPORT.format(package)], capture_output=True, text=True)
    if res.returncode == 3: return res.stdout.strip()
    last = (res.stderr.strip().splitlines() or [f'exit status {res.returncode}'])[-1]
    assert res.returncode == 0, f'{package} is installed but does not import: {last}'
    return None


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
    if (package := NEEDS.get(notebook.stem)) and (why := not_installed(package)):
        required = os.environ.get('SCAE_REQUIRE', '').replace(',', ' ').split()
        assert package not in required, (f'{notebook.name} not run: it needs the module {package}, which is not '
                                          f'installed ({why}), and SCAE_REQUIRE={" ".join(required)} requires it')
        pytest.skip(f'{notebook.name} not run: it needs the module {package}, which is not installed ({why})')
    os.environ.setdefault('MPLBACKEND', 'Agg')
    os.environ.setdefault('WANDB_MODE', 'disabled')
    if notebook.stem in OWN_PROCESS:
        res = subprocess.run([sys.executable, '-c', _RUN, str(notebook), str(ROOT), *FORCE], cwd=ROOT)
        assert res.returncode == 0, f'{notebook.name} failed in its own process (traceback above)'
        return
    ok, secs = test_nb(notebook, skip_flags=['slow', 'gpu'], force_flags=FORCE, basepath=ROOT)
    assert ok, f'{notebook.name} failed after {secs:.1f}s (traceback above)'


# ---- the skip of a notebook that needs a module: seen in a pytest of its own, 02c's runner replaced (no 9 minutes)
TRITONS = {  # files on the path of that pytest (and its subprocesses) under which `import triton` ...
    'missing': {'sitecustomize.py': "import sys\nsys.modules['triton'] = None\n"},      # ... fails: not installed
    'present': {'triton/__init__.py': "__version__ = '0'\n"},                            # ... works (a stand-in)
    'broken': {'triton/__init__.py': "from triton._C import libtriton\n"}}               # ... fails inside triton
FAKE_RUNNER = ('def pytest_collection_modifyitems(items):\n'
               '    for item in items: item.module._RUN = "import sys; print(\'runner ran\'); sys.exit(0)"\n')


def pytest_of_02c(tmp_path: Path, triton: str, require: str | None = None) -> str:
    """The output of `pytest -rs -s` of test_notebook[02c_triton] with the files of TRITONS[triton], the runner
    replaced; $SCAE_REQUIRE `require` (None: unset, whatever this pytest's is)."""
    for name, text in {**TRITONS[triton], 'fake_runner.py': FAKE_RUNNER}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    path = os.pathsep.join(filter(None, [str(tmp_path), str(ROOT), os.environ.get('PYTHONPATH')]))
    env = {**os.environ, 'PYTHONPATH': path, 'TORCHINDUCTOR_CACHE_DIR': str(tmp_path / 'inductor')}  # torch unneeded
    env.pop('SCAE_REQUIRE', None)
    if require is not None: env['SCAE_REQUIRE'] = require
    res = subprocess.run([sys.executable, '-m', 'pytest', '-rs', '-s', '-p', 'no:cacheprovider', '-p', 'fake_runner',
                          'tests/test_notebooks.py::test_notebook[02c_triton]'], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    return res.stdout + res.stderr


def test_a_missing_module_is_a_skip_that_says_so(tmp_path):
    "The skip's reason, in the short summary: the notebook, the module, Python's words."
    out = pytest_of_02c(tmp_path, 'missing')
    assert '1 skipped' in out and 'runner ran' not in out, out[-3000:]
    summary = out.split('short test summary info')[-1]
    assert ('SKIPPED [1] tests/test_notebooks.py' in summary and '02c_triton.ipynb not run: it needs the module '
            'triton, which is not installed (import of triton halted; None in sys.modules)' in summary), out[-3000:]


def test_a_present_module_runs_its_notebook(tmp_path):
    out = pytest_of_02c(tmp_path, 'present')
    assert '1 passed' in out and 'skipped' not in out and 'runner ran' in out, out[-3000:]


def test_an_installed_module_that_does_not_import_fails_at_once(tmp_path):
    "Was: find_spec found it, so the notebook ran (9 minutes) to fail at its first import; now a failure that says why."
    out = pytest_of_02c(tmp_path, 'broken')
    assert '1 failed' in out and 'runner ran' not in out, out[-3000:]
    assert "triton is installed but does not import: ModuleNotFoundError: No module named 'triton._C'" in out, out[-3000:]


@pytest.mark.parametrize('require', ['triton', 'numpy, triton'])
def test_a_missing_module_that_scae_require_names_fails(tmp_path, require):
    "Was: a skip, whatever CI installed: a triton that failed to install (or was dropped) went unseen."
    out = pytest_of_02c(tmp_path, 'missing', require=require)
    assert '1 failed' in out and 'skipped' not in out and 'runner ran' not in out, out[-3000:]
    assert ("02c_triton.ipynb not run: it needs the module triton, which is not installed (import of triton halted; "
            f"None in sys.modules), and SCAE_REQUIRE={' '.join(require.replace(',', ' ').split())} requires it"
            in out), out[-3000:]


def test_scae_require_of_other_modules_leaves_the_skip(tmp_path):
    out = pytest_of_02c(tmp_path, 'missing', require='numpy')
    assert '1 skipped' in out and 'runner ran' not in out, out[-3000:]
