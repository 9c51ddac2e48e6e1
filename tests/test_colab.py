"""Colab that runs: each notebook's hidden first "Colab" cell installs scae-nb when it is missing.

Cheap but real (~1 min on 2 cores): `tools/set_colab_cell.py --check` proves every notebook carries the
identical generated cell, so executing ONE notebook's cell proves them all. That cell runs in a fresh
virtual environment where `scae_nb` is NOT importable (its heavy dependencies, torch included, are
reused from the environment running pytest through a folder of symlinks on a `.pth` line, as `.ci/run`
does for the wheel check), with a fake `google.colab` module and
`SCAE_NB_PIP_SPEC=git+file://<this repo>@<HEAD>` instead of GitHub. Offline: pip runs with
`--no-index --no-deps` (set through PIP_* variables, the cell itself is unchanged).
Tests the COMMITTED state of the repository (pip clones HEAD).
`SCAE_COLAB_ALL=1` runs the cell of every notebook (one pip build each: ~2 min per notebook).
Deselect with `-m "not colab"`.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
pytestmark = pytest.mark.colab


def colab_cell(nb_path: Path) -> str:
    "The source of the notebook's hidden Colab cell (first comment line `# Colab:`)."
    for cell in json.loads(nb_path.read_text(encoding='utf-8'))['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'code' and any(l.startswith('# Colab:') for l in src.splitlines()[:3]):
            return src
    pytest.fail(f'{nb_path.name} has no Colab cell (run tools/set_colab_cell.py)')


def _git(*args) -> str:
    return subprocess.run(['git', '-C', str(ROOT), *args], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope='module')
def colab(tmp_path_factory):
    "A fresh venv without scae_nb, deps reused, a fake google.colab; returns a runner of cell sources."
    if shutil.which('git') is None: pytest.skip('git is needed for a git+file:// install')
    tmp = tmp_path_factory.mktemp('colab')
    venv = tmp / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(venv)], check=True)
    py = venv / 'bin' / 'python'
    site = Path(subprocess.run([str(py), '-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    deps = tmp / 'deps'                      # everything installed here except scae_nb (and .pth hooks)
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()['purelib']).iterdir():
        name = entry.name.lower()
        if name.startswith(('scae_nb', 'scae-nb', '__editable__')) or name.endswith('.pth'): continue
        (deps / entry.name).symlink_to(entry)
    (site / '_colab_deps.pth').write_text(f'{deps}\n')
    fake = tmp / 'fake'                      # `google` stays a namespace package (protobuf lives there too)
    (fake / 'google' / 'colab').mkdir(parents=True)
    (fake / 'google' / 'colab' / '__init__.py').write_text('"fake google.colab for tests/test_colab.py"\n')
    head = _git('rev-parse', 'HEAD')
    env = {k: v for k, v in os.environ.items()          # Colab has no fixtures, data or settings of ours
           if not k.startswith(('PYTHON', 'PIP_', 'VIRTUAL_ENV', 'SCAE_'))}
    env.update(SCAE_NB_PIP_SPEC=f'git+file://{ROOT}@{head}', PIP_NO_INDEX='1', PIP_NO_DEPS='1',
               PIP_NO_BUILD_ISOLATION='0', PIP_DISABLE_PIP_VERSION_CHECK='1', HOME=str(tmp),
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")

    def run(cell_source: str, on_colab: bool = True):
        "Run the cell in the venv's python (cwd outside the repo), then import scae_nb as the next cell would."
        code = textwrap.dedent(f'''
            import sys
            {"import google.colab" if on_colab else ""}
            assert 'scae_nb' not in sys.modules
            exec(compile({cell_source!r}, 'colab_cell', 'exec'), {{}})
            import importlib; importlib.invalidate_caches()
            try:
                import scae_nb, scae_nb.data
                print('SCAE_NB_FILE=' + scae_nb.__file__)
                from scae_nb.test_utils import golden_path   # what the parity cells call first
                print('GOLDEN=' + str(golden_path()))
            except ImportError as e: print('IMPORT_FAILED', e)
            ''')
        env_run = {**env, 'PYTHONPATH': str(fake)} if on_colab else env
        return subprocess.run([str(py), '-c', code], capture_output=True, text=True, cwd=tmp, env=env_run,
                              timeout=600)

    def uninstall():
        subprocess.run([str(py), '-m', 'pip', 'uninstall', '-y', '-q', 'scae-nb'], env=env, cwd=tmp,
                       capture_output=True, text=True)
    run.venv, run.uninstall = venv, uninstall
    return run


def test_cells_are_one_text():
    "Every notebook carries the same Colab cell (tools/set_colab_cell.py wrote it)."
    res = subprocess.run([sys.executable, str(ROOT / 'tools' / 'set_colab_cell.py'), '--check'],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert len({colab_cell(p) for p in NBS}) == 1


def test_nothing_happens_outside_colab(colab):
    res = colab(colab_cell(NBS[0]), on_colab=False)
    assert res.returncode == 0, res.stderr
    assert 'Colab' not in res.stdout and 'IMPORT_FAILED' in res.stdout, res.stdout   # no install, no output


ONE = [p for p in NBS if p.stem == '01_set_transformer'] or NBS[:1]
INSTALL_NBS = NBS if os.environ.get('SCAE_COLAB_ALL') == '1' else ONE


@pytest.mark.parametrize('notebook', INSTALL_NBS, ids=[p.stem for p in INSTALL_NBS])
def test_first_cell_installs_scae_nb(colab, notebook):
    colab.uninstall()
    res = colab(colab_cell(notebook))
    assert res.returncode == 0, res.stdout + res.stderr
    assert 'running pip install git+file://' in res.stdout, res.stdout
    assert 'SCAE_SKIP_PARITY=1' in res.stdout, res.stdout             # no fixtures in the package
    assert 'GOLDEN=None' in res.stdout, res.stdout                    # parity cells skip, not fail
    line = next((l for l in res.stdout.splitlines() if l.startswith('SCAE_NB_FILE=')), None)
    assert line, res.stdout + res.stderr
    assert line.split('=', 1)[1].startswith(str(colab.venv)), line    # the installed copy, not the repo
    again = colab(colab_cell(notebook))                                   # a second run does nothing
    assert 'already installed' in again.stdout and 'pip install' not in again.stdout, again.stdout
