"""tools/gpu_profile.py on the CPU (its dry run): one eager variant of a tiny model, in a child process."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _profile(out, *extra, env=None):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=str(ROOT), **(env or {}))
    cmd = [sys.executable, str(ROOT / 'tools' / 'gpu_profile.py'), str(out), '--device', 'cpu',
           '--variants', 'eager', '--steps', '2', '--batch-size', '4', *extra]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'gpuGetDeviceCount' not in done.stdout + done.stderr, done.stderr[-2000:]   # the profiler's, off CUDA
    return json.loads((out / 'profile.json').read_text())


def test_profiles_an_eager_step_and_names_its_ops(tmp_path):
    [eager] = _profile(tmp_path)
    assert eager['status'] == 'ok' and eager['variant'] == eager['step'] == 'eager', eager
    assert eager['decoder'] in ('native', 'pytorch') and eager['tf32'] is False, eager   # auto on a CPU, as bench
    assert eager['cnn_layout'] == 'nhwc', eager                         # scae_nb.pcae.CNN_MEMORY_FORMAT, as shipped
    assert eager['ms_per_step_synced'] > 0 and eager['ms_per_step_queued'] > 0, eager
    names = [row['name'] for row in eager['top']]
    assert any(n.startswith('aten::') for n in names), names            # the op table, by CPU time here
    assert eager['gpu_kernel_ms_per_step'] is None and eager['kernels_per_step'] is None   # no GPU
    text = (tmp_path / 'profile.txt').read_text()
    assert text.startswith('==== eager: ok') and 'by input shape' in text


def test_nchw_variants_build_the_cnn_in_nchw(tmp_path):
    [nchw] = _profile(tmp_path, '--variants', 'eager-nchw')              # the last --variants is taken
    assert (nchw['status'], nchw['variant'], nchw['step']) == ('ok', 'eager-nchw', 'eager'), nchw
    assert nchw['cnn_layout'] == 'nchw', nchw                           # read back from the built model


def test_autotune_variants_compile_with_inductors_max_autotune(tmp_path):
    sys.path.insert(0, str(ROOT / 'tools'))
    try: import gpu_profile
    finally: sys.path.remove(str(ROOT / 'tools'))
    tuned = gpu_profile.variant_spec('compiled-autotune')             # what the child sets before compiling
    assert gpu_profile.inductor_options(tuned) == dict(max_autotune=True, coordinate_descent_tuning=True)
    assert gpu_profile.inductor_options(gpu_profile.variant_spec('compiled')) == {}    # as shipped
    assert gpu_profile.known('cuda-graph-triton-autotune') and gpu_profile.known('compiled+amp-autotune-nchw')
    for name in ('eager-autotune', 'amp-autotune', 'eager-autotune-autotune', 'eager-nchw-nchw'):
        assert not gpu_profile.known(name), name                       # eager compiles nothing; each suffix once
    [plain] = _profile(tmp_path)                                      # the record of a run: {} as shipped
    assert plain['inductor_options'] == {}, plain


def test_parallel_mode_pauses_the_named_processes_while_it_times(tmp_path):
    sleeper = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)  # gpu-profile-test-sleeper'])
    try:
        [eager] = _profile(tmp_path, '--parallel', '--pause', 'gpu-profile-test-slee[p]er')
        assert eager['status'] == 'ok', eager
        assert eager['paused_pids'] == [sleeper.pid], eager               # stopped while timed ...
        time.sleep(0.2)
        state = Path(f'/proc/{sleeper.pid}/status').read_text().split('State:')[1].split()[0]
        assert state != 'T', state                                        # ... and continued after
        assert not list(tmp_path.glob('.*.json'))                         # the child's result was collected
    finally:
        sleeper.kill(); sleeper.wait()


def test_refuses_a_variant_it_does_not_know_in_one_line(tmp_path):
    cmd = [sys.executable, str(ROOT / 'tools' / 'gpu_profile.py'), str(tmp_path / 'out'), '--device', 'cpu',
           '--variants', 'eager,eagr']
    done = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done
    assert done.stderr.strip().splitlines()[-1].startswith("gpu_profile.py: error: --variants: unknown 'eagr'")
    assert not (tmp_path / 'out').exists()                              # refused before anything ran


def test_refuses_gpu_variants_on_a_cpu_in_one_line(tmp_path):
    cmd = [sys.executable, str(ROOT / 'tools' / 'gpu_profile.py'), str(tmp_path / 'out'), '--device', 'cpu',
           '--variants', 'eager,cuda-graph,eager-cuda-graph+amp,amp']
    done = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done                                    # was: a compiled step labelled cuda-graph
    assert done.stderr.strip().splitlines()[-1] == ('gpu_profile.py: error: --variants cuda-graph, '
                                                    'eager-cuda-graph+amp: need CUDA (Triton kernels, CUDA graphs); '
                                                    'this run uses --device cpu')


def test_variants_are_benchs_names_and_aliases_say_decoder_and_precision():
    sys.path.insert(0, str(ROOT / 'tools'))
    try: import gpu_profile
    finally: sys.path.remove(str(ROOT / 'tools'))
    from scae_nb.step import variant_name
    spec = gpu_profile.variant_spec('cuda-graph-triton-tf32')
    assert spec == dict(step='cuda-graph', compile=True, cuda_graph=True, amp=False, decoder='triton', tf32=True,
                        triton_backward=None, cnn_layout='nhwc', autotune=False), spec
    assert gpu_profile.variant_spec('cuda-graph+amp', 'pytorch')['decoder'] == 'pytorch'   # --decoder: bench's names
    assert gpu_profile.variant_spec('eager-cuda-graph') == dict(step='eager-cuda-graph', compile=False, cuda_graph=True,
                                                                 amp=False, decoder='auto', tf32=False,
                                                                 triton_backward=None, cnn_layout='nhwc',
                                                                 autotune=False)
    assert gpu_profile.variant_spec('cuda-graph-triton-nchw') == dict(spec, tf32=False, cnn_layout='nchw')
    assert gpu_profile.known('cuda-graph-triton-dot-nchw') and not gpu_profile.known('nchw')
    tuned = gpu_profile.variant_spec('cuda-graph-triton-dot-nchw-autotune')     # the suffixes in either order
    assert tuned == gpu_profile.variant_spec('cuda-graph-triton-dot-autotune-nchw'), tuned
    assert (tuned['step'], tuned['triton_backward'], tuned['cnn_layout'], tuned['autotune']) == (
        'cuda-graph', ('dot', 128), 'nchw', True), tuned
    assert not gpu_profile.known('autotune') and not gpu_profile.known('eagr-autotune')
    dot = gpu_profile.variant_spec('cuda-graph-triton-dot-amp')              # the Triton backward's other way
    assert (dot['step'], dot['decoder'], dot['triton_backward']) == ('cuda-graph+amp', 'triton', ('dot', 128)), dot
    for name in [*gpu_profile.ALIASES, *gpu_profile.STEPS, 'compiled+amp']:       # each `step` is what bench calls it
        spec = gpu_profile.variant_spec(name)
        assert variant_name(spec['compile'], spec['cuda_graph'], spec['amp']) == spec['step'], name
    check = (ROOT / 'tools' / 'gpu_check.py').read_text()                  # gpu_check's names mean the same here
    assert "cuda-graph-pytorch=--compile --cuda-graph --decoder pytorch" in check
    assert "cuda-graph-amp=--compile --cuda-graph --amp'" in check and "triton=--decoder triton --no-compile" in check


def test_kernel_bench_runs_every_way_and_compares_gradients_under_the_interpreter():
    # The 'kernel' variant's code, which otherwise runs only on a GPU: on the CPU under Triton's
    # interpreter (batch 1, 5 parts, alpha mode, two ways), in a child process (TRITON_INTERPRET is read
    # when Triton is imported).
    script = (
        "import json, sys, types; sys.path.insert(0, 'tools'); import gpu_profile as g\n"
        "r = g._kernel_bench(types.SimpleNamespace(batch_size=1, device='cpu'),\n"
        "                    configs=(('atomic', 256), ('dot', 64)), alphas=(True,),\n"
        "                    parts=5)\n"
        "print(json.dumps(r))\n")
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=str(ROOT), TRITON_INTERPRET='1')
    done = subprocess.run([sys.executable, '-c', script], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(done.stdout.splitlines()[-1])['rows']
    assert [r['poses'] for r in rows] == ['random', 'init', 'shipped-weights'], rows
    images = 'mnist' if (Path(os.environ.get('SCAE_DATA', '/nonexistent')) / 'MNIST').is_dir() else 'noise'
    assert [r['images'] for r in rows] == [None, images, images], rows     # the model's poses on digits
    for r in rows:
        assert r['mode'] == 'alpha' and 0 < r['inside'] < 1, r
        assert isinstance(r['backward_us_atomic_256'], float), r      # a time, not 'failed: ...'
        assert isinstance(r['backward_us_dot_64'], float), r
        assert r['max_rel_diff_atomic_256'] == 0.0, r                 # the reference itself
        assert r['max_rel_diff_dot_64'] < 1e-5, r                     # the same gradients
    assert rows[1]['inside'] != rows[2]['inside'], rows               # two models, two pose sets


def test_bad_numbers_and_names_are_refused_in_one_line_and_no_cache_is_left(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1')
    cases = {('--steps', '9223372036854775808'): 'argument --steps: 9223372036854775808 is out of range',  # int64
             ('--cap', '5'): '--budget must be above 0 and --cap at least 20 seconds, got 240 and 5.0',
             ('--budget', '-5'): '--budget must be above 0',
             ('--preset', 'bogus'): "argument --preset: invalid choice: 'bogus'",
             ('--decoder', 'triton'): '--variants eager with --decoder triton: need CUDA'}
    for extra, said in cases.items():                  # was: --steps 2**63, --cap 5 ran (exit 1), bogus a traceback
        cmd = [sys.executable, str(ROOT / 'tools' / 'gpu_profile.py'), str(tmp_path / 'p'), '--device', 'cpu',
               '--variants', 'eager', *extra]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and said in done.stderr.strip().splitlines()[-1], (extra, done.stderr[-500:])
    tmp = tmp_path / 'tmp'
    tmp.mkdir()
    [eager] = _profile(tmp_path / 'q', env={'TMPDIR': str(tmp)})
    assert eager['status'] == 'ok' and not list(tmp.glob('inductor_*')), list(tmp.iterdir())  # its cache removed


def _refused(*argv):
    "Exit status and stderr lines of `gpu_profile.py OUT --device cpu --variants eager *argv` (nothing runs)."
    cmd = [sys.executable, str(ROOT / 'tools' / 'gpu_profile.py'), '/nonexistent/gpu-profile-out', '--device', 'cpu',
           '--variants', 'eager', *argv]
    done = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                          timeout=120)
    return done.returncode, done.stderr.strip().splitlines()


def test_refuses_a_bad_integer_in_one_line():
    # was: argparse's usage (7 lines), then the error
    assert _refused('--steps', 'abc') == (2, ["gpu_profile.py: error: argument --steps: invalid int value: 'abc'"])
    assert _refused('--batch-size', '0') == (2, ['gpu_profile.py: error: argument --batch-size: 0 is not positive '
                                                 '(at least 1)'])
    assert _refused('--steps', str(10**23)) == (2, ['gpu_profile.py: error: argument --steps: 100000000000000000000000 '
                                                    'is out of range (at most 2**63-1 = 9223372036854775807)'])
    assert _refused('--steps', '100001') == (2, ['gpu_profile.py: error: --steps must be 1 to 100000 and --batch-size '
                                                 '1 to 65536, got 100001 and 128'])
