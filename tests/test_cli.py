"""The console script is installed and every subcommand explains itself."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _exe():
    beside = Path(sys.executable).parent / 'scae-nb'   # the venv running pytest, activated or not
    exe = str(beside) if beside.exists() else shutil.which('scae-nb')
    if exe is None: pytest.fail('console script `scae-nb` is not on PATH: is the package installed?')
    return exe


def _run(*args):
    return subprocess.run([_exe(), *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize('sub', ['train', 'bench', 'eval'])
def test_subcommand_help(sub):
    res = _run(sub, '--help')
    assert res.returncode == 0, res.stderr
    assert '--' in res.stdout and sub in res.stdout
    shown = ' '.join(res.stdout.split())
    assert "--threads INT CPU threads for torch (default: $OMP_NUM_THREADS, else one per core" in shown
    train_only = "; train records the count it runs with, and train --resume keeps the run's)"
    assert (train_only in shown) == (sub == 'train'), sub      # bench's and eval's say nothing of train


@pytest.mark.parametrize('sub, told', [
    ('train', '(unset: compiled on one CUDA device, eager on CPU/MPS and under torchrun) (default: None)'),
    ('bench', '(default: compiled on a CUDA device, eager on CPU/MPS)')])   # bench: no torchrun
def test_compile_help_says_what_unset_means(sub, told):
    res = _run(sub, '--help')
    assert res.returncode == 0, res.stderr
    assert '--compile, --no-compile torch.compile the whole step ' + told in ' '.join(res.stdout.split())

@pytest.mark.parametrize('sub', ['train', 'bench'])
def test_decoder_help_says_what_auto_takes_where(sub):
    res = _run(sub, '--help')
    assert res.returncode == 0, res.stderr
    assert ('--decoder STR the decoder: auto takes the fused Triton kernels for a compiled step on CUDA (Triton '
            'installed, deterministic off), the PyTorch path for an eager step on CUDA (and on MPS), and on a CPU '
            'the native C kernel where it applies (else PyTorch) | pytorch | native | triton (default: auto)'
            ) in ' '.join(res.stdout.split())


def test_bench_help_gives_each_presets_model_defaults_as_train_does():
    """bench builds the preset's model (--preset paper: 24 parts, relu1, no alpha channel), so its
    --help gives a model field's default by preset, in train's words: not the official's alone."""
    bench, train = (' '.join(_run(sub, '--help').stdout.split()) for sub in ('bench', 'train'))
    for said in ("--n-parts INT M part capsules (templates) (default: the preset's: 40; paper 24, "
                 "svhn 24, cifar10 32)",
                 "--template-nonlin STR 'sigmoid' | 'relu1' (official flag default: relu1) (default: "
                 "the preset's: sigmoid; paper relu1, svhn relu1, cifar10 relu1)",
                 "(intensity / tau) (default: the preset's: True; paper False, svhn False, cifar10 "
                 "False)",
                 "--model STR 'scae' (images) | 'constellation' (2-D points) (default: the preset's: "
                 "scae; constellation constellation)"):
        assert said in bench and said in train, said
    assert 'timed steps, at most 100,000 (for long runs: scae-nb train); the median is reported (default: 20)' in bench     # bench's own steps

def test_unknown_subcommand_is_refused():
    res = _run('frobnicate')
    assert res.returncode == 2, res.stderr                      # argparse's refusal, not a crash (1)
    assert "invalid choice: 'frobnicate'" in res.stderr, res.stderr


_TINY_BENCH = ('bench', '--batch-size', '4', '--steps', '1', '--warmup', '1', '--n-parts', '4',
               '--n-objects', '4', '--device', 'cpu')


def test_bench_json_last_line_is_trains_variant():
    import json
    res = _run(*_TINY_BENCH, '--variants', 'eager+amp,eager', '--json')
    assert res.returncode == 0, res.stderr
    last = json.loads(res.stdout.strip().splitlines()[-1])
    assert {'ms_per_step', 'images_per_s', 'peak_mem_mb', 'device'} <= set(last)
    assert last['variant'] == 'eager' and last['aten_ops'] > 0
    # the op count runs the profiler: its C++ log lines (kineto's markers, a missing GPU) stay out
    assert 'gpuGetDeviceCount' not in res.stderr and 'USDT:' not in res.stderr, res.stderr
    assert [r['variant'] for r in last['variants']] == ['eager+amp', 'eager']


