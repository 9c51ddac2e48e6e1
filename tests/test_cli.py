"""The console script is installed and every subcommand explains itself."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args):
    beside = Path(sys.executable).parent / 'scae-nb'   # the venv running pytest, activated or not
    exe = str(beside) if beside.exists() else shutil.which('scae-nb')
    if exe is None: pytest.fail('console script `scae-nb` is not on PATH: is the package installed?')
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize('sub', ['train', 'bench', 'eval'])
def test_subcommand_help(sub):
    res = _run(sub, '--help')
    assert res.returncode == 0, res.stderr
    assert '--' in res.stdout and sub in res.stdout


def test_unknown_subcommand_is_refused():
    res = _run('frobnicate')
    assert res.returncode != 0
    assert 'frobnicate' in res.stderr
