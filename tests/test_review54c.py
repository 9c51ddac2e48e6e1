"""Review 54c: eval's output-folder lock is not kept by children forked from the evaluation."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scae_nb.evaluation import _hold_folder, _pid_alive
from scae_nb.checkpoints import RunFolderError

# An evaluation holding OUT's lock, which then forks a child the way a DataLoader worker is made
# (multiprocessing's 'fork' context), and waits; it prints the child's pid.
EVALUATION = '''
import multiprocessing, sys, time
from pathlib import Path
from scae_nb.evaluation import _hold_folder
held = _hold_folder(Path(sys.argv[1]))
worker = multiprocessing.get_context('fork').Process(target=time.sleep, args=(120,), daemon=True)
worker.start()
print(worker.pid, flush=True)
time.sleep(120)
'''


def test_forked_worker_does_not_keep_eval_folder_locked(tmp_path):
    "After `kill -9` of an evaluation, its forked worker (still running) does not hold OUT."
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    evaluation = subprocess.Popen([sys.executable, '-c', EVALUATION, str(tmp_path)],
                                  stdout=subprocess.PIPE, text=True, env=env)
    worker = None
    try:
        worker = int(evaluation.stdout.readline())
        with pytest.raises(RunFolderError, match='in use by another evaluation'):
            _hold_folder(tmp_path)                      # the evaluation runs: OUT is held
        evaluation.kill()
        evaluation.wait()
        assert _pid_alive(worker)                       # its worker outlives it, for a while
        held = _hold_folder(tmp_path)                   # yet OUT is free: the worker closed its copy
        held.close()
    finally:
        if evaluation.poll() is None: evaluation.kill(); evaluation.wait()
        if worker is not None and _pid_alive(worker): os.kill(worker, signal.SIGKILL)
