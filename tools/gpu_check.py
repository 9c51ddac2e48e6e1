"""The GPU check's driver (run by tools/gpu_check.sh): versions, parity, bench, training, eval, outputs.

Standard library only (and scae_nb.cli's integer check, itself standard library), so that it runs and writes its
summary whatever breaks. Every stage runs in its own
subprocess with a time limit taken from one budget; a stage that fails or times out is recorded in
summary.json and the next stage runs. See tools/GPU_CHECK.md.
"""
from __future__ import annotations
import json, math, os, re, shlex, shutil, signal, subprocess, sys, threading, time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / 'tools'
PY = sys.executable
CLI = [PY, '-c', 'import sys; from scae_nb.cli import main; sys.exit(main())']
MAX_FILES, MAX_BYTES = 8, 16 * 2 ** 20 - 4096


def env(name: str, default=None, cast=str):
    "Setting `name` from the environment (empty = unset)."
    value = os.environ.get(name, '')
    return cast(value) if value != '' else default


SETTING_ERRORS: list[str] = []      # settings refused: the driver starts nothing (exit 2)

def count_setting(name: str, default=None):
    """Integer setting `name`: a count, 1 to 2**63-1 (`scae_nb.cli.positive_int64`, as the CLI's options); a bad
    one is recorded in SETTING_ERRORS (and `default` stands in for it until the driver stops)."""
    from argparse import ArgumentTypeError
    from scae_nb.cli import positive_int64
    try: return env(name, default, positive_int64)
    except ArgumentTypeError as e: SETTING_ERRORS.append(f'{name}: {e}')
    return default


def seconds_setting(name: str, default: float, negative: bool = False) -> float:
    """Float setting `name` in seconds: a finite number, >= 0 unless `negative` (a budget: tests set one below 0 to
    reach the backstop at once); a bad one is recorded in SETTING_ERRORS (`default` stands in for it)."""
    raw = env(name)
    try: value = float(raw) if raw is not None else default
    except ValueError:
        SETTING_ERRORS.append(f'{name}: {raw!r} is not a number of seconds')
        return default
    if not math.isfinite(value) or (value < 0 and not negative):
        SETTING_ERRORS.append(f"{name}: {raw!r} is not a {'finite' if negative else 'finite, non-negative'} number "
                              "of seconds")
        return default
    return value


def device_setting(name: str, default: str) -> str:
    "Device setting `name`: cuda, cuda:N or cpu; another is recorded in SETTING_ERRORS (`default` stands in)."
    value = env(name, default)
    if value in ('cuda', 'cpu') or re.fullmatch(r'cuda:\d+', value): return value
    SETTING_ERRORS.append(f"{name}: {value!r} is not a device (cuda, cuda:N or cpu)")
    return default


# ------------------------------------------------------------------------------------------ settings
DEVICE = device_setting('SCAE_CHECK_DEVICE', 'cuda')
CPU = DEVICE == 'cpu'
OUT = Path(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else env('SCAE_CHECK_OUT', 'gpu_check_out')).resolve()
BUDGET = seconds_setting('SCAE_CHECK_BUDGET', 120. if CPU else 520., negative=True)
T0 = env('SCAE_CHECK_T0', time.time(), float)              # set by gpu_check.sh: pip install time counts
DEADLINE = T0 + BUDGET
WORK = Path(env('SCAE_CHECK_WORK', '/tmp/scae_check'))
RUN_DIR, EVAL_DIR, EVAL_FIG_DIR = WORK / 'run', WORK / 'eval', WORK / 'eval_figures'
MODEL_ARGS = shlex.split(env('SCAE_CHECK_MODEL_ARGS', '--n-parts 4 --n-objects 4' if CPU else ''))
BENCH_BATCH = count_setting('SCAE_CHECK_BENCH_BATCH', 16 if CPU else 128)
BENCH_STEPS = count_setting('SCAE_CHECK_BENCH_STEPS', 3 if CPU else 50)
# name=extra bench options; `train` uses --compile (the whole step as one graph) and, on CUDA, the CUDA graph.
# In order of need, the budget may cut the tail: eager, then training's variant, then the ones that do not compile
# (seconds each), then the other compiling ones (a cold compile took 79 s on an H200: tools/GPU_CHECK.md, "Run record")
# The eager ones say --no-compile: since 2026-12-04 `train` and `bench` compile by default on CUDA (resolve_compile).
BENCH_VARIANTS = env('SCAE_CHECK_BENCH_VARIANTS', 'eager=--no-compile;amp=--amp --no-compile' if CPU else
                     'eager=--no-compile;cuda-graph=--compile --cuda-graph;amp=--amp --no-compile;'
                     'triton=--decoder triton --no-compile;'
                     'cuda-graph-pytorch=--compile --cuda-graph --decoder pytorch;compiled=--compile --no-cuda-graph;'
                     'cuda-graph-amp=--compile --cuda-graph --amp')
