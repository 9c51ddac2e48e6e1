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
    check.summary['parity'] = dict(passed=True, triton_passed=True)     # compiled on CUDA: the Triton decoder
    bench = {'eager': _ok(9.0), 'cuda-graph': _ok(2.5, '--compile', '--cuda-graph'),
             'compiled': _ok(4.0, '--compile', '--no-cuda-graph'), 'amp': _ok(1.0, '--amp'),
             'cuda-graph-amp': dict(status='timeout', args=['--compile', '--cuda-graph', '--amp'])}
    assert check.train_variant(bench) == ('cuda-graph', ['--compile', '--cuda-graph'])
    bench['cuda-graph'] = dict(status='failed', args=['--compile', '--cuda-graph'])
    assert check.train_variant(bench) == ('compiled', ['--compile', '--no-cuda-graph'])
    assert check.train_variant({}) == ('eager', ['--no-compile'])     # explicit: the default compiles on CUDA
    assert check.train_variant(bench, forced='eager') == ('eager', [])


def test_default_variants_put_trains_variant_first_after_eager():
    check = _gpu_check()
    names = [v.partition('=')[0] for v in check.BENCH_VARIANTS.split(';')]
    assert names[:2] == ['eager', 'cuda-graph'] or check.CPU, names
    if not check.CPU:                   # then the ones that do not compile, then the other compiling ones
        assert names[2:] == ['amp', 'triton', 'cuda-graph-pytorch', 'compiled', 'cuda-graph-amp'], names


def test_training_uses_a_triton_variant_only_after_its_parity_passed():
    check = _gpu_check()
    bench = {'eager': _ok(9.0), 'cuda-graph': _ok(1.8, '--compile', '--cuda-graph'),      # auto: Triton on CUDA
             'cuda-graph-pytorch': _ok(2.5, '--compile', '--cuda-graph', '--decoder', 'pytorch'),
             'triton': _ok(5.0, '--decoder', 'triton')}
    check.summary.pop('parity', None)                                   # parity not run: not trusted
    assert check.train_variant(bench)[0] == ('eager' if check.CPU else 'cuda-graph-pytorch')
    check.summary['parity'] = dict(passed=True, triton_passed=False)
    assert check.train_variant(bench)[0] == ('eager' if check.CPU else 'cuda-graph-pytorch')
    check.summary['parity'] = dict(passed=True, triton_passed=True)
    assert check.train_variant(bench) == ('cuda-graph', ['--compile', '--cuda-graph'])


def test_which_variants_run_the_triton_decoder():
    check = _gpu_check()
    assert check.uses_triton(['--decoder', 'triton', '--no-compile'])
    assert not check.uses_triton(['--compile', '--cuda-graph', '--decoder', 'pytorch'])
    assert not check.uses_triton(['--no-compile']) and not check.uses_triton(['--amp', '--no-compile'])
    assert check.uses_triton(['--compile', '--cuda-graph']) == (not check.CPU)   # auto, compiled on CUDA
    assert check.uses_triton(['--compile', '--no-cuda-graph', '--amp']) == (not check.CPU)
    assert not check.uses_triton(['--decoder'])                         # no value: not a choice


def test_the_cuda_variants_include_the_triton_decoder():
    check = _gpu_check()
    if check.CPU: return
    variants = dict(v.partition('=')[::2] for v in check.BENCH_VARIANTS.split(';'))
    assert variants['cuda-graph'] == '--compile --cuda-graph'               # Triton by auto_decoder
    assert variants['cuda-graph-pytorch'] == '--compile --cuda-graph --decoder pytorch'
    assert variants['triton'] == '--decoder triton --no-compile'
    assert variants['eager'] == '--no-compile' and variants['amp'] == '--amp --no-compile'


