"""The prepared GPU check's pure parts: which bench variant training uses."""
import importlib.util
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent.parent / 'tools'


def _gpu_check():
    spec = importlib.util.spec_from_file_location('gpu_check', TOOLS / 'gpu_check.py')
    module = importlib.util.module_from_spec(spec)
    argv, sys.argv = sys.argv, ['gpu_check.py', '/tmp/scae_gpu_check_test_out']   # OUT is only a path
    try: spec.loader.exec_module(module)
    finally: sys.argv = argv
    return module


def _ok(ms, *args): return dict(status='ok', args=list(args), result=dict(ms_per_step=ms))


def test_training_uses_the_fastest_float32_variant():
    check = _gpu_check()
    bench = {'eager': _ok(9.0), 'cuda-graph': _ok(2.5, '--compile', '--cuda-graph'),
             'compiled': _ok(4.0, '--compile', '--no-cuda-graph'), 'amp': _ok(1.0, '--amp'),
             'cuda-graph-amp': dict(status='timeout', args=['--compile', '--cuda-graph', '--amp'])}
    assert check.train_variant(bench) == ('cuda-graph', ['--compile', '--cuda-graph'])
    bench['cuda-graph'] = dict(status='failed', args=['--compile', '--cuda-graph'])
    assert check.train_variant(bench) == ('compiled', ['--compile', '--no-cuda-graph'])
    assert check.train_variant({}) == ('eager', [])
    assert check.train_variant(bench, forced='eager') == ('eager', [])


def test_default_variants_put_trains_variant_first_after_eager():
    check = _gpu_check()
    names = [v.partition('=')[0] for v in check.BENCH_VARIANTS.split(';')]
    assert names[:2] == ['eager', 'cuda-graph'] or check.CPU, names


def test_training_uses_a_triton_variant_only_after_its_parity_passed():
    check = _gpu_check()
    bench = {'eager': _ok(9.0), 'cuda-graph': _ok(2.5, '--compile', '--cuda-graph'),
             'cuda-graph-triton': _ok(1.8, '--compile', '--cuda-graph', '--decoder', 'triton'),
             'triton': _ok(5.0, '--decoder', 'triton')}
    check.summary.pop('parity', None)                                   # parity not run: not trusted
    assert check.train_variant(bench)[0] == 'cuda-graph'
    check.summary['parity'] = dict(passed=True, triton_passed=False)
    assert check.train_variant(bench)[0] == 'cuda-graph'
    check.summary['parity'] = dict(passed=True, triton_passed=True)
    assert check.train_variant(bench) == ('cuda-graph-triton', ['--compile', '--cuda-graph', '--decoder', 'triton'])


def test_the_cuda_variants_include_the_triton_decoder():
    check = _gpu_check()
    if check.CPU: return
    variants = dict(v.partition('=')[::2] for v in check.BENCH_VARIANTS.split(';'))
    assert variants['cuda-graph-triton'] == '--compile --cuda-graph --decoder triton'
    assert variants['triton'] == '--decoder triton'


def test_steps_reached_reads_the_trainers_last_line():
    check = _gpu_check()
    stopped = ["scae-nb train: interrupted by SIGINT at step 1234; checkpoint runs/x/checkpoints/step_00001234.pt; "
               "continue with --resume; last logged: {'total': -1.5}"]
    assert check.steps_reached(['compiling...'] + stopped) == 1234      # was None: the regex wanted 'interrupted at step'
    assert check.steps_reached(['scae-nb train: finished 300 steps; checkpoint c.pt']) == 300
    assert check.steps_reached(['scae-nb train: already finished 300 steps; checkpoint c.pt (raise --steps to go on)']) == 300
    assert check.steps_reached(['Traceback (most recent call last):', 'RuntimeError: CUDA error']) is None