TRAIN_VARIANT = env('SCAE_CHECK_TRAIN_VARIANT', None)       # a bench variant's name; default: the fastest float32 one
BENCH_CAP = seconds_setting('SCAE_CHECK_BENCH_CAP', 90.)         # per eager / amp variant
COMPILE_CAP = seconds_setting('SCAE_CHECK_COMPILE_CAP', 120.)    # per variant that compiles
# a variant is not started when its cap is under these (a started one cut at its cap measures nothing): an H200 run took
# 15 s for eager and 96 s for cuda-graph; on the CPU, 15 s as before (dry runs, tests)
BENCH_MIN = seconds_setting('SCAE_CHECK_BENCH_MIN', 15. if CPU else 25.)
COMPILE_MIN = seconds_setting('SCAE_CHECK_COMPILE_MIN', 15. if CPU else 90.)
TRAIN_BATCH = count_setting('SCAE_CHECK_TRAIN_BATCH', 16 if CPU else None)
LOG_EVERY = count_setting('SCAE_CHECK_LOG_EVERY', 5 if CPU else 500)
CKPT_EVERY = count_setting('SCAE_CHECK_CKPT_EVERY', 1000 if CPU else 5000)
# bench variants never eat into TRAIN_MIN; on CUDA it covers the trainer's cold start and compile (~90 s on an H200, as
# the bench's compile cache does not serve the trainer) and 2 minutes of training; eval took 53 s there
TRAIN_MIN = seconds_setting('SCAE_CHECK_TRAIN_MIN', 30. if CPU else 200.)
EVAL_RESERVE = seconds_setting('SCAE_CHECK_EVAL_RESERVE', 45. if CPU else 90.)
EVAL_MAX_BATCHES = count_setting('SCAE_CHECK_EVAL_MAX_BATCHES', 4 if CPU else None)
FINAL_RESERVE = seconds_setting('SCAE_CHECK_FINAL_RESERVE', 25.)
EVAL_FIG_RESERVE = seconds_setting('SCAE_CHECK_EVAL_FIG_RESERVE', 25. if CPU else 40.)    # the figures' eval run
EVAL_FIG_BATCHES = count_setting('SCAE_CHECK_EVAL_FIG_BATCHES', 2 if CPU else 8)             # t-SNE on 8 x 128 points
SAVE_GRACE = 20.                                            # SIGINT -> checkpoint written -> exit
STATE = Path(env('SCAE_CHECK_STATE')) if env('SCAE_CHECK_STATE') else None   # gpu_check.sh's folder (pids, signal)
FIXTURES = env('SCAE_CHECK_FIXTURES', 'small,mnist')

summary: dict = dict(check='scae-nb gpu_check v1', started_utc=datetime.fromtimestamp(T0, timezone.utc).isoformat(),
                     device_requested=DEVICE, budget_s=BUDGET, out=str(OUT), stages={})


def left() -> float: return DEADLINE - time.time()


def now_s() -> float: return round(time.time() - T0, 1)


class SafeOut:
    """sys.stdout/stderr that survive a dead reader (tee killed, Ctrl-C): on BrokenPipeError/OSError they append
    to OUT/log.txt directly from then on."""
    dead = False

    def __init__(self, stream): self.stream = stream

    def write(self, text: str) -> int:
        if not SafeOut.dead:
            try:
                n = self.stream.write(text); self.stream.flush(); return n
            except (BrokenPipeError, OSError): SafeOut.dead = True
        try:
            with open(OUT / 'log.txt', 'a') as f: f.write(text)
        except OSError: pass
        return len(text)

    def flush(self) -> None:
        if not SafeOut.dead:
            try: self.stream.flush()
            except (BrokenPipeError, OSError): SafeOut.dead = True

    def __getattr__(self, name): return getattr(self.stream, name)


def log(msg: str) -> None: print(f'[gpu_check {now_s():7.1f}s] {msg}', flush=True)


def save_summary() -> None:
    summary['elapsed_s'] = now_s()
    try: (OUT / 'summary.json').write_text(json.dumps(summary, indent=1, default=str))
    except OSError as e: log(f'could not write summary.json: {e}')


# ------------------------------------------------------------------------------------------ processes
CURRENT: list = [None, False]   # the stage process running now, and whether it is stopped by SIGINT first (training)
STAGE: list = [None]            # the stage running now
STOPPING: list = [False]


def stop_current(how: str) -> str:
    "Stop the running stage's process group: SIGINT, then SIGKILL after `SAVE_GRACE` for training; else SIGKILL."
    proc, interrupt_first = CURRENT
    if proc is None or proc.poll() is not None: return 'no stage process running'
    sig = signal.SIGINT if interrupt_first else signal.SIGKILL
    log(f'{how}: sending {sig.name} to the process group of {STAGE[0]} (pid {proc.pid})')
    try: os.killpg(proc.pid, sig)
    except ProcessLookupError: pass
    try: proc.wait(timeout=SAVE_GRACE if interrupt_first else 10); return f'{sig.name}, exited rc {proc.returncode}'
    except subprocess.TimeoutExpired:
        log(f'{STAGE[0]}: still running, SIGKILL')
        try: os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError: pass
        try: proc.wait(timeout=10)                  # bounded: this handler may have cut into run()'s own wait
        except subprocess.TimeoutExpired: pass
        return f'{sig.name}, then SIGKILL after {SAVE_GRACE:.0f} s'


def on_signal(signum, frame=None):
    """Stopped from outside (Ctrl-C, SIGTERM/SIGHUP forwarded by gpu_check.sh, the backstop timeout): stop the running
    stage (training checkpoints first), record `terminated`, write the complete summary, exit 128 + signum."""
    if STOPPING[0]: return                     # timeout sends to the child and to its group: the second one is a repeat
    STOPPING[0] = True
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, signal.SIG_IGN)
    name, stage_name = signal.Signals(signum).name, STAGE[0]
    log(f'received {name} during stage {stage_name}: stopping')
    stopped = stop_current(name)
    note_stage(None)
    summary['terminated'] = dict(signal=name, stage=stage_name, at_s=now_s(), stage_process=stopped)
    if stage_name in summary['stages']: summary['stages'][stage_name].update(status='terminated', signal=name)
    if stage_name == 'train': note_checkpoint(f'training stopped by {name}')
    try:
        summary['headline'] = headline()
        summary['finished_utc'] = datetime.now(timezone.utc).isoformat()
        save_summary(); enforce_limits()
    except Exception as e: summary['terminated']['cleanup_error'] = f'{type(e).__name__}: {e}'
    save_summary()
    log(f'terminated by {name}; summary.json written')
    os._exit(128 + signum)