def test_eager_variants_say_no_compile_and_are_not_counted_as_compiling():
    check = _gpu_check()
    for spec in check.BENCH_VARIANTS.split(';'):       # eager and amp must not ride on the CUDA default (compiled)
        name, _, extra = spec.partition('=')
        assert check.compiling(extra.split()) == ('--compile' in extra.split()), spec
        if name in ('eager', 'amp', 'triton'): assert '--no-compile' in extra.split(), spec
    assert not check.compiling(['--no-compile']) and not check.compiling(['--amp', '--no-cuda-graph'])
    assert check.compiling(['--compile', '--no-cuda-graph']) and check.compiling(['--cuda-graph'])


def test_steps_reached_reads_the_trainers_last_line():
    check = _gpu_check()
    stopped = ["scae-nb train: interrupted by SIGINT at step 1234; checkpoint runs/x/checkpoints/step_00001234.pt; "
               "continue with --resume; last logged: {'total': -1.5}"]
    assert check.steps_reached(['compiling...'] + stopped) == 1234      # was None: the regex wanted 'interrupted at step'
    assert check.steps_reached(['scae-nb train: finished 300 steps; checkpoint c.pt']) == 300
    assert check.steps_reached(['scae-nb train: already finished 300 steps; checkpoint c.pt (raise --steps to go on)']) == 300
    assert check.steps_reached(['Traceback (most recent call last):', 'RuntimeError: CUDA error']) is None


# ---- stopping: the driver's run() and gpu_check.sh with a stand-in driver (SCAE_CHECK_DRIVER), seconds each
import json, os, signal, subprocess, time

IGNORES_SIGINT = 'import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print("up", flush=True); time.sleep(60)'


def _alive(pid):
    try: state = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]
    except OSError: return False
    return state != 'Z'


def test_a_training_that_ignores_sigint_is_killed_after_the_grace():
    check = _gpu_check()
    check.SAVE_GRACE = 1.
    t = time.time()
    r = check.run([sys.executable, '-c', IGNORES_SIGINT], 2., 'train', interrupt_first=True, echo=False)
    assert r['timed_out'] and r['rc'] == -signal.SIGKILL and r['output'] == ['up'], r
    assert time.time() - t < 10



def test_a_stage_that_ignores_sigint_is_killed_when_the_driver_or_ended_stops_it():
    check = _gpu_check()
    check.SAVE_GRACE = 1.
    def start():
        proc = subprocess.Popen([sys.executable, '-c', IGNORES_SIGINT], stdout=subprocess.PIPE, start_new_session=True)
        assert proc.stdout.readline() == b'up\n'
        return proc
    proc = start(); check.CURRENT[:] = [proc, True]                       # the driver stopped from outside
    assert check.stop_current('SIGTERM') == 'SIGINT, then SIGKILL after 1 s' and proc.returncode == -signal.SIGKILL
    proc = start()                                                       # --ended: not its child any more
    assert check.stop_group(proc.pid, True, grace=1.) == 'SIGINT, then SIGKILL after 1 s'
    assert proc.wait(timeout=5) == -signal.SIGKILL and not check.group_alive(proc.pid)


STAND_IN = '''
import importlib.util, os, signal, sys
spec = importlib.util.spec_from_file_location('gpu_check', 'tools/gpu_check.py')
check = importlib.util.module_from_spec(spec); spec.loader.exec_module(check)
open(os.environ['TEST_DRIVER_PID'], 'w').write(str(os.getpid()))
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, check.on_signal)
check.save_summary()
child = 'import os, sys, time; open(sys.argv[1], "w").write(str(os.getpid())); print("up", flush=True); time.sleep(60)'
check.stage('train')(lambda: check.run([sys.executable, '-c', child, os.environ['TEST_CHILD_PID']], 60, 'train',
                                       interrupt_first=True))()
'''


