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
"""
import os
import signal
from pathlib import Path

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