def test_bench_variants_table():
    res = _run(*_TINY_BENCH, '--variants', 'eager')
    assert res.returncode == 0, res.stderr
    header = res.stdout.strip().splitlines()[1].split()
    assert header[:3] == ['variant', 'ms/step', 'images/s'], res.stdout


def test_bench_refuses_cuda_graph_on_cpu():
    res = _run(*_TINY_BENCH, '--cuda-graph', '--json')
    assert res.returncode == 2
    assert res.stderr.strip().count('\n') == 0 and '--cuda-graph needs a CUDA device' in res.stderr
    assert '--cuda-graph' in _run('train', '--help').stdout


def test_tf32_on_a_cpu_is_one_warning_line_and_float32():
    """--tf32 only means something on NVIDIA GPUs: on a CPU the run says so in one line and stays
    float32 (it is not silently accepted, and no two-line Python warning with a source line)."""
    import json
    res = _run(*_TINY_BENCH, '--tf32', '--json')
    assert res.returncode == 0, res.stderr
    ours = [line for line in res.stderr.splitlines() if 'tf32' in line.lower()]
    assert ours == ['scae-nb bench: warning: --tf32 does nothing on cpu: TF32 is a mode of NVIDIA '
                    'GPUs (Ampere and newer); running in full float32'], res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1])['aten_ops'] > 0


def test_train_respects_wandb_mode_disabled(tmp_path):
    """`scae-nb train` logs to wandb offline by default, but WANDB_MODE=disabled means no wandb at all
    (no wandb/ folder in the run), and the run's config records it."""
    import json, os
    beside = Path(sys.executable).parent / 'scae-nb'
    exe = str(beside) if beside.exists() else shutil.which('scae-nb')
    out = tmp_path / 'run'
    res = subprocess.run([exe, 'train', '--dataset', 'synthetic', '--batch-size', '4', '--n-parts', '4',
                          '--n-objects', '3', '--steps', '1', '--out', str(out)], capture_output=True,
                         text=True, timeout=300, env={**os.environ, 'WANDB_MODE': 'disabled'})
    assert res.returncode == 0, res.stderr[-2000:]
    assert not (out / 'wandb').exists(), sorted(p.name for p in out.iterdir())
    assert json.loads((out / 'config.json').read_text())['wandb'] == 'disabled'


@pytest.fixture(scope='module')
def tiny_checkpoint(tmp_path_factory):
    "A checkpoint of a one-step run on synthetic images (no data, no network)."
    import os
    out = tmp_path_factory.mktemp('tiny') / 'run'
    res = subprocess.run([_exe(), 'train', '--dataset', 'synthetic', '--batch-size', '4', '--n-parts', '4',
                          '--n-objects', '3', '--steps', '1', '--out', str(out), '--no-progress'],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, 'WANDB_MODE': 'disabled'})
    assert res.returncode == 0, res.stderr[-2000:]
    return sorted((out / 'checkpoints').glob('step_*.pt'))[-1]


_TINY_EVAL = ('--device', 'cpu', '--max-batches', '3', '--no-figures', '--no-progress')


def test_eval_refuses_batch_size_zero(tiny_checkpoint, tmp_path):
    """--batch-size 0 is refused like -1, not taken for "the default" (None: the run's batch size)."""
    for bad in ('0', '-1'):
        res = _run('eval', '--checkpoint', str(tiny_checkpoint), '--batch-size', bad,
                   '--out', str(tmp_path / 'eval'), *_TINY_EVAL)
        assert res.returncode == 2, (bad, res.stdout[-500:], res.stderr[-2000:])
        assert res.stderr == f'scae-nb eval: error: --batch-size must be a positive integer, got {bad}\n'
    assert not (tmp_path / 'eval').exists()
    help_text = ' '.join(_run('eval', '--help').stdout.split())
    assert "--batch-size INT images per batch (None: the run's training batch size)" in help_text