def _script(tmp_path, budget='100'):
    "gpu_check.sh with the stand-in driver (a 60 s 'training' child) in the background: (process, out, pid files)."
    (tmp_path / 'driver.py').write_text(STAND_IN)
    files = dict(driver=tmp_path / 'driver.pid', child=tmp_path / 'child.pid')
    env = {**os.environ, 'SCAE_CHECK_DRIVER': str(tmp_path / 'driver.py'), 'SCAE_CHECK_PYTHON': sys.executable,
           'SCAE_CHECK_WORK': str(tmp_path / 'work'), 'SCAE_CHECK_DEVICE': 'cpu',
           'TEST_DRIVER_PID': str(files['driver']), 'TEST_CHILD_PID': str(files['child'])}
    out = tmp_path / 'out'
    proc = subprocess.Popen(['bash', str(TOOLS / 'gpu_check.sh'), str(out), budget], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for _ in range(300):
        if files['child'].is_file() and files['child'].read_text(): break
        time.sleep(0.1)
    return proc, out, {k: int(p.read_text()) for k, p in files.items()}


def test_a_killed_driver_leaves_no_training_and_a_complete_summary(tmp_path):
    proc, out, pids = _script(tmp_path)
    os.kill(pids['driver'], signal.SIGKILL)
    try: proc.wait(timeout=40); time.sleep(0.5); orphan = _alive(pids['child'])
    finally: os.kill(pids['child'], signal.SIGKILL) if _alive(pids['child']) else None
    assert not orphan, 'the training child outlived its killed driver'                  # was: left running
    assert proc.returncode == 137
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['terminated']['signal'] == 'SIGKILL' and summary['terminated']['stage'] == 'train', summary
    assert summary['stages']['train']['status'] == 'killed' and summary['headline']['stages'] == {'train': 'killed'}


def test_the_backstop_stops_the_driver_30_s_after_the_budget(tmp_path):
    t = time.time()
    proc, out, pids = _script(tmp_path, budget='-20')            # backstop (SIGTERM) at budget + 30 s: at 10 s
    try: proc.wait(timeout=60); took = time.time() - t; orphan = _alive(pids['child'])
    finally: os.kill(pids['child'], signal.SIGKILL) if _alive(pids['child']) else None
    assert proc.returncode == 124 and not orphan                 # timeout's code; the driver ended its stage itself
    assert took < 20, took                                       # was 25: budget + 45 s, from the driver's start
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['terminated']['signal'] == 'SIGTERM' and summary['stages']['train']['status'] == 'terminated'


def test_tee_dying_alone_leaves_the_log_complete(tmp_path):
    proc, out, pids = _script(tmp_path)
    tee = subprocess.run(['pgrep', '-f', f'^tee {out}/log.txt'], capture_output=True, text=True).stdout.split()
    os.kill(int(tee[0]), signal.SIGKILL)
    time.sleep(0.3)
    os.kill(pids['child'], signal.SIGKILL)                      # training 'crashes': the driver goes on and ends
    proc.wait(timeout=40)
    log = (out / 'log.txt').read_text()
    assert 'gpu_check: done, rc 0' in log, log[-2000:]          # the shell's last lines (was: lost, main died of SIGPIPE)
    assert 'summary.json completed after the driver ended' in log      # --ended, after tee died: appended itself
    assert proc.returncode == 0                                 # the stand-in driver ends 0


# ---- what a stopped check reports: only this check's checkpoint, steps and variant from it
def _at(check, tmp_path):
    "The module's paths moved under tmp_path (OUT, WORK, RUN_DIR), no gpu_check.sh state folder."
    check.OUT, check.WORK, check.STATE = tmp_path / 'out', tmp_path / 'work', None
    check.RUN_DIR, check.EVAL_FIG_DIR = tmp_path / 'work' / 'run', tmp_path / 'work' / 'eval_figures'
    check.OUT.mkdir()
    return check


def _checkpoint(check, step, age=0.):
    "An (empty) checkpoint file of `step` in RUN_DIR, modified `age` s before the check started (0: now)."
    path = check.RUN_DIR / 'checkpoints' / f'step_{step:08d}.pt'
    path.parent.mkdir(parents=True, exist_ok=True); path.write_bytes(b'')
    if age: os.utime(path, (check.T0 - age, check.T0 - age))
    return path


def test_ended_never_reports_an_earlier_checks_checkpoint(tmp_path):
    check = _at(_gpu_check(), tmp_path)
    _checkpoint(check, 2753, age=3600.)                                  # left in the shared run folder by an earlier check
    check.summary['stages'] = {'bench': {}}                             # the driver was killed during bench
    check.save_summary()
    assert check.ended(137) == 137
    summary = json.loads((check.OUT / 'summary.json').read_text())
    assert (summary.get('train') or {}).get('checkpoint') is None, summary['train']     # was .../step_00002753.pt
    assert summary['stages']['bench']['status'] == 'killed' and summary['headline']['train_steps'] is None


def test_a_kill_during_training_reports_the_variant_and_the_checkpoints_step(tmp_path):
    check = _at(_gpu_check(), tmp_path)
    check.summary['stages'] = {'train': {}}
    check.summary['train'] = dict(variant='eager', cmd='train ...')     # what train() records when it starts
    check.save_summary()
    _checkpoint(check, 2753, age=3600.); ck = _checkpoint(check, 9)
    check.finalize = lambda cap: None                                   # no torch here: finalize is tested on its own
    check.ended(137)
    summary = json.loads((check.OUT / 'summary.json').read_text())
    assert summary['train']['checkpoint'] == str(ck)
    h = summary['headline']
    assert (h['train_steps'], h['train_variant']) == (9, 'eager'), h                    # was (None, 'eager')
    assert h['train_steps_from'] == 'the checkpoint step_00000009.pt (the driver ended by SIGKILL)'


def test_training_records_its_variant_before_it_runs(tmp_path):
    check = _at(_gpu_check(), tmp_path)
    check.DEADLINE, check.HELP = time.time() + 1000, {}
    check.summary['stages'], check.summary['bench'] = {}, {'eager': _ok(9.0)}
    seen = []
    def run(cmd, timeout, name, **kw):                                  # a driver killed now leaves this summary.json
        seen.append(json.loads((check.OUT / 'summary.json').read_text()).get('train'))
        _checkpoint(check, 9)                                           # the trainer's checkpoint when SIGINTed
        return dict(rc=130, timed_out=True, wall_s=1., output=['scae-nb train: interrupted by SIGINT at step 9; ...'])
    check.run = run
    check.train()
    assert seen and seen[0]['variant'] == 'eager', seen                  # was: None (recorded only after the run)
    assert check.summary['train']['steps_reached'] == 9 and check.summary['train']['variant'] == 'eager'


def test_ended_runs_finalize_for_this_checks_checkpoint_when_budget_is_left(tmp_path):
    check = _at(_gpu_check(), tmp_path)
    check.summary['stages'], check.summary['train'] = {'train': {}}, dict(variant='eager')
    check.save_summary()
    _checkpoint(check, 9)
    (check.RUN_DIR / 'metrics.jsonl').write_text('{"step": 5, "total": -1.0, "steps_per_s": 10.0}\n')
    check.ended(137)
    summary = json.loads((check.OUT / 'summary.json').read_text())
    assert summary['stages']['finalize']['note'] == 'run by --ended after the driver ended', summary['stages']
    assert (check.OUT / 'metrics.jsonl').is_file()                      # was: not run, no metrics.jsonl / weights.pt
    assert summary['train_stats']['n_logged'] == 1
    check.DEADLINE = time.time() - 30                                   # past the budget (the backstop): not run
    (check.OUT / 'summary.json').write_text(json.dumps(dict(summary, finished_utc=None, stages={'train': {}})))
    (check.OUT / 'metrics.jsonl').unlink()
    check.ended(124)
    assert 'finalize' not in json.loads((check.OUT / 'summary.json').read_text())['stages']


# ---- the budget on CUDA: defaults tuned from the first H200 run (tools/GPU_CHECK.md, "Run record")
import types


def _cuda_defaults(monkeypatch, tmp_path):
    "The module with its CUDA defaults (no SCAE_CHECK_* budget knob from the environment), paths under tmp_path."
    for knob in ('DEVICE', 'BUDGET', 'BENCH_VARIANTS', 'BENCH_CAP', 'COMPILE_CAP', 'COMPILE_MIN', 'BENCH_MIN',
                 'TRAIN_MIN', 'EVAL_RESERVE', 'FINAL_RESERVE', 'TRAIN_VARIANT'):
        monkeypatch.delenv(f'SCAE_CHECK_{knob}', raising=False)
    check = _at(_gpu_check(), tmp_path)
    check.HELP, check.summary['stages'] = {}, {}                        # no --help text: every option is kept
    return check


def test_a_compiling_variant_whose_cap_cannot_cover_a_compile_is_not_started(monkeypatch, tmp_path):
    check = _cuda_defaults(monkeypatch, tmp_path)
    check.BENCH_VARIANTS = 'eager=;cuda-graph=--compile --cuda-graph;amp=--amp'
    reserve = check.TRAIN_MIN + check.EVAL_RESERVE + check.FINAL_RESERVE + check.SAVE_GRACE
    check.DEADLINE = time.time() + reserve + 60                         # 60 s for bench: an H200 compile took 79 s
    started = []
    def run(cmd, timeout, name, **kw):
        started.append(name)
        return dict(rc=0, timed_out=False, wall_s=1., output=['{"ms_per_step": 9.0}'])
    check.run = run
    check.bench()
    assert started == ['bench eager', 'bench amp'], started             # was: cuda-graph started, killed at 60 s
    skipped = check.summary['bench']['cuda-graph']
    assert skipped['status'] == 'skipped' and 'SCAE_CHECK_COMPILE_MIN 90 s' in skipped['reason'], skipped
    # SCAE_CHECK_TRAIN_VARIANT=cuda-graph still trains with its options (was: [], the eager step under its name)
    assert check.train_variant(check.summary['bench'], forced='cuda-graph') == ('cuda-graph', ['--compile', '--cuda-graph'])


def test_the_h200_runs_stage_times_leave_training_two_minutes_past_its_compile(monkeypatch, tmp_path):
    "The 2026-12-04 H200 check (log.txt): bench began at 54.9 s; eager took 14.7 s, cuda-graph 95.8 s (a 79 s compile)."
    check = _cuda_defaults(monkeypatch, tmp_path)
    clock = [check.T0 + 54.9]
    check.time = types.SimpleNamespace(time=lambda: clock[0])
    check.DEADLINE = check.T0 + 520
    check.summary['parity'] = dict(passed=True, triton_passed=True)     # as on the H200: parity before bench
    walls, calls = {'bench eager': 14.7, 'bench cuda-graph': 95.8}, []
    def run(cmd, timeout, name, **kw):
        calls.append((name, round(timeout, 1)))
        clock[0] += walls.get(name, timeout)
        if name == 'train':
            _checkpoint(check, 9)
            return dict(rc=130, timed_out=True, wall_s=timeout, output=['scae-nb train: interrupted by SIGINT at step 9'])
        ms = {'bench eager': 32.08, 'bench cuda-graph': 3.96}.get(name)                  # its bench.json
        return dict(rc=0 if ms else -9, timed_out=not ms, wall_s=1., output=[json.dumps(dict(ms_per_step=ms))] if ms else [])
    check.run = run
    check.bench(); check.train()
    assert [name for name, _ in calls] == ['bench eager', 'bench cuda-graph', 'train'], calls   # was: + cuda-graph-triton
    assert check.summary['train']['variant'] == 'cuda-graph'
    assert calls[-1][1] >= 90 + 120, calls          # the trainer's cold start and compile (~90 s), then 2 minutes


# ---- settings: an integer setting out of range is refused in one line, before anything runs (seconds each)

def test_refuses_a_bad_integer_setting_in_one_line(tmp_path):
    for name, value, said in (('SCAE_CHECK_BENCH_BATCH', 'abc', "invalid int value: 'abc'"),
                              ('SCAE_CHECK_BENCH_STEPS', str(2**63), '9223372036854775808 is out of range (at most '
                                                                     '2**63-1 = 9223372036854775807)'),
                              ('SCAE_CHECK_EVAL_MAX_BATCHES', '0', '0 is not positive (at least 1)'),   # was: no limit
                              ('SCAE_CHECK_TRAIN_BATCH', '-1', '-1 is not positive (at least 1)')):
        env = dict(os.environ, PYTHONPATH=str(TOOLS.parent), SCAE_CHECK_DEVICE='cpu', SCAE_CHECK_BUDGET='3',
                   SCAE_CHECK_WORK=str(tmp_path / 'work'), **{name: value})
        env.pop('SCAE_CHECK_STATE', None)
        done = subprocess.run([sys.executable, str(TOOLS / 'gpu_check.py'), str(tmp_path / 'out')], env=env,
                              capture_output=True, text=True, timeout=120)
        assert (done.returncode, done.stderr.strip().splitlines()) == (2, [f'gpu_check.py: error: {name}: {said}']), \
            (name, done.returncode, done.stderr[-1500:])
        assert not (tmp_path / 'out').exists()                              # refused before anything ran


def _refused(tmp_path, argv, **settings):
    "gpu_check.py OUT *argv with `settings`: (exit status, stderr lines); nothing may have run (no OUT made)."
    env = {**os.environ, 'PYTHONPATH': str(TOOLS.parent), 'SCAE_CHECK_DEVICE': 'cpu', 'SCAE_CHECK_BUDGET': '3',
           'SCAE_CHECK_WORK': str(tmp_path / 'work'), **settings}
    env.pop('SCAE_CHECK_STATE', None)
    done = subprocess.run([sys.executable, str(TOOLS / 'gpu_check.py'), str(tmp_path / 'out'), *argv], env=env,
                          capture_output=True, text=True, timeout=120)
    assert not (tmp_path / 'out').exists(), done.stderr[-1500:]            # refused before anything ran
    return done.returncode, done.stderr.strip().splitlines()


def test_refuses_a_bad_seconds_or_device_setting_in_one_line(tmp_path):
    for name, value, said in (('SCAE_CHECK_BUDGET', 'abc', "'abc' is not a number of seconds"),   # was: a traceback
                              ('SCAE_CHECK_BUDGET', 'inf', "'inf' is not a finite number of seconds"),
                              ('SCAE_CHECK_BENCH_CAP', 'nan', "'nan' is not a finite, non-negative number of seconds"),
                              ('SCAE_CHECK_TRAIN_MIN', '-5', "'-5' is not a finite, non-negative number of seconds"),
                              ('SCAE_CHECK_DEVICE', 'foo', "'foo' is not a device (cuda, cuda:N or cpu)")):
        assert _refused(tmp_path, [], **{name: value}) == (2, [f'gpu_check.py: error: {name}: {said}']), name


def test_the_driver_refuses_an_argument_after_out(tmp_path):         # was: `gpu_check.py OUT 60` ignored the 60
    assert _refused(tmp_path, ['60']) == (2, ["gpu_check.py: error: unexpected argument '60': it takes OUT only; the "
                                              "budget is SCAE_CHECK_BUDGET, or the second argument of bash "
                                              "tools/gpu_check.sh OUT BUDGET"])


def test_the_script_refuses_a_budget_that_is_not_a_number(tmp_path):   # was: "line 70: abc: unbound variable"
    for argv, settings, budget in ((['abc'], {}, 'abc'), ([], {'SCAE_CHECK_BUDGET': '1e3'}, '1e3')):
        env = dict(os.environ, SCAE_CHECK_DEVICE='cpu', **settings)
        done = subprocess.run(['bash', str(TOOLS / 'gpu_check.sh'), str(tmp_path / 'out'), *argv], env=env,
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr.strip().splitlines()) == (
            2, [f"gpu_check.sh: error: budget '{budget}' is not a number of seconds (e.g. 520, or 90.5)"]), done.stderr
        assert not (tmp_path / 'out').exists()


def test_what_the_device_call_carries_fits_its_64_mib():
    # The device tool copies every tracked file, plus what `carry` names (the fastcore wheel, MNIST's four .gz
    # files: GPU_CHECK.md, "What the lead does before the device call"), and takes 64 MiB in all; 59.4 MiB of it
    # were used on 2026-12-05. A commit that grows the tracked files past what is left would make the next GPU
    # session's one call fail before it starts: this says so here, with what takes the room.
    import os, subprocess
    root = TOOLS.parent
    if not (root / '.git').exists(): return                              # an sdist: no tracked files
    tracked = subprocess.run(['git', 'ls-files', '-z'], cwd=root, capture_output=True, check=True).stdout
    sizes = {p: (root / p).stat().st_size for p in tracked.decode().split('\0') if p and (root / p).is_file()}
    raw = Path(os.environ.get('SCAE_DATA', '/nonexistent')) / 'MNIST' / 'raw'
    mnist = sum(f.stat().st_size for f in raw.glob('*.gz')) or 11_594_722    # their size, where absent
    wheel = 200_000                                                          # fastcore's wheel, with room
    total = sum(sizes.values()) + mnist + wheel
    biggest = ', '.join(f'{p} {s / 2**20:.1f}' for p, s in sorted(sizes.items(), key=lambda x: -x[1])[:5])
    assert total < 63 * 2**20, (f"the device call would carry {total / 2**20:.1f} MiB (limit 64, 1 kept spare); "
                                f"largest tracked files, MiB: {biggest}")


def test_the_combined_script_runs_every_python_step_with_scae_check_python(tmp_path):
    # A dry run on the GPU machine's stack sets SCAE_CHECK_PYTHON to that Python; gpu_check_and_profile.sh ran its
    # wheel install and gpu_profile.py with `python3` instead, so they tested whatever python3 was on the PATH.
    # A stand-in Python here records its arguments and ends 0 (the check's driver, --ended and the profile).
    calls = tmp_path / 'calls'
    (tmp_path / 'py').write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    (tmp_path / 'py').chmod(0o755)
    env = dict(os.environ, OUT=str(tmp_path / 'out'), BUDGET='60', TMPDIR=str(tmp_path), SCAE_CHECK_DEVICE='cpu',
               SCAE_CHECK_PYTHON=str(tmp_path / 'py'))
    done = subprocess.run(['bash', str(TOOLS / 'gpu_check_and_profile.sh')], cwd=TOOLS.parent, env=env,
                          capture_output=True, text=True, timeout=120)
    ran = calls.read_text().splitlines()
    assert [c for c in ran if c.startswith('tools/gpu_profile.py ')], (ran, done.stderr[-2000:])   # was: python3's
    assert [c for c in ran if c.startswith('tools/gpu_check.py ')], ran                            # the check's too
    if list((TOOLS.parent / '.whl').glob('*.whl')):                          # the lead's checkout: the install as well
        assert sum(c.startswith('-m pip install') for c in ran) == 2, ran    # gpu_check.sh's and this script's
    assert (tmp_path / 'res' / 'prof').is_dir() and (tmp_path / 'out' / 'prof.tgz').is_file()   # under TMPDIR


def test_the_summarys_accuracies_are_the_reports_accuracy_blocks_only():
    "Was: every dict-valued report key counted as accuracies, so model_config and eval's new `versions` did too."
    report = dict(note='n', posterior_m=dict(linear_fresh=0.9), prior_u=dict(kmeans_test_transductive=0.8),
                  model_config=dict(n_parts=40), versions=dict(torch='2.11'), n_train=10)
    assert _gpu_check()._accuracies(report) == dict(posterior_m=dict(linear_fresh=0.9),
                                                    prior_u=dict(kmeans_test_transductive=0.8))
