"""Fixes from review rv50: each a refusal or warning in one line, checked in-process (small, CPU)."""
import warnings

import pytest
import torch

from scae_nb.cli import main


def _main(capsys, *argv):
    "(exit status, stdout, stderr) of `scae-nb ARGV`, run in this process."
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope='module')
def constellation_run(tmp_path_factory):
    "A one-step constellation run (no data, no network)."
    out = tmp_path_factory.mktemp('rv50') / 'runC'
    assert main(['train', '--preset', 'constellation', '--steps', '1', '--out', str(out),
                 '--no-progress', '--threads', '1', '--wandb', 'disabled']) == 0
    return out


@pytest.fixture(scope='module')
def image_run(tmp_path_factory):
    "A one-step run on synthetic images (no data, no network)."
    out = tmp_path_factory.mktemp('rv50') / 'runA'
    assert main(['train', '--dataset', 'synthetic', '--batch-size', '4', '--n-parts', '4',
                 '--n-objects', '3', '--steps', '1', '--out', str(out), '--no-progress',
                 '--threads', '1', '--wandb', 'disabled']) == 0
    return out


def test_eval_of_a_constellation_run_names_batch_size_when_memory_runs_out(constellation_run,
                                                                          capsys, tmp_path,
                                                                          monkeypatch):
    """numpy's 'Unable to allocate ... TiB' for a batch no memory holds becomes one line naming
    --batch-size and the model's sizes, as bench says it, where the system does not say its memory
    (else `_check_constellation_memory` refuses first: the next test)."""
    import scae_nb.evaluation as evaluation
    monkeypatch.setattr(evaluation, '_physical_memory', lambda: None)
    status, out, err = _main(capsys, 'eval', '--checkpoint', str(constellation_run), '--batch-size',
                             str(10**10), '--max-batches', '1', '--no-figures', '--no-progress',
                             '--threads', '1', '--out', str(tmp_path / 'eval'))
    lines = [line for line in err.splitlines() if 'error' in line]
    assert (status, out) == (1, ''), err
    assert lines == ['scae-nb eval: error: CPU memory ran out (cpu) at --batch-size 10000000000 '
                     'with --n-points 11, --n-objects 3: lower --batch-size (or these sizes)'], err


def test_eval_of_a_constellation_run_refuses_a_batch_no_memory_holds_up_front(constellation_run,
                                                                              capsys, tmp_path,
                                                                              monkeypatch):
    """Where the system says its memory, a batch too big for it is refused before any work, naming
    --batch-size (not --max-batches: one batch is already too many) and how many fit."""
    import scae_nb.evaluation as evaluation
    monkeypatch.setattr(evaluation, '_physical_memory', lambda: 8 * 10**9)
    status, out, err = _main(capsys, 'eval', '--checkpoint', str(constellation_run), '--batch-size',
                             str(10**10), '--max-batches', '1', '--no-figures', '--no-progress',
                             '--threads', '1', '--out', str(tmp_path / 'eval'))
    assert (status, out) == (2, ''), err
    assert err.splitlines()[-1] == (
        "scae-nb eval: error: --batch-size 10000000000: one batch of constellations would keep "
        "10,960.0 GB of points and votes, more than this machine's 8.0 GB of memory: at most "
        "7,299,270 fit"), err
    assert not (tmp_path / 'eval').exists()                       # refused before anything is written


def test_eval_of_an_image_run_names_batch_size_when_memory_runs_out(image_run, capsys, tmp_path,
                                                                    monkeypatch):
    "torch's CPU allocator running out during eval: one line naming --batch-size, not torch's."
    import scae_nb.evaluation as evaluation
    def out_of_memory(*args, **kwargs):
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] . DefaultCPUAllocator: can't "
                           "allocate memory: you tried to allocate 80000000000 bytes.")
    monkeypatch.setattr(evaluation, '_evaluate_images', out_of_memory)
    status, out, err = _main(capsys, 'eval', '--checkpoint', str(image_run), '--max-batches', '3',
                             '--no-figures', '--no-progress', '--threads', '1',
                             '--out', str(tmp_path / 'eval'))
    assert (status, out) == (1, ''), err
    assert err.splitlines()[-1] == (
        'scae-nb eval: error: CPU memory ran out (cpu) at --batch-size 4 with --n-parts 4, '
        '--n-objects 3, --template-size 11, --canvas-size 40: lower --batch-size (or these sizes)')