def test_eval_out_that_is_a_file_is_refused(tiny_checkpoint, tmp_path):
    """eval --out FILE: one line, exit 2, as train says it; the file and the run are untouched."""
    a_file = tmp_path / 'a_file'
    a_file.write_text('mine')
    before = sorted(p.name for p in tiny_checkpoint.parent.parent.iterdir())
    res = _run('eval', '--checkpoint', str(tiny_checkpoint), '--out', str(a_file), *_TINY_EVAL)
    assert (res.returncode, res.stderr) == (2, f'scae-nb eval: error: --out {a_file}: is a file, '
                                                'not a folder\n'), res.stderr[-2000:]
    assert a_file.read_text() == 'mine'
    assert sorted(p.name for p in tiny_checkpoint.parent.parent.iterdir()) == before



def test_eval_warns_once_about_few_points(tiny_checkpoint, tmp_path):
    """Four k-means accuracies on 12 points per split: one warning line, naming both splits."""
    res = _run('eval', '--checkpoint', str(tiny_checkpoint), '--out', str(tmp_path / 'eval'),
               *_TINY_EVAL)
    assert res.returncode == 0, res.stderr[-2000:]
    assert [line for line in res.stderr.splitlines() if 'biased upward' in line] == [
        'scae-nb eval: warning: k-means accuracy on 12 points (12 train, 12 test) for 10 clusters '
        'is biased upward; use at least 100 points']


def test_eval_of_a_one_class_run_says_what_it_skips(tmp_path):
    """A run trained with --n-classes 1 is evaluated to the end (figures too): every accuracy is
    left out, `skipped` in the JSON says why, and stderr says so in one warning line."""
    import json, os
    run = tmp_path / 'run'
    res = subprocess.run([_exe(), 'train', '--dataset', 'synthetic', '--batch-size', '4', '--n-parts', '4',
                          '--n-objects', '3', '--steps', '1', '--n-classes', '1', '--out', str(run),
                          '--no-progress', '--threads', '1'], capture_output=True, text=True, timeout=300,
                         env={**os.environ, 'WANDB_MODE': 'disabled'})
    assert res.returncode == 0, res.stderr[-2000:]
    res = _run('eval', '--checkpoint', str(run), '--out', str(tmp_path / 'eval'), '--device', 'cpu',
               '--max-batches', '3', '--no-progress', '--threads', '1')
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads((tmp_path / 'eval' / 'report.json').read_text())
    assert (report['prior_u'], report['posterior_m']) == ({}, {}), report
    assert sorted(report['skipped']) == sorted(['kmeans_test_transductive', 'kmeans_train', 'kmeans_inductive',
                                                'linear_fresh', 'probe_train', 'probe_test'])
    assert set(report['skipped'].values()) == {'n_classes 1: every prediction is the one class (a score of 1 '
                                               'by construction) and a classifier needs two'}
    assert 'tsne.png' in [Path(p).name for p in report['figures']]
    assert len([line for line in res.stderr.splitlines() if 'skipped' in line]) == 1, res.stderr