def run(cmd: list, timeout: float, name: str, interrupt_first: bool = False, env_extra: dict | None = None,
        echo: bool = True) -> dict:
    """Run `cmd` in its own process group, echo its output live, keep its last lines; stop it at `timeout`
    (SIGINT first if `interrupt_first`, then SIGKILL after `SAVE_GRACE`). Returns rc, output, wall_s, timed_out."""
    timeout = max(1., timeout)
    if cmd[:3] == CLI: shown = 'scae-nb ' + shlex.join(map(str, cmd[3:]))
    elif len(cmd) > 1 and cmd[1] == '-c': shown = f'{cmd[0]} -c <{name} script>'
    else: shown = shlex.join(map(str, cmd))
    log(f'{name}: {shown} (limit {timeout:.0f} s)')
    lines, t0 = [], time.time()
    proc = subprocess.Popen(list(map(str, cmd)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                            start_new_session=True, cwd=REPO, env={**os.environ, **(env_extra or {})})

    def pump():
        for line in proc.stdout:
            if echo: print(line, end='', flush=True)
            lines.append(line.rstrip('\n'))
            if len(lines) > 4000: del lines[:1000]
    reader = threading.Thread(target=pump, daemon=True); reader.start()
    CURRENT[:] = [proc, interrupt_first]
    note_stage(proc.pid, interrupt_first, name)
    timed_out = False
    try: proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        sig = signal.SIGINT if interrupt_first else signal.SIGKILL
        log(f'{name}: time limit reached, sending {sig.name}')
        try: os.killpg(proc.pid, sig)
        except ProcessLookupError: pass
        try: proc.wait(timeout=SAVE_GRACE if interrupt_first else 10)
        except subprocess.TimeoutExpired:
            log(f'{name}: still running, SIGKILL')
            try: os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError: pass
            proc.wait()
    reader.join(timeout=5)
    CURRENT[:] = [None, False]
    note_stage(None)
    return dict(rc=proc.returncode, timed_out=timed_out, wall_s=round(time.time() - t0, 2), output=lines)


def note_stage(pid, interrupt_first: bool = False, name: str = '') -> None:
    "Tell gpu_check.sh which process group runs now (`STATE/stage`: 'pid 0|1 name'), so that a killed driver leaves no orphan."
    if STATE is None: return
    try:
        if pid is None: (STATE / 'stage').unlink(missing_ok=True)
        else: (STATE / 'stage').write_text(f'{pid} {int(interrupt_first)} {name}')
    except OSError: pass


def group_alive(pgid: int) -> bool:
    "Whether process group `pgid` has a member that is not a zombie (Linux /proc; an orphan's zombie may wait for a reaper)."
    for d in Path('/proc').iterdir():
        if not d.name.isdigit(): continue
        try: fields = (d / 'stat').read_text().rsplit(')', 1)[1].split()
        except (OSError, IndexError): continue
        if int(fields[2]) == pgid and fields[0] != 'Z': return True
    return False


def stop_group(pgid: int, interrupt_first: bool, grace: float) -> str:
    "Stop a process group that is not our child (its driver was killed): SIGINT and `grace` s if `interrupt_first`, then SIGKILL."
    if not group_alive(pgid): return 'no stage process left'
    sig = signal.SIGINT if interrupt_first else signal.SIGKILL
    try: os.killpg(pgid, sig)
    except ProcessLookupError: return 'no stage process left'
    t = time.time()
    while time.time() - t < (grace if interrupt_first else 5.):
        if not group_alive(pgid): return f'{sig.name}, ended'
        time.sleep(0.2)
    try: os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError: pass
    return f'{sig.name}, then SIGKILL after {grace if interrupt_first else 5.:.0f} s'


def this_checks_checkpoints() -> list:
    "Training checkpoints in RUN_DIR written by this check (modified after T0): an earlier check's leftovers never count."
    found = []
    for path in RUN_DIR.glob('checkpoints/step_*.pt'):
        try:
            if path.stat().st_mtime >= T0: found.append(path)
        except OSError: pass
    return sorted(found)


def note_checkpoint(how: str) -> None:
    """After a stop from outside: `train.checkpoint` is this check's newest checkpoint (None if it wrote none) and, where
    the trainer's last line was not read, `train.steps_reached` is that checkpoint's step, marked by `steps_from`."""
    ckpts = this_checks_checkpoints()
    t = summary['train'] = dict(summary.get('train') or {}, checkpoint=str(ckpts[-1]) if ckpts else None)
    m = re.fullmatch(r'step_(\d+)\.pt', ckpts[-1].name) if ckpts else None
    if m and t.get('steps_reached') is None:
        t.update(steps_reached=int(m.group(1)), steps_from=f'the checkpoint {ckpts[-1].name} ({how})')


def ended(rc: int) -> int:
    """Run by gpu_check.sh after the driver ended with `rc`: stop a stage process group it left (a SIGKILLed driver cannot),
    and where summary.json is not complete (no `finished_utc`) complete it with `terminated` and `headline`; then, with
    budget left and a checkpoint of this check, run finalize (at most 20 s: weights.pt, metrics.jsonl). Returns rc."""
    t_start = time.time()
    left_over = (STATE / 'stage').read_text().split(' ', 2) if STATE and (STATE / 'stage').is_file() else None
    stopped = None
    if left_over:
        pgid, first, name = int(left_over[0]), left_over[1] == '1', left_over[2]
        grace = min(SAVE_GRACE, max(2., left() + 40.))          # past the backstop: little time for a checkpoint
        stopped = stop_group(pgid, first, grace)
        if stopped != 'no stage process left': log(f'the driver ended (rc {rc}) with {name} still running: {stopped}')
        (STATE / 'stage').unlink(missing_ok=True)
    try: old = json.loads((OUT / 'summary.json').read_text())
    except (OSError, ValueError): old = None
    if isinstance(old, dict) and old.get('finished_utc'): return rc
    if isinstance(old, dict): summary.update(old)
    running = next((k for k, v in summary['stages'].items() if 'wall_s' not in v), None)
    if running is None and left_over: running = left_over[2].split()[0]          # 'bench eager' -> bench
    if running: summary['stages'].setdefault(running, {})
    how = {137: 'SIGKILL', 124: 'the backstop timeout'}.get(rc, f'rc {rc}')
    summary['terminated'] = dict(signal='SIGKILL' if rc == 137 else None, stage=running, at_s=now_s(), stage_process=stopped,
                                 by=f'gpu_check.sh: the driver ended by {how} without completing summary.json')
    if running: summary['stages'][running].update(status='killed', rc=rc)
    if running == 'train' or this_checks_checkpoints(): note_checkpoint(f'the driver ended by {how}')
    try:
        summary['headline'] = headline()
        enforce_limits()
    except Exception as e: summary['terminated']['cleanup_error'] = f'{type(e).__name__}: {e}'
    summary['finished_utc'] = datetime.now(timezone.utc).isoformat()
    save_summary()
    log(f'summary.json completed after the driver ended with rc {rc}')
    cap = min(20., left(), 32. - (time.time() - t_start))     # gpu_check.sh gives --ended 40 s; past the budget: none
    if (summary.get('train') or {}).get('checkpoint') and 'finalize' not in summary['stages'] and cap >= 5:
        try:
            finalize(cap)
            summary['stages']['finalize']['note'] = 'run by --ended after the driver ended'
            summary['headline'] = headline()
            enforce_limits()
        except Exception as e: summary['terminated']['finalize_error'] = f'{type(e).__name__}: {e}'
        save_summary()
    return rc


def stage(name: str):
    "Decorator: run a stage, record status/wall time/error in summary['stages'], never raise."
    def wrap(fn):
        def inner(*a, **k):
            t0 = time.time()
            STAGE[0] = name
            log(f'=== stage {name} ({left():.0f} s of budget left)')
            rec = summary['stages'].setdefault(name, {})
            save_summary()                       # a driver killed now leaves the stage it was in (no wall_s yet)
            try:
                result = fn(*a, **k)
                rec.setdefault('status', 'ok')
                return result
            except Exception as e:
                import traceback; traceback.print_exc()
                rec.update(status='failed', error=f'{type(e).__name__}: {e}')
            finally:
                rec['wall_s'] = round(time.time() - t0, 2)
                save_summary()
        return inner
    return wrap


def tail(lines: list, n: int = 15) -> list: return [l[-300:] for l in lines[-n:]]


def last_json(lines: list):
    "The last line that parses as a JSON object."
    for line in reversed(lines):
        line = line.strip()
        if line.startswith('{') and line.endswith('}'):
            try: return json.loads(line)
            except ValueError: continue
    return None


# ------------------------------------------------------------------------------------------ stages
@stage('versions')
def versions():
    code = r'''
import json, sys, platform, importlib, pkgutil
info = dict(python=sys.version.split()[0], executable=sys.executable, platform=platform.platform())
for name in ['torch', 'torchvision', 'numpy', 'scipy', 'sklearn', 'matplotlib', 'tqdm', 'fastcore', 'triton']:
    try:
        m = importlib.import_module(name); info[name] = getattr(m, '__version__', '?')
        if name == 'fastcore': info['fastcore_file'] = m.__file__
    except Exception as e: info[name] = f'missing ({type(e).__name__}: {e})'
import torch
info['cuda_available'] = torch.cuda.is_available()
info['torch_cuda'] = torch.version.cuda
info['cudnn'] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    info.update(gpu=p.name, gpu_capability=f'{p.major}.{p.minor}', gpu_sms=p.multi_processor_count,
                gpu_mem_gib=round(p.total_memory / 2**30, 1), n_gpus=torch.cuda.device_count())
info['default_numerics'] = dict(matmul_allow_tf32=torch.backends.cuda.matmul.allow_tf32,
                                cudnn_allow_tf32=torch.backends.cudnn.allow_tf32,
                                float32_matmul_precision=torch.get_float32_matmul_precision())
optional = ['wandb', 'ipywidgets', 'IPython', 'nbdev', 'fastcore']
before = {m for m in optional if m in sys.modules}
mods, errors = [], {}
try:
    import scae_nb
    info['scae_nb'] = getattr(scae_nb, '__version__', '?'); info['scae_nb_file'] = scae_nb.__file__
    for m in pkgutil.iter_modules(scae_nb.__path__):
        if m.name.startswith('_'): continue
        try: importlib.import_module(f'scae_nb.{m.name}'); mods.append(m.name)
        except Exception as e: errors[m.name] = f'{type(e).__name__}: {e}'
except Exception as e: errors['scae_nb'] = f'{type(e).__name__}: {e}'
info['scae_nb_modules_imported'] = mods
info['scae_nb_import_errors'] = errors
info['optional_imported_by_scae_nb'] = sorted({m for m in optional if m in sys.modules} - before - {'fastcore'})
print('VERSIONS ' + json.dumps(info))
'''
    r = run([PY, '-c', code], min(90., max(left(), 5.)), 'versions', echo=False)
    info = next((json.loads(l[9:]) for l in reversed(r['output']) if l.startswith('VERSIONS ')), None)
    print('\n'.join(l for l in r['output'] if not l.startswith('VERSIONS ')), flush=True)
    print(json.dumps(info, indent=1), flush=True)
    summary['versions'] = info or dict(error='no output', tail=tail(r['output']))
    if r['rc'] != 0 or info is None:
        summary['stages']['versions'].update(status='failed', rc=r['rc'], tail=tail(r['output']))
    elif info.get('scae_nb_import_errors'):
        summary['stages']['versions'].update(status='failed', error=f"scae_nb import errors: {info['scae_nb_import_errors']}")
    smi = shutil.which('nvidia-smi')
    if smi:
        run([smi], 30, 'nvidia-smi')
        q = run([smi, '--query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit,temperature.gpu,utilization.gpu',
                 '--format=csv,noheader'], 30, 'nvidia-smi query')
        summary['nvidia_smi'] = q['output'][-4:]
    else:
        summary['nvidia_smi'] = 'nvidia-smi not found'
    try:
        rev = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=REPO, capture_output=True, text=True, timeout=10)
        summary['repo_commit'] = rev.stdout.strip() or None
    except Exception: summary['repo_commit'] = None


