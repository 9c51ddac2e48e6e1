"""Review 54b: one sparsity helper for both models, private checks named for what they check, and a run's
lock that its forked DataLoader workers do not hold.

`constellation_loss_terms` takes its four sparsity terms from `_sparsity_terms` (the posterior over the
N points); the loaders' and the analysis' `_check_pair` are now `_check_images_labels_pair` and
`_check_cluster_label_ids`, with the same messages; a child forked from a run closes its copy of the run
folder's lock, so a run killed with `kill -9` frees its folder at once though its DataLoader workers live
on for seconds. Each test but the messages' fails on the code before these changes.
"""

import os, signal, subprocess, sys, textwrap, time
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pytest
import torch
from fastcore.test import test_eq as equal, test_fail as fails

from scae_nb import analysis, checkpoints, loaders, model
from scae_nb.model import ConstellationAutoencoder, SCAEConfig


def test_constellation_loss_terms_take_the_sparsity_terms_from_the_one_helper():
    torch.manual_seed(0)
    config = replace(SCAEConfig.preset('constellation'), st_layers=1, st_dims=16, st_output_dims=8,
                     posterior_within_weight=0.5, posterior_between_weight=0.2)
    const = ConstellationAutoencoder(config)
    points, presence = torch.rand(3, 11, 2) * 2 - 1, torch.ones(3, 11)
    with mock.patch.object(model, '_sparsity_terms', wraps=model._sparsity_terms) as helper:
        out = const(points, presence)
    losses = out.losses
    equal(helper.call_count, 1)
    equal(helper.call_args.args[2], 11)                       # q = m / N, the points
    sparsity = model._sparsity_terms(config, out.ocae, 11)
    equal(list(losses)[3:7], ['prior_within_sparsity_loss', 'prior_between_sparsity_loss',
                                'posterior_within_sparsity_loss', 'posterior_between_sparsity_loss'])
    for name, term in sparsity.items(): assert torch.equal(losses[name], term), name


def test_the_private_checks_are_named_for_what_they_check():
    equal([hasattr(m, '_check_pair') for m in (loaders, analysis)], [False, False])
    fails(lambda: loaders.tensor_loaders(torch.zeros(3)),
              contains='train must be an (images, labels) pair of tensors, got a Tensor of shape (3,)')
    fails(lambda: loaders._check_images_labels_pair([1, 2, 3], 'test'),
              contains='test must be an (images, labels) pair of tensors, got a list of 3')
    fails(lambda: analysis.cluster_accuracy([0, 1], [0]),
              contains='clusters has 2 entries but labels has 1')
    equal(analysis._check_cluster_label_ids([0, 1], [1, 0])[1].tolist(), [1, 0])


RUN = textwrap.dedent("""
    import os, sys, time, torch
    from pathlib import Path
    from scae_nb.checkpoints import claim_run_folder
    folder = claim_run_folder(Path(sys.argv[1]))                 # locked, stamped with this pid
    batches = iter(torch.utils.data.DataLoader(range(100), batch_size=1, num_workers=1))
    next(batches)                                                 # the worker is forked and running
    print(os.getpid(), batches._workers[0].pid, flush=True)
    time.sleep(120)
""")


@pytest.mark.skipif(checkpoints.fcntl is None or not hasattr(os, 'fork'), reason='POSIX locks and fork')
def test_a_run_killed_with_its_dataloader_worker_alive_frees_its_folder_at_once(tmp_path):
    out = tmp_path / 'run'
    run = subprocess.Popen([sys.executable, '-c', RUN, str(out)], stdout=subprocess.PIPE, text=True)
    worker = None
    try:
        pid, worker = map(int, run.stdout.readline().split())
        with mock.patch.object(checkpoints, 'LOCK_WAIT_S', 0.0):
            equal(checkpoints.lock_holder(out)[0], str(pid))     # a live run still holds its folder
            fails(lambda: checkpoints.check_not_in_use(out), contains=f'held by pid {pid} on ')
            run.send_signal(signal.SIGKILL)
            run.wait()
            os.kill(worker, 0)                                    # its worker lives on (about 5 s) ...
            equal(checkpoints.lock_holder(out), None)           # ... and holds nothing: free at once
            checkpoints.check_not_in_use(out)
            checkpoints._lock(out).close()                       # taken over by the next run
    finally:
        if run.poll() is None: run.kill(); run.wait()
        if worker is not None:
            try: os.kill(worker, signal.SIGKILL)
            except ProcessLookupError: pass