def test_eval_with_an_unwritable_home_says_one_line_about_matplotlib(tiny_checkpoint, tmp_path):
    """HOME a file (nothing can be made under it, even by root): eval draws its figures and says one
    line about matplotlib's folders, not matplotlib's own two."""
    import os
    home = tmp_path / 'home'
    home.touch()
    env = {k: v for k, v in os.environ.items() if k not in ('MPLCONFIGDIR', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME')}
    res = subprocess.run([_exe(), 'eval', '--checkpoint', str(tiny_checkpoint), '--out', str(tmp_path / 'eval'),
                          '--device', 'cpu', '--max-batches', '3', '--no-progress', '--threads', '1'],
                         capture_output=True, text=True, timeout=300, env={**env, 'HOME': str(home)})
    assert res.returncode == 0, res.stderr[-2000:]
    assert (tmp_path / 'eval' / 'tsne.png').exists()
    said = [line for line in res.stderr.splitlines() if 'matplotlib' in line.lower()]
    assert len(said) == 1 and said[0].startswith('scae-nb eval: warning: matplotlib cannot write'), res.stderr


def test_eval_of_a_diverged_model_draws_its_figures_then_says_so(tiny_checkpoint, tmp_path):
    """A checkpoint with NaN in its templates (saved as training would): the figures drawn (NaN in
    red, with warnings), then one line naming the checkpoint and the figures' folder, exit 1, no report."""
    from scae_nb.checkpoints import load_checkpoint, save_checkpoint
    state = load_checkpoint(tiny_checkpoint)
    state.pop('digest')                                             # recomputed by save_checkpoint
    state['model']['pcae.templates'][0, 0, 0, :5] = float('nan')
    diverged = save_checkpoint(state, tmp_path / 'diverged.pt')
    out = tmp_path / 'eval'
    res = _run('eval', '--checkpoint', str(diverged), '--out', str(out), '--device', 'cpu',
               '--max-batches', '3', '--no-progress')
    assert (res.returncode, res.stdout) == (1, ''), res.stderr[-2000:]
    error = res.stderr.splitlines()[-1]
    assert error.startswith(f"scae-nb eval: error: {diverged}: the model's features are not finite ("), error
    assert error.endswith(f"the model has diverged (NaN in its outputs); its figures are in {out}"), error
    assert 'scae-nb eval: warning: learned templates: 1 of 4 templates hold NaN (drawn in red)' in res.stderr
    assert sorted(p.name for p in out.iterdir()) == [     # and their names, as an evaluation's
        '.scae-eval-files.json', 'capsule_claims.png', 'part_decomposition.png', 'reconstructions.png',
        'templates.png']


def test_eval_of_a_dict_that_is_not_a_model_says_what_it_holds(tmp_path):
    """--pretrained FILE.pt and --checkpoint FILE: the same one line naming the keys and what is
    missing, not 'a dict without a format entry'."""
    import torch
    not_weights = tmp_path / 'mine.pt'
    torch.save({'weights': torch.zeros(2), 'step': 3}, not_weights)
    for option in ('--pretrained', '--checkpoint'):
        res = _run('eval', option, str(not_weights), '--out', str(tmp_path / 'eval'), *_TINY_EVAL)
        assert res.returncode != 0 and res.stdout == ''
        assert res.stderr == (f"scae-nb eval: error: {not_weights}: not an scae-nb checkpoint or "
                              "weights file (a dict of 'weights', 'step'; missing 'model' and "
                              "'config')\n"), (option, res.stderr[-2000:])
    assert not (tmp_path / 'eval').exists()

@pytest.mark.skipif(not Path('/proc/self').is_dir(), reason='needs Linux /proc')
def test_train_out_that_cannot_be_made_names_path_and_reason(tmp_path):
    """train --out /proc/x: no folder can be made there; one line naming the path and the OS reason."""
    res = _run('train', '--dataset', 'synthetic', '--batch-size', '4', '--steps', '1',
               '--out', '/proc/scae-nb-x')
    assert res.returncode == 2, res.stderr[-2000:]
    assert res.stderr in ('scae-nb train: error: --out /proc/scae-nb-x: cannot make this folder (No such file or '
                          'directory)\n', 'scae-nb train: error: --out /proc/scae-nb-x: cannot make this folder '
                          '(Permission denied)\n'), res.stderr[-2000:]     # root / other users


def test_model_without_special_features_trains_and_evaluates(tmp_path):
    """F = 0 special features with uncoloured templates (PCAE's own rule): train takes it, two steps
    run, and eval reads the checkpoint back; with coloured templates the same F is one line, exit 2."""
    import json, os
    out, env = tmp_path / 'run', {**os.environ, 'WANDB_MODE': 'disabled'}
    tiny = ('--dataset', 'synthetic', '--batch-size', '4', '--n-parts', '4', '--n-objects', '3',
            '--steps', '2', '--no-progress', '--n-special-features', '0')
    res = _run('train', *tiny, '--out', str(tmp_path / 'refused'))
    assert (res.returncode, res.stderr) == (2, 'scae-nb train: error: --n-special-features must be '
        'positive when --colorize-templates is on (the template colour is predicted from the special '
        'features), got 0\n'), res.stderr[-2000:]
    res = subprocess.run([_exe(), 'train', *tiny, '--no-colorize-templates', '--out', str(out)],
                         capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    assert json.loads((out / 'config.json').read_text())['model']['n_special_features'] == 0
    checkpoint = sorted((out / 'checkpoints').glob('step_*.pt'))[-1]
    res = _run('eval', '--checkpoint', str(checkpoint), '--out', str(tmp_path / 'eval'), *_TINY_EVAL)
    assert res.returncode == 0, res.stderr[-2000:]
    assert json.loads((tmp_path / 'eval' / 'report.json').read_text())['steps'] == 2


def test_threads_option_sets_torchs_threads_in_train_and_eval(tmp_path):
    """--threads N: the run trains with N torch threads (run.json's device says so, config.json keeps
    N), a resume may ask for another count, eval evaluates with N; a bad count is one line, exit 2.
    OMP_NUM_THREADS=1 in the environment, so any other count can only come from the option."""
    import json, os
    out, env = tmp_path / 'run', {**os.environ, 'WANDB_MODE': 'disabled', 'OMP_NUM_THREADS': '1'}
    run = lambda *a: subprocess.run([_exe(), *a], capture_output=True, text=True, timeout=300, env=env)
    tiny = ('--dataset', 'synthetic', '--batch-size', '4', '--n-parts', '4', '--n-objects', '3',
            '--no-progress', '--out', str(out))
    res = run('train', *tiny, '--steps', '1', '--threads', '2')
    assert res.returncode == 0, res.stderr[-2000:]
    device = lambda: json.loads((out / 'run.json').read_text())['device']
    assert device().endswith(', 2 threads)'), device()
    assert json.loads((out / 'config.json').read_text())['threads'] == 2
    res = run('train', *tiny, '--steps', '2', '--resume', '--threads', '1')   # not a model setting
    assert res.returncode == 0, res.stderr[-2000:]
    assert device().endswith(', 1 thread)'), device()               # singular for one
    checkpoint = sorted((out / 'checkpoints').glob('step_*.pt'))[-1]
    res = run('eval', '--checkpoint', str(checkpoint), '--out', str(tmp_path / 'eval'), *_TINY_EVAL,
              '--threads', '2')
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads((tmp_path / 'eval' / 'report.json').read_text())
    assert report['device'].endswith(', 2 threads)'), report['device']
    for command, bad in (('train', '0'), ('eval', '-1'), ('bench', '0')):
        res = run(command, '--threads', bad)
        assert (res.returncode, res.stderr) == (
            2, f'scae-nb {command}: error: --threads must be a positive integer, got {bad}\n'), res.stderr


def test_threads_above_the_cpus_warn_where_the_count_came_from(tmp_path):
    """A --threads above the CPUs this process may use: warned about as typed; a resume that types no
    --threads inherits the count from the checkpoint, and its warning says so (not '--threads N')."""
    import os
    from scae_nb.config import usable_cpus
    env = {**os.environ, 'WANDB_MODE': 'disabled', 'OMP_NUM_THREADS': '1'}
    run = lambda *a: subprocess.run([_exe(), *a], capture_output=True, text=True, timeout=300, env=env)
    tiny = ('--dataset', 'synthetic', '--batch-size', '4', '--n-parts', '4', '--n-objects', '3',
            '--no-progress', '--out', str(tmp_path / 'run'))
    too_many, cpus = usable_cpus() + 1, usable_cpus()
    limit = f"the {cpus} CPU{'s' if cpus > 1 else ''} this process may use"
    warned = lambda res: [line for line in res.stderr.splitlines() if limit in line]
    res = run('train', *tiny, '--steps', '1', '--threads', str(too_many))
    assert res.returncode == 0, res.stderr[-2000:]
    assert warned(res) == [f'scae-nb train: warning: --threads {too_many} exceeds {limit}: threads '
                           'will share CPUs, and every step slows'], res.stderr
    res = run('train', *tiny, '--steps', '2', '--resume')
    assert res.returncode == 0, res.stderr[-2000:]
    assert warned(res) == [f"scae-nb train: warning: the run's threads ({too_many}, from its "
                           f"checkpoint) exceed {limit}: threads will share CPUs, and every step "
                           "slows; pass --threads N to change it"], res.stderr
    # a checkpoint from a larger machine, its count above this one's limit: refused as the
    # checkpoint's, before anything is written, and `--threads N` resumes it (before: refused as
    # a typed --threads, and --threads 1 could not help)
    import torch
    from scae_nb.checkpoints import list_checkpoints, save_checkpoint
    from scae_nb.config import max_threads
    newest = list_checkpoints(tmp_path / 'run')[-1]
    state = torch.load(newest, weights_only=True)
    state['config']['threads'] = huge = max_threads() + 1
    save_checkpoint({k: v for k, v in state.items() if k != 'digest'}, newest)
    before = sorted(p.name for p in (tmp_path / 'run' / 'checkpoints').iterdir())
    res = run('train', *tiny, '--steps', '3', '--resume')
    assert (res.returncode, res.stderr.splitlines()[-1:]) == (2, [
        f"scae-nb train: error: the run's threads ({huge}, from its checkpoint) exceed the most "
        f"allowed here, {max_threads()} (far more threads than CPUs only slow a run, and torch "
        "crashes starting tens of thousands); pass --threads N to change it"]), res.stderr
    assert sorted(p.name for p in (tmp_path / 'run' / 'checkpoints').iterdir()) == before
    res = run('train', *tiny, '--steps', '3', '--resume', '--threads', '1')
    assert res.returncode == 0, res.stderr[-2000:]


def test_eval_of_a_run_folder_without_checkpoints_says_it_is_one(tiny_checkpoint, tmp_path):
    """eval --checkpoint RUN (or RUN/checkpoints) of a run folder whose checkpoints are gone: one
    line saying that run folder has no checkpoint yet and where they would be, exit 2."""
    run = tmp_path / 'run'
    shutil.copytree(tiny_checkpoint.parent.parent, run)
    for path in (run / 'checkpoints').glob('step_*.pt'): path.unlink()
    for given in (run, run / 'checkpoints'):
        res = _run('eval', '--checkpoint', str(given), '--out', str(tmp_path / 'refused'), *_TINY_EVAL)
        assert (res.returncode, res.stderr) == (2, f"scae-nb eval: error: --checkpoint {given}: run "
            f"folder {run} has no checkpoint yet (none in {run / 'checkpoints'})\n"), res.stderr[-2000:]
    assert not (tmp_path / 'refused').exists()

def test_eval_of_a_run_folder_takes_its_newest_intact_checkpoint(tiny_checkpoint, tmp_path):
    """eval --checkpoint RUN: the run's newest intact checkpoint (said in one line; a corrupt newer
    one skipped with a warning, left in place), reported where that checkpoint's report goes; a
    folder without checkpoints is one line naming it, exit 2."""
    import json
    run = tmp_path / 'run'
    shutil.copytree(tiny_checkpoint.parent.parent, run)
    checkpoint = run / 'checkpoints' / tiny_checkpoint.name
    res = _run('eval', '--checkpoint', str(run), *_TINY_EVAL)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (f'scae-nb eval: evaluating {checkpoint}, the newest intact checkpoint of {run}'
            in res.stderr.splitlines()), res.stderr
    report = json.loads((run / 'eval' / checkpoint.stem / 'report.json').read_text())
    assert (report['checkpoint'], report['steps']) == (str(checkpoint), 1)
    newer = run / 'checkpoints' / 'step_00000009.pt'
    newer.write_bytes(b'not a checkpoint')                          # a newer one, corrupt
    res = _run('eval', '--checkpoint', str(run), '--out', str(tmp_path / 'eval'), *_TINY_EVAL)
    assert res.returncode == 0, res.stderr[-2000:]
    assert [line for line in res.stderr.splitlines() if 'corrupt' in line] == [
        f'scae-nb eval: warning: {newer.name} is corrupt (not a readable checkpoint: damaged or not a '
        f'PyTorch file); evaluating {checkpoint.name} instead'], res.stderr
    assert newer.is_file()                                          # eval moves nothing
    assert json.loads((tmp_path / 'eval' / 'report.json').read_text())['steps'] == 1
    empty = tmp_path / 'empty'
    empty.mkdir()
    res = _run('eval', '--checkpoint', str(empty), '--out', str(tmp_path / 'refused'), *_TINY_EVAL)
    assert (res.returncode, res.stderr) == (2, f"scae-nb eval: error: --checkpoint {empty}: a folder "
        f"with no checkpoint in {empty / 'checkpoints'}: give a checkpoint file (RUN/checkpoints/"
        "step_*.pt) or a run folder of scae-nb train\n"), res.stderr[-2000:]
    assert not (tmp_path / 'refused').exists()