def golden_dir():
    "fixtures/golden in the repo, else $SCAE_GOLDEN, else .golden (a carried copy)."
    for c in [REPO / 'fixtures' / 'golden', os.environ.get('SCAE_GOLDEN'), REPO / '.golden']:
        if c and all((Path(c) / f'{f}.npz').is_file() for f in FIXTURES.split(',') if f): return Path(c)
    return None


@stage('parity')
def parity():
    golden = golden_dir()
    rec = summary['stages']['parity']
    if golden is None:
        rec.update(status='skipped', error='no golden fixtures (fixtures/golden, $SCAE_GOLDEN, .golden)'); return
    devices = 'cpu' if CPU else f'{DEVICE},cpu'
    path = WORK / 'parity.json'
    path.unlink(missing_ok=True)
    cap = min(240. if CPU else 150., max(left() - TRAIN_MIN - EVAL_RESERVE - FINAL_RESERVE - SAVE_GRACE, 30.))
    r = run([PY, TOOLS / 'gpu_parity.py', '--golden', golden, '--devices', devices, '--fixtures', FIXTURES,
             '--out', path] + ([] if CPU else ['--tf32-too', '--triton-too']), cap, 'parity')
    result = json.loads(path.read_text()) if path.is_file() else None
    summary['parity'] = result
    rec.update(rc=r['rc'], timed_out=r['timed_out'], golden=str(golden))
    if result is not None:
        rec['passed'] = result.get('passed', False)
        rec['triton_passed'] = result.get('triton_passed')      # --decoder triton (02c), apart
        rec['by_device'] = {dev: {fx: dict(passed=v['passed'], worst_loss_ratio=v['worst_loss_ratio'],
                                          worst_grad_ratio=v['worst_grad_ratio'], failed=v['failed'][:20])
                                  for fx, v in per.items()} for dev, per in result.get('devices', {}).items()}
    if r['rc'] != 0 or r['timed_out'] or result is None:
        rec.update(status='failed', tail=tail(r['output']))