def test_kmeans_accuracy_refuses_too_few_points_before_warning():
    "Fewer points than clusters: refused in one line, and no 'biased upward' warning first."
    from fastcore.test import test_fail
    from scae_nb.analysis import kmeans_accuracy
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        test_fail(lambda: kmeans_accuracy(torch.rand(5, 32), torch.arange(5)),
                  contains='need at least n_clusters=10 examples, got 5')
    assert [str(w.message) for w in caught] == []
    with pytest.warns(UserWarning, match='on 12 points for 10 clusters is biased upward'):
        kmeans_accuracy(torch.rand(12, 4), torch.arange(12) % 10)       # enough to fit: warned


def test_make_figures_says_why_a_one_example_test_has_no_tsne():
    """A `test` of one example: the t-SNE is skipped in one warning saying why (too few examples),
    not 'a collapsed model?'; without `test` (asked for the batch's figures only) nothing is said."""
    from scae_nb.figures import make_figures
    from scae_nb.model import SCAEConfig, build_model
    from scae_nb.utils import AttrDict
    torch.manual_seed(0)
    model = build_model(SCAEConfig(n_parts=4, n_objects=3)).eval()
    images, labels = torch.rand(1, 1, 40, 40), torch.tensor([1])
    test = AttrDict(u=torch.rand(1, 3), m=torch.rand(1, 3), labels=torch.tensor([1]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        figures = make_figures(model, images, labels, test=test)
    assert 'tsne' not in figures and 'class_activations' in figures
    assert [str(w.message) for w in caught] == [
        't-SNE figure skipped: test has 1 example; t-SNE needs at least 2']
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert len(make_figures(model, images, labels)) == 4          # test=None: on purpose
    assert [str(w.message) for w in caught] == []


@pytest.mark.parametrize('spec, said', [
    ('', "--variants '' names no variant"),
    ('eager,,eager', "--variants 'eager,,eager' has an empty item"),
    ('eager,', "--variants 'eager,' has an empty item"),
])
def test_bench_refuses_an_empty_variant_spec_or_item(capsys, spec, said):
    "An empty --variants, or an empty item in it, is refused in one line as --variants foo is."
    status, out, err = _main(capsys, 'bench', '--variants', spec, '--batch-size', '2', '--steps',
                             '1', '--warmup', '1', '--n-parts', '4', '--n-objects', '3',
                             '--device', 'cpu', '--threads', '1', '--no-progress')
    assert (status, out) == (2, ''), err
    assert err.startswith(f'scae-nb bench: error: {said}') and len(err.splitlines()) == 1, err


def test_eval_help_says_checkpoint_takes_a_shipped_name(capsys):
    "--checkpoint mnist-cpu evaluates the shipped model (as load_model does): --help says so."
    with pytest.raises(SystemExit):
        main(['eval', '--help'])
    help_text = ' '.join(capsys.readouterr().out.split())
    assert ("--checkpoint STR RUN/checkpoints/step_*.pt (`scae-nb train`), or RUN: its newest; a "
            "shipped model's name is taken too, as by --pretrained (default: None)") in help_text


def test_pretrained_check_refuses_too_few_images_before_warning(monkeypatch, mnist_root):
    "pretrained_check(n_test=5): refused (k-means needs 10), with no 'biased upward' warning first."
    from fastcore.test import test_fail
    from scae_nb.evaluation import pretrained_check
    monkeypatch.setenv('SCAE_DATA', str(mnist_root))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        test_fail(lambda: pretrained_check('mnist-cpu', n_test=5),
                  contains='need at least n_clusters=10 examples, got 5')
    assert [str(w.message) for w in caught if 'biased' in str(w.message)] == []