def cli_options() -> dict:
    "subcommand -> its --help text (one process; only `scae_nb.cli.main` is used)."
    code = r'''
import contextlib, io, json, sys
from scae_nb.cli import main
texts = {}
for cmd in ('train', 'bench', 'eval'):
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf): main([cmd, '--help'])
    except SystemExit: pass
    except Exception as e: buf.write(f'ERROR {type(e).__name__}: {e}')
    texts[cmd] = buf.getvalue()
print('HELP ' + json.dumps(texts))
'''
    r = run([PY, '-c', code], min(60., max(left(), 5.)), 'cli --help', echo=False)
    return next((json.loads(l[5:]) for l in reversed(r['output']) if l.startswith('HELP ')), {})


HELP: dict = {}


def has_option(cmd: str, opt: str) -> bool:
    text = HELP.get(cmd)
    return True if not text else re.search(rf'(?<![\w-]){re.escape(opt)}(?![\w-])', text) is not None


def options(cmd: str, pairs: list) -> list:
    "Flatten [(option, value or None)] keeping only options `scae-nb cmd --help` lists (dropped ones recorded)."
    args = []
    for opt, value in pairs:
        if not has_option(cmd, opt):
            summary.setdefault('dropped_options', []).append(f'{cmd} {opt}')
            log(f'WARNING: `scae-nb {cmd}` has no option {opt}: left out')
            continue
        args += [opt] + ([str(value)] if value is not None else [])
    return args


def model_pairs() -> list:
    "SCAE_CHECK_MODEL_ARGS as (option, value) pairs."
    pairs, it = [], iter(MODEL_ARGS)
    for a in it: pairs.append((a, next(it, None)))
    return pairs


def train_variant(bench_results: dict, forced: str | None = None) -> tuple[str, list]:
    """(name, extra options) of the variant training uses: `forced`, else the fastest float32 bench variant that ran
    (one that runs the Triton decoder only if that decoder passed the golden parity on this device)."""
    if forced and forced in bench_results: return forced, list(bench_results[forced].get('args') or [])
    triton_ok = bool((summary.get('parity') or {}).get('triton_passed'))   # its golden parity on this GPU
    ok = {name: r for name, r in bench_results.items() if r.get('status') == 'ok' and '--amp' not in (r.get('args') or [])
          and (r.get('result') or {}).get('ms_per_step') and (triton_ok or not uses_triton(r.get('args') or []))}
    if not ok: return 'eager', ['--no-compile']                 # the default compiles on CUDA
    name = min(ok, key=lambda n: ok[n]['result']['ms_per_step'])
    return name, list(ok[name].get('args') or [])


def uses_triton(extra: list) -> bool:
    """Whether a variant's options run 02c's Triton decoder: `--decoder triton`, or on CUDA a compiled step with the
    decoder left to `auto` (`auto_decoder`, 02a: the Triton kernels for a compiled step on CUDA since 2026-12-04)."""
    decoder = extra[extra.index('--decoder') + 1] if '--decoder' in extra[:-1] else 'auto'
    return decoder == 'triton' or (decoder == 'auto' and not CPU and compiling(extra))


def compiling(extra: list) -> bool:
    "Whether a variant's bench options compile the step (`--no-compile`, `--no-cuda-graph` do not)."
    return '--compile' in extra or '--cuda-graph' in extra


@stage('bench')
def bench():
    results = summary.setdefault('bench', {})
    for item in [v for v in BENCH_VARIANTS.split(';') if v.strip()]:
        name, _, extra = item.partition('=')
        name, extra = name.strip(), shlex.split(extra)
        compiles = compiling(extra)
        reserve = TRAIN_MIN + EVAL_RESERVE + FINAL_RESERVE + SAVE_GRACE
        cap = min(COMPILE_CAP if compiles else BENCH_CAP, left() - reserve)
        need, knob = (COMPILE_MIN, 'SCAE_CHECK_COMPILE_MIN') if compiles else (BENCH_MIN, 'SCAE_CHECK_BENCH_MIN')
        if cap < need:
            results[name] = dict(status='skipped', args=extra, reason=f'budget: {left():.0f} s left, {reserve:.0f} s '
                                                                      f'reserved: its cap {cap:.0f} s is under {knob} {need:.0f} s')
            continue
        if any(e.startswith('--') and not has_option('bench', e) for e in extra):
            results[name] = dict(status='skipped', args=extra, reason=f'bench has no option in {extra}'); continue
        cmd = CLI + ['bench'] + options('bench', [('--preset', 'official'), ('--batch-size', BENCH_BATCH),
                                                    ('--steps', BENCH_STEPS), ('--json', None), ('--device', DEVICE)]
                                                   + model_pairs()) + extra
        r = run(cmd, cap, f'bench {name}')
        res = last_json(r['output'])
        results[name] = dict(status='ok' if r['rc'] == 0 and res else ('timeout' if r['timed_out'] else 'failed'),
                             args=extra, rc=r['rc'], wall_s=r['wall_s'], result=res)
        if results[name]['status'] != 'ok': results[name]['tail'] = tail(r['output'])
        try: (OUT / 'bench.json').write_text(json.dumps(results, indent=1))
        except OSError: pass
        save_summary()
    if not any(v.get('status') == 'ok' for v in results.values()):
        summary['stages']['bench']['status'] = 'failed'


def data_dir():
    "The repo's .data (carried MNIST), else $SCAE_DATA."
    local = REPO / '.data'
    if (local / 'MNIST' / 'raw').is_dir(): return local
    return Path(os.environ['SCAE_DATA']) if os.environ.get('SCAE_DATA') else None


def watch_metrics(path: Path, stop: threading.Event, every: float = 15.) -> None:
    "Print one line per new metrics.jsonl record (the trainer prints nothing with --no-progress)."
    seen = 0
    while not stop.wait(every):
        try: lines = path.read_text().splitlines() if path.is_file() else []
        except OSError: continue
        for line in lines[seen:]:
            try: r = json.loads(line)
            except ValueError: continue
            if 'steps_per_s' not in r: continue
            rate = r.get('steps_per_s') or 0
            print(f"  train step {r.get('step')}: total {r.get('total', float('nan')):.5g}, "
                  f"rec_ll {r.get('rec_ll', float('nan')):.5g}, log_prob {r.get('log_prob', float('nan')):.4g}, "
                  f"{1e3 / rate if rate else float('nan'):.2f} ms/step", flush=True)
        seen = len(lines)


TRAIN_END = re.compile(r'scae-nb train: (?:interrupted by \S+ at step|(?:already )?finished) (\d+)')


def steps_reached(lines: list):
    "The step `scae-nb train`'s last line names ('interrupted by SIGINT at step N', 'finished N steps'), or None."
    found = [int(m.group(1)) for line in lines[-20:] if (m := TRAIN_END.search(line))]
    return found[-1] if found else None


@stage('train')
def train():
    rec = summary['stages']['train']
    secs = left() - EVAL_RESERVE - FINAL_RESERVE - SAVE_GRACE
    if secs < min(30., TRAIN_MIN):
        rec.update(status='skipped', error=f'budget: only {secs:.0f} s for training'); return
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    data = data_dir()
    pairs = [('--preset', 'official'), ('--out', RUN_DIR), ('--device', DEVICE), ('--ckpt-every', CKPT_EVERY),
             ('--log-every', LOG_EVERY), ('--eval-every', 10 ** 9), ('--fig-every', 10 ** 9), ('--wandb', 'disabled'),
             ('--no-progress', None)]
    if data is not None: pairs.append(('--data-dir', data))
    if TRAIN_BATCH: pairs.append(('--batch-size', TRAIN_BATCH))
    variant, extra = train_variant(summary.get('bench') or {}, TRAIN_VARIANT)
    extra = [e for e in extra if not e.startswith('--') or has_option('train', e)]
    cmd = CLI + ['train'] + options('train', pairs + model_pairs()) + extra
    extra_env = dict(WANDB_MODE='disabled', **({'SCAE_DATA': str(data)} if data else {}))
    summary['train'] = dict(cmd=shlex.join(map(str, cmd[3:])), variant=variant, data_dir=str(data), limit_s=round(secs, 1))
    save_summary()                                  # a driver killed during training leaves the variant it chose
    stop = threading.Event()
    watcher = threading.Thread(target=watch_metrics, args=(RUN_DIR / 'metrics.jsonl', stop), daemon=True)
    watcher.start()
    try: r = run(cmd, secs, 'train', interrupt_first=True, env_extra=extra_env)
    finally: stop.set(); watcher.join(timeout=5)
    ckpts = sorted(RUN_DIR.glob('checkpoints/step_*.pt')) or sorted(RUN_DIR.rglob('*.pt'), key=lambda p: p.stat().st_mtime)
    summary['train'].update(wall_s=r['wall_s'], rc=r['rc'], stopped_by_time_limit=r['timed_out'],
                            checkpoint=str(ckpts[-1]) if ckpts else None, last_lines=tail(r['output'], 5))
    reached = steps_reached(r['output'])
    if reached is not None: summary['train']['steps_reached'] = reached
    if not ckpts or (r['rc'] not in (0, None) and not r['timed_out']):
        rec.update(status='failed', rc=r['rc'], tail=tail(r['output'], 30))


def _accuracies(report: dict) -> dict:
    "The report's accuracy blocks only (posterior_m, prior_u), not model_config or versions (dicts too)."
    return {k: report[k] for k in ('posterior_m', 'prior_u') if isinstance(report.get(k), dict)}


@stage('eval')
def evaluate():
    """Accuracies on whole splits without figures first (t-SNE on 10k points can take minutes), then the figures
    from a few batches; a failed first attempt is retried on 20 batches per split."""
    rec = summary['stages']['eval']
    ck = (summary.get('train') or {}).get('checkpoint')
    if not ck:
        rec.update(status='skipped', error='no checkpoint'); return
    data = data_dir()
    common = [('--checkpoint', ck), ('--device', DEVICE), ('--no-progress', None)]
    if data is not None: common.append(('--data-dir', data))
    extra_env = {'SCAE_DATA': str(data)} if data else None
    attempts = [[('--max-batches', EVAL_MAX_BATCHES)] if EVAL_MAX_BATCHES else [], [('--max-batches', 20)]]
    for i, extra in enumerate(attempts):
        cap = left() - FINAL_RESERVE - EVAL_FIG_RESERVE
        if cap < 20:
            rec.update(status='skipped' if i == 0 else 'failed', error=f'budget: {cap:.0f} s left for eval'); break
        shutil.rmtree(EVAL_DIR, ignore_errors=True)
        cmd = CLI + ['eval'] + options('eval', common + [('--out', EVAL_DIR), ('--no-figures', None)] + extra)
        r = run(cmd, cap, f'eval accuracies (attempt {i + 1})', env_extra=extra_env)
        report_path = EVAL_DIR / 'report.json'
        if r['rc'] == 0 and report_path.is_file():
            report = json.loads(report_path.read_text())
            shutil.copy(report_path, OUT / 'eval_report.json')
            summary['eval'] = dict(attempt=i + 1, cmd=shlex.join(map(str, cmd[3:])), wall_s=r['wall_s'],
                                   accuracies=_accuracies(report),
                                   n_train=report.get('n_train'), n_test=report.get('n_test'), steps=report.get('steps'),
                                   report_wall_s=report.get('wall_s'))
            if i > 0: rec['note'] = 'whole-split eval failed or timed out; accuracies from 20 batches per split'
            break
        rec.setdefault('failed_attempts', []).append(dict(rc=r['rc'], timed_out=r['timed_out'], wall_s=r['wall_s'],
                                                          tail=tail(r['output'])))
    else:
        rec['status'] = 'failed'
    cap = left() - FINAL_RESERVE
    if cap < 15:
        rec['figures'] = f'skipped: {cap:.0f} s left'; return
    shutil.rmtree(EVAL_FIG_DIR, ignore_errors=True)
    cmd = CLI + ['eval'] + options('eval', common + [('--out', EVAL_FIG_DIR), ('--max-batches', EVAL_FIG_BATCHES)])
    r = run(cmd, cap, 'eval figures', env_extra=extra_env)
    rec['figures'] = sorted(p.name for p in EVAL_FIG_DIR.glob('*.png')) if r['rc'] == 0 else dict(
        rc=r['rc'], timed_out=r['timed_out'], tail=tail(r['output']))
    report_path = EVAL_FIG_DIR / 'report.json'
    if 'eval' not in summary and r['rc'] == 0 and report_path.is_file():      # better few batches than nothing
        report = json.loads(report_path.read_text())
        shutil.copy(report_path, OUT / 'eval_report.json')
        summary['eval'] = dict(attempt='figures run', cmd=shlex.join(map(str, cmd[3:])), wall_s=r['wall_s'],
                               accuracies=_accuracies(report),
                               n_train=report.get('n_train'), n_test=report.get('n_test'), steps=report.get('steps'))
        rec['note'] = f'accuracies only from the figures run ({EVAL_FIG_BATCHES} batches per split)'


@stage('finalize')
def finalize(cap: float | None = None):
    "weights.pt, metrics.jsonl, loss_curve.png, eval_figures.png and `train_stats` by tools/gpu_check_finalize.py, in `cap` s."
    ck = (summary.get('train') or {}).get('checkpoint')
    path = WORK / 'finalize.json'
    path.unlink(missing_ok=True)
    args = [PY, TOOLS / 'gpu_check_finalize.py', '--out', OUT, '--result', path, '--run', RUN_DIR, '--eval', EVAL_FIG_DIR]
    if ck: args += ['--checkpoint', ck]
    r = run(args, cap or max(min(60., left() + 5.), 10.), 'finalize')
    if path.is_file(): summary['train_stats'] = json.loads(path.read_text())
    if r['rc'] != 0: summary['stages']['finalize'].update(status='failed', rc=r['rc'], tail=tail(r['output']))


# ------------------------------------------------------------------------------------------ outputs
KEEP_ORDER = ['summary.json', 'log.txt', 'bench.json', 'eval_report.json', 'metrics.jsonl', 'loss_curve.png',
              'eval_figures.png', 'weights.pt']


def enforce_limits() -> None:
    "At most MAX_FILES plain files directly in OUT, each under MAX_BYTES (log.txt is left to gpu_check.sh)."
    files = sorted(p for p in OUT.iterdir() if p.is_file())
    for p in files:
        if p.name != 'log.txt' and p.stat().st_size > MAX_BYTES:
            log(f'{p.name} is {p.stat().st_size} bytes: removed'); p.unlink()
    files = [p for p in OUT.iterdir() if p.is_file()]
    rank = lambda p: KEEP_ORDER.index(p.name) if p.name in KEEP_ORDER else len(KEEP_ORDER)
    for p in sorted(files, key=rank)[MAX_FILES:]:
        log(f'more than {MAX_FILES} files: removed {p.name}'); p.unlink()
    for p in OUT.iterdir():
        if p.is_dir(): shutil.rmtree(p, ignore_errors=True)


def headline() -> dict:
    "The numbers a reader wants first."
    v, t, ts = summary.get('versions') or {}, summary.get('train') or {}, summary.get('train_stats') or {}
    b = {k: (x.get('result') or {}).get('ms_per_step') for k, x in (summary.get('bench') or {}).items()}
    acc = (summary.get('eval') or {}).get('accuracies') or {}
    return dict(gpu=v.get('gpu'), torch=v.get('torch'), parity_passed=(summary['stages'].get('parity') or {}).get('passed'),
                bench_ms_per_step=b, train_variant=t.get('variant'), train_steps=ts.get('step', t.get('steps_reached')),
                train_steps_from=None if 'step' in ts else t.get('steps_from'),
                train_ms_per_step_median=ts.get('ms_per_step_median'),           # steady-state speed
                train_ms_per_step_throughput=ts.get('ms_per_step_throughput'),   # what a full run takes
                full_run_minutes_at_throughput=ts.get('full_run_minutes_at_throughput'),
                kmeans_test_prior_u=(acc.get('prior_u') or {}).get('kmeans_test_transductive'),
                kmeans_test_posterior_m=(acc.get('posterior_m') or {}).get('kmeans_test_transductive'),
                linear_test_posterior_m=(acc.get('posterior_m') or {}).get('linear_fresh'),
                stages={k: x.get('status') for k, x in summary['stages'].items()})


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    sys.stdout, sys.stderr = SafeOut(sys.stdout), SafeOut(sys.stderr)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, on_signal)
    if STATE:                                       # gpu_check.sh's folder: our pid, and a signal it got before we ran
        (STATE / 'driver.pid').write_text(str(os.getpid()))
        early = STATE / 'signal'
        if early.is_file(): on_signal(getattr(signal, 'SIG' + early.read_text().strip(), signal.SIGTERM))
    WORK.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(RUN_DIR, ignore_errors=True)      # an earlier check's checkpoints are never this check's
    log(f'device {DEVICE}, budget {BUDGET:.0f} s ({left():.0f} s left), out {OUT}, work {WORK}')
    summary['settings'] = {k: v for k, v in dict(
        model_args=MODEL_ARGS, bench_batch=BENCH_BATCH, bench_steps=BENCH_STEPS, bench_variants=BENCH_VARIANTS,
        compile_cap=COMPILE_CAP, compile_min=COMPILE_MIN, bench_cap=BENCH_CAP, bench_min=BENCH_MIN, train_min=TRAIN_MIN,
        train_batch=TRAIN_BATCH, log_every=LOG_EVERY, ckpt_every=CKPT_EVERY,
        eval_reserve=EVAL_RESERVE, eval_max_batches=EVAL_MAX_BATCHES, fixtures=FIXTURES).items()}
    save_summary()
    versions()
    parity()
    HELP.update(cli_options())
    summary['cli_help_found'] = sorted(HELP)
    bench()
    train()
    evaluate()
    finalize()
    summary['headline'] = headline()
    summary['finished_utc'] = datetime.now(timezone.utc).isoformat()
    save_summary()
    enforce_limits()
    save_summary()
    log('headline: ' + json.dumps(summary['headline']))
    return 0 if all(s.get('status') == 'ok' for s in summary['stages'].values()) else 1


if __name__ == '__main__':
    extra = sys.argv[4:] if sys.argv[2:3] == ['--ended'] else sys.argv[2:]   # OUT [--ended RC] only
    if extra:
        print(f"gpu_check.py: error: unexpected argument {extra[0]!r}: it takes OUT only; the budget is "
              "SCAE_CHECK_BUDGET, or the second argument of bash tools/gpu_check.sh OUT BUDGET", file=sys.stderr)
        sys.exit(2)
    if SETTING_ERRORS:                               # said by the driver; `--ended` then has nothing to complete
        if sys.argv[2:3] == ['--ended']: sys.exit(int(sys.argv[3]))
        print(f"gpu_check.py: error: {'; '.join(SETTING_ERRORS)}", file=sys.stderr)
        sys.exit(2)                                  # as a bad command line
    if sys.argv[2:3] == ['--ended']:                 # gpu_check.sh, after the driver: OUT --ended RC
        sys.stdout, sys.stderr = SafeOut(sys.stdout), SafeOut(sys.stderr)
        sys.exit(ended(int(sys.argv[3])))
    sys.exit(main())
