"""Where the GPU time of one training step goes (issue 9: the <= 2 ms/step target).

    python3 tools/gpu_profile.py OUT_DIR [--variants eager,triton,cuda-graph-pytorch,cuda-graph]
                                         [--decoder auto] [--tf32] [--steps 50] [--budget 240]

A variant is named as `scae-nb bench` names it (`scae_nb.bench.VARIANTS`): eager, compiled, cuda-graph
(compiled, replayed as a CUDA graph), eager-cuda-graph (the eager step replayed), each also +amp (bfloat16
autocast); `--decoder` and `--tf32` apply to those as to bench's. The other names (`ALIASES`, below; also
tools/gpu_check.py's) say a decoder or a precision too, e.g. cuda-graph-triton-tf32 is cuda-graph with
`--decoder triton --tf32`. Any name may end in -nchw (the PCAE's CNN in NCHW) and -autotune (compiled with
inductor's max-autotune and coordinate-descent tuning, `AUTOTUNE`: a compile of minutes; time it in a sequential
run, not in --parallel, where its tuning would share the GPU with the others' timings). Each result has the name
asked (`variant`) and, apart, bench's name (`step`), the decoder that ran (`decoder`, as bench reports it: auto
resolved), `tf32` and the extra inductor options (`inductor_options`).

Each variant runs in its own process (a time limit each; the budget cuts the tail of the list): the
official model at B=128 on a synthetic batch, built and stepped as `scae-nb bench` does
(`make_step`), float32 (TF32 off). It reports the warm-up (the compile), ms/step waiting after each
step (bench's number) and over `--steps` steps queued back to back (no host wait between), then
profiles 10 steps with torch.profiler: GPU kernel time per step, kernels per step, the top 40 kernels
/ ops by GPU time (eager: also by input shape). Compiled variants also keep inductor's generated
code (OUT_DIR/inductor_code.tar.gz), so that a kernel's name in the table can be read back to the
ops it fuses. Writes OUT_DIR/profile.txt, OUT_DIR/profile.json and that archive; the run's log is
the caller's. Needs a CUDA device; `--device cpu` is a dry run (tiny model) for tests of the script.
"""
from __future__ import annotations
import argparse, contextlib, json, os, shutil, statistics, subprocess, sys, tarfile, tempfile, time
from pathlib import Path

from scae_nb.bench import VARIANTS as STEPS          # bench's names (the +amp suffix apart)
from scae_nb.cli import CLIParser, finite_float, positive_int64   # the CLI's one-line errors, number checks

# name -> (bench's name, decoder, tf32[, (TRITON_TEMPLATE_GRAD, TRITON_BACKWARD_BLOCK)]): names that also
# say the decoder, the precision or the Triton backward's way (02c). Until commit 013ce62 (2026-12-04) this
# tool's cuda-graph and cuda-graph-amp ran the PyTorch decoder (now cuda-graph-pytorch; cuda-graph-amp is
# now gpu_check's: decoder auto, Triton on CUDA)
ALIASES = {'amp': ('eager+amp', 'auto', False),
           'triton': ('eager', 'triton', False),
           'cuda-graph-pytorch': ('cuda-graph', 'pytorch', False),
           'cuda-graph-triton': ('cuda-graph', 'triton', False),
           'cuda-graph-triton-amp': ('cuda-graph+amp', 'triton', False),
           'cuda-graph-triton-tf32': ('cuda-graph', 'triton', True),
           'cuda-graph-amp': ('cuda-graph+amp', 'auto', False),
           'cuda-graph-triton-dot': ('cuda-graph', 'triton', False, ('dot', 128)),
           'cuda-graph-triton-dot-amp': ('cuda-graph+amp', 'triton', False, ('dot', 128))}


SUFFIXES = ('-nchw', '-autotune')   # the CNN in NCHW; inductor's max-autotune (AUTOTUNE), either order
AUTOTUNE = dict(max_autotune=True, coordinate_descent_tuning=True)   # scae_nb.step.INDUCTOR_OPTIONS


def _split(name: str) -> tuple[str, list]:
    "`name` less its `SUFFIXES`, and those it had (a suffix twice: twice)."
    found = []
    while (end := next((s for s in SUFFIXES if name.endswith(s)), None)):
        found.append(end)
        name = name.removesuffix(end)
    return name, found


def known(name: str) -> bool:
    """Whether `name` is a variant: bench's (each also +amp) or one of `ALIASES`, each also with `SUFFIXES`,
    each at most once, and -autotune only on a compiled step (an eager one compiles nothing to tune)."""
    base, suffixes = _split(name)
    if len(set(suffixes)) < len(suffixes) or not (base in ALIASES or base.removesuffix('+amp') in STEPS):
        return False
    return '-autotune' not in suffixes or variant_spec(name)['compile']


def variant_spec(name: str, decoder: str = 'auto', tf32: bool = False) -> dict:
    """What variant `name` runs: bench's name (`step`), compile, cuda_graph, amp, decoder, tf32,
    triton_backward ((TRITON_TEMPLATE_GRAD, TRITON_BACKWARD_BLOCK), or None: as shipped), cnn_layout ('nhwc'
    as shipped, `scae_nb.pcae.CNN_MEMORY_FORMAT`; 'nchw' for a name ending in -nchw), autotune (-autotune:
    compiled with `AUTOTUNE`); `decoder` and `tf32` (the options) for bench's names, an alias's own for an alias."""
    name, suffixes = _split(name)
    step, decoder, tf32, *backward = ALIASES.get(name, (name, decoder, tf32))
    return dict(step=step, **STEPS[step.removesuffix('+amp')], amp=step.endswith('+amp'),
                decoder=decoder, tf32=tf32, triton_backward=backward[0] if backward else None,
                cnn_layout='nchw' if '-nchw' in suffixes else 'nhwc', autotune='-autotune' in suffixes)


def needs_cuda(spec: dict) -> bool:
    "Whether a variant (`variant_spec`) runs only on CUDA: a CUDA graph or the Triton decoder."
    return spec['cuda_graph'] or spec['decoder'] == 'triton'


def inductor_options(spec: dict) -> dict:
    "The inductor options a variant compiles with beyond the shipped ones: `AUTOTUNE` for -autotune, else none."
    return dict(AUTOTUNE) if spec['autotune'] else {}


def _wait_turn(out: Path, name: str, parallel: bool) -> None:
    "In --parallel mode: say this variant is compiled and warm, then wait for the parent's go."
    if not parallel: return
    (out / f'.ready.{name}').touch()
    while not (out / f'.go.{name}').exists(): time.sleep(0.2)


# the backward's ways of adding template gradients timed by 'kernel': (TRITON_TEMPLATE_GRAD, pixels per program)
KERNEL_CONFIGS = (('atomic', 256), ('atomic', 128), ('dot', 128), ('dot', 64), ('dot', 256),
                  ('dot-tf32x3', 64))
KERNEL_CAP = 180                 # seconds for 'kernel': 12 backward and 2 forward compiles, 42 timings


def _pose_images(batch_size: int) -> tuple:
    """(images [B, 1, 40, 40], source): the first B digits of MNIST's test split, centred on the canvas, where
    $SCAE_DATA has MNIST ('mnist'); else a synthetic batch of uniform noise ('noise'), on which the shipped
    weights put templates over three times as many pixels as on digits (31% of (pixel, part) pairs against 10%
    for B=128, measured 2026-12-04)."""
    import torch
    from scae_nb.data import as_float_images, load_arrays, place_on_canvas
    from scae_nb.model import SCAEConfig
    from scae_nb.step import synthetic_batch
    try: digits = as_float_images(load_arrays('mnist', train=False, download=False)[0][:batch_size])
    except (OSError, ValueError):
        return synthetic_batch(SCAEConfig.preset('official'), batch_size)[0], 'noise'
    centre = torch.full((len(digits), 2), (40 - digits.shape[-1]) // 2)
    return place_on_canvas(digits, centre, 40), 'mnist'


def _model_theta(images, pretrained: str | None):
    "The inverse poses [B, 40, 2, 3] of the official model (at init, or shipped weights) for these images (CPU)."
    import torch
    from scae_nb.model import SCAEConfig, build_model
    from scae_nb.pcae import inverse_affine
    from scae_nb.pretrained import from_pretrained
    torch.manual_seed(0)
    model = from_pretrained(pretrained) if pretrained else build_model(SCAEConfig.preset('official'))
    with torch.no_grad(): return inverse_affine(model(images).pcae.pose).contiguous()


def _inside(theta, T: int, H: int, W: int) -> float:
    "The fraction of (pixel, part) pairs with at least one bilinear tap inside the template."
    from scae_nb.pcae import affine_sampling_grid
    texel = (affine_sampling_grid(theta.reshape(-1, 2, 3).float().cpu(), H, W) + 1) / 2 * (T - 1)
    return round(((texel > -1) & (texel < T)).all(-1).float().mean().item(), 3)


def _kernel_bench(args, configs=KERNEL_CONFIGS, alphas=(True, False), parts: int = 40) -> dict:
    """The Triton decoder's forward and backward alone at the official shapes (B, 40 parts, 11 x 11 templates, 40 x 40
    canvas), on three sets of poses (test_utils.mixture_case's random ones; the official model's at init and with the
    shipped weights, on MNIST digits where $SCAE_DATA has them, else on noise: `_pose_images`), for each way in
    KERNEL_CONFIGS (groups of TRITON_BACKWARD_PARTS parts);
    each way's largest gradient difference from the first way's, relative to its largest gradient. On a CPU
    (TRITON_INTERPRET=1, the test's dry run, with fewer `parts`) each call is timed once with a wall clock: the
    numbers mean nothing."""
    import torch, triton
    import scae_nb.triton_decoder as td
    from scae_nb.test_utils import mixture_case
    device = torch.device(args.device)
    if device.type == 'cuda': bench = triton.testing.do_bench
    else: bench = lambda fn: (lambda t0: (fn(), (time.perf_counter() - t0) * 1e3)[1])(time.perf_counter())
    shipped = td.TRITON_TEMPLATE_GRAD, td.TRITON_BACKWARD_BLOCK, td.TRITON_BACKWARD_PARTS
    images, source = _pose_images(args.batch_size)
    poses = {'random': None, 'init': _model_theta(images, None),
             'shipped-weights': _model_theta(images, 'mnist-official-gpu')}
    rows = []
    for alpha in alphas:                                     # alpha: the official MNIST model's mode
        for pose_name, theta_model in poses.items():
            case = [None if t is None else t.to(device) for t in
                    mixture_case(B=args.batch_size, M=parts, C=1, alpha=alpha, T=11, H=40, W=40)]
            templates, theta, log_presence, bg_value, bg_logit, inv_t, target = case
            if theta_model is not None: theta = theta_model[:, :parts].to(device)
            scalars, coupled = td._mixture_scalars(bg_value, bg_logit, inv_t), inv_t is not None
            templates, theta = templates.contiguous(), theta.contiguous()
            fwd = lambda: td._triton_forward_op(templates, theta, log_presence, target, scalars, coupled)
            ll, mode, mean, warped, lse_s, lse_l = fwd()
            grad = torch.randn_like(ll)
            row = dict(mode='alpha' if alpha else 'coupled', poses=pose_name,
                       images=None if theta_model is None else source, inside=_inside(theta, 11, 40, 40),
                       forward_us=round(bench(fwd) * 1e3, 1))
            reference = None
            for template_grad, block in configs:
                td.TRITON_TEMPLATE_GRAD, td.TRITON_BACKWARD_BLOCK = template_grad, block
                bwd = lambda: td._triton_backward_op(templates, theta, log_presence, target, scalars, coupled,
                                                     warped, grad, lse_s, lse_l)
                key = f'backward_us_{template_grad}_{block}'
                try:
                    grads = bwd()
                    if reference is None: reference = grads
                    scale = max(g.abs().max().item() for g in reference) or 1.0
                    row[key] = round(bench(bwd) * 1e3, 1)
                    diff = max((a - b).abs().max().item() for a, b in zip(grads, reference)) / scale
                    row[key.replace('backward_us', 'max_rel_diff')] = float(f'{diff:.2e}')
                except Exception as e:                       # one way failing must not lose the others
                    row[key] = f'failed: {type(e).__name__}: {str(e)[:200]}'
            td.TRITON_TEMPLATE_GRAD, td.TRITON_BACKWARD_BLOCK, td.TRITON_BACKWARD_PARTS = shipped
            rows.append(row)
            print('gpu_profile: kernel', json.dumps(row), flush=True)
    return dict(variant='kernel', rows=rows)


def _child(name: str, args) -> dict:
    if name == 'kernel': return _kernel_bench(args)
    import torch
    from scae_nb.model import SCAEConfig
    from scae_nb.bench import (_seeded_model, _without_profiler_noise, decoder_path, synchronize,
                               time_steps)
    from scae_nb.step import make_step, synthetic_batch, to_device, GraphStep
    from scae_nb.runtime import numerics_flags
    from scae_nb.mixture import use_decoder
    from torch.profiler import ProfilerActivity, profile
    spec, device = variant_spec(name, args.decoder, args.tf32), torch.device(args.device)
    if spec['triton_backward']:                                # before the step is built
        import scae_nb.triton_decoder as td
        td.TRITON_TEMPLATE_GRAD, td.TRITON_BACKWARD_BLOCK = spec['triton_backward']
    if spec['cnn_layout'] == 'nchw':                           # before the model is built
        import scae_nb.pcae as pcae
        pcae.CNN_MEMORY_FORMAT = torch.contiguous_format
    import scae_nb.step as step_module
    step_module.INDUCTOR_OPTIONS = inductor_options(spec)     # before the step is compiled
    config = SCAEConfig.preset(args.preset)
    if device.type == 'cpu':                                   # the dry run: a tiny model
        import dataclasses
        config = dataclasses.replace(config, n_parts=4, n_objects=4)
    result = dict(variant=name, step=spec['step'], device=str(device), torch=torch.__version__,
                  inductor_options=dict(step_module.INDUCTOR_OPTIONS))    # {} as shipped
    amp, tf32 = spec['amp'], spec['tf32']
    with numerics_flags(device, tf32), use_decoder(spec['decoder']):
        model, opt = _seeded_model(config, args.batch_size, device, 0, 3e-5)
        cuda = device.type == 'cuda'
        step = make_step(model, opt, device, amp, spec['compile'], spec['cuda_graph'])
        result.update(decoder=decoder_path(device, spec['compile'], spec['decoder']), tf32=tf32,
                      cnn_layout='nhwc' if model.pcae.cnn[1].weight.is_contiguous(
                          memory_format=torch.channels_last) else 'nchw')    # as built, read back
        if result['decoder'] == 'triton':
            import scae_nb.triton_decoder as td
            result['triton_backward'] = [td.TRITON_TEMPLATE_GRAD, td.TRITON_BACKWARD_BLOCK]
        batch = to_device(synthetic_batch(config, args.batch_size, 0), device)
        warm = 2 + (step.warmup + 2 if isinstance(step, GraphStep) else 0)
        t0 = time.perf_counter()
        for _ in range(warm): step(batch)
        synchronize(device)
        result['warmup_s'] = round(time.perf_counter() - t0, 2)
        _wait_turn(Path(args.out), name, args.parallel)
        for _ in range(3): step(batch)                         # after the wait: warm again
        synchronize(device)
        times = time_steps(lambda: step(batch), args.steps, device)     # bench's own timing
        result['ms_per_step_synced'] = round(statistics.median(times) * 1e3, 3)
        result['ms_min_synced'] = round(min(times) * 1e3, 3)
        t = time.perf_counter()
        for _ in range(args.steps): step(batch)
        synchronize(device)
        result['ms_per_step_queued'] = round((time.perf_counter() - t) * 1e3 / args.steps, 3)
        n = 10
        acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
        quiet = contextlib.nullcontext() if cuda else _without_profiler_noise()   # kineto's lines
        with quiet, profile(activities=acts, record_shapes=not spec['compile']) as prof:
            for _ in range(n): step(batch)
            synchronize(device)
    events = prof.key_averages()
    attr = 'self_device_time_total' if hasattr(events[0], 'self_device_time_total') \
        else 'self_cuda_time_total'
    sort = 'self_cuda_time_total' if cuda else 'self_cpu_time_total'
    kernels = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
    result['kernels_per_step'] = len(kernels) / n if cuda else None
    result['gpu_kernel_ms_per_step'] = round(sum(e.time_range.elapsed_us() for e in kernels)
                                             / n / 1e3, 3) if kernels else None
    top = sorted(events, key=lambda e: -getattr(e, attr if cuda else 'self_cpu_time_total'))[:40]
    result['top'] = [dict(name=e.key[:160], count=e.count / n,
                          self_us_per_step=round(getattr(e, attr if cuda else 'self_cpu_time_total')
                                                 / n, 1)) for e in top]
    table = prof.key_averages().table(sort_by=sort, row_limit=40, max_name_column_width=110)
    if not spec['compile']:
        table += '\n\nby input shape:\n' + prof.key_averages(group_by_input_shape=True).table(
            sort_by=sort, row_limit=30, max_name_column_width=60, max_shapes_column_width=90)
    result['table'] = table
    return result


def _child_cmd(name, args, out, parallel=False):
    return [sys.executable, __file__, str(out), '--child', name, '--steps', str(args.steps),
            '--batch-size', str(args.batch_size), '--preset', args.preset, '--device', args.device,
            '--decoder', args.decoder] + (['--tf32'] if args.tf32 else []) \
        + (['--parallel'] if parallel else [])


def _signal_paused(pattern: str, sig) -> list:
    "Send `sig` to the processes `pgrep -f pattern` finds (not this one)."
    import signal
    if not pattern: return []
    pids = [int(p) for p in subprocess.run(['pgrep', '-f', pattern], capture_output=True,
                                           text=True).stdout.split() if int(p) != os.getpid()]
    for pid in pids:
        try: os.kill(pid, sig)
        except ProcessLookupError: pass
    return pids


def _parallel(names, args, out, env, t0) -> list:
    """Start every variant at once, then run 'kernel' while they compile (its timings share the GPU
    with their warm-up steps); time each variant when all are ready."""
    import signal
    results, procs = [], {}
    for name in names:
        if name != 'kernel': procs[name] = subprocess.Popen(_child_cmd(name, args, out, True), env=env)
    if 'kernel' in names:
        try: rc = subprocess.run(_child_cmd('kernel', args, out), env=env, timeout=KERNEL_CAP).returncode
        except subprocess.TimeoutExpired: rc = 'timeout'
        results.append(_collect(out, 'kernel', rc))
        names = [n for n in names if n != 'kernel']
    deadline = t0 + args.budget
    while time.time() < deadline and not all(
            (out / f'.ready.{n}').exists() or procs[n].poll() is not None for n in names):
        time.sleep(0.5)
    print(f'gpu_profile: ready at {time.time() - t0:.0f} s: ' + ', '.join(
        n for n in names if (out / f'.ready.{n}').exists()), flush=True)
    for name in names:
        if not (out / f'.ready.{name}').exists():
            procs[name].kill(); procs[name].wait()
            results.append(dict(variant=name, status=f'not ready (rc {procs[name].returncode})'))
            continue
        paused = _signal_paused(args.pause, signal.SIGSTOP)
        time.sleep(1.0 if paused else 0)                 # the paused process's queued kernels
        (out / f'.go.{name}').touch()
        try: rc = procs[name].wait(timeout=max(20, deadline + 30 - time.time()))
        except subprocess.TimeoutExpired:
            procs[name].kill(); rc = 'timeout'
        _signal_paused(args.pause, signal.SIGCONT)
        results.append(_collect(out, name, rc, paused))
    return results


def _collect(out, name, rc, paused=()) -> dict:
    f = out / f'.{name}.json'
    res = json.loads(f.read_text()) if f.exists() else dict(variant=name)
    if f.exists(): f.unlink()
    res['status'] = 'ok' if rc == 0 else f'failed: {rc}'
    if paused: res['paused_pids'] = paused
    print(f'gpu_profile: {name}: ' + json.dumps({k: v for k, v in res.items()
                                               if k not in ('top', 'table')}), flush=True)
    return res


def main() -> int:
    from scae_nb.model import PRESETS
    p = CLIParser(epilog='Exit status: 0 every variant ok; 1 a variant failed, timed out or '
                                'was skipped; 2 a bad command line.')
    p.add_argument('out', help='output folder: profile.txt, profile.json, inductor_code.tar.gz')
    p.add_argument('--variants', default='eager,triton,cuda-graph-pytorch,cuda-graph',
                   help="comma list of: kernel (the Triton kernels alone, CUDA); bench's "
                   + ', '.join(STEPS) + ' (each also +amp); ' + ', '.join(ALIASES)
                   + '; each also -nchw (the CNN in NCHW) and, if compiled, -autotune (max-autotune: a '
                   'compile of minutes; time it sequentially, not with --parallel) (a CUDA graph or the '
                   'Triton decoder needs CUDA)')
    p.add_argument('--decoder', default='auto', choices=['auto', 'pytorch', 'native', 'triton'],
                   help="the decoder of bench's names, as bench's --decoder (default: auto)")
    p.add_argument('--tf32', action='store_true', help="TF32 matmuls for bench's names, as bench's --tf32")
    p.add_argument('--steps', type=positive_int64, default=50, help='steps timed per variant, 1 to 100000 (default 50)')
    p.add_argument('--batch-size', type=positive_int64, default=128, help='1 to 65536 (default 128)')
    p.add_argument('--budget', type=finite_float, default=240,
                   help='seconds for the whole list; variants that would start past it are skipped (default 240)')
    p.add_argument('--cap', type=finite_float, default=150,
                   help='seconds per compiled variant, at least 20 (default 150)')
    p.add_argument('--preset', default='official', choices=list(PRESETS), help='the model (default official)')
    p.add_argument('--device', default='cuda', help="cuda, or cpu for a dry run of eager variants")
    p.add_argument('--child', default=None, help=argparse.SUPPRESS)
    p.add_argument('--parallel', action='store_true',
                   help='compile all variants at once, then time them one at a time')
    p.add_argument('--pause', default='',
                   help='pgrep -f pattern of processes to SIGSTOP while a variant is timed')
    args = p.parse_args()
    names = [args.child] if args.child else args.variants.split(',')
    if bad := [n for n in names if not known(n) and n != 'kernel']:
        p.error(f"--variants: unknown {', '.join(map(repr, bad))}; choose from kernel, "
                f"{', '.join(STEPS)} (each also +amp), {', '.join(ALIASES)}; each also -nchw, and "
                "-autotune if compiled, once each")
    if args.device != 'cuda' and (gpu_only := [n for n in names if n == 'kernel' or needs_cuda(
            variant_spec(n, args.decoder, args.tf32))]):
        with_decoder = ' with --decoder triton' if args.decoder == 'triton' else ''
        p.error(f"--variants {', '.join(gpu_only)}{with_decoder}: need CUDA (Triton kernels, CUDA graphs); "
                f"this run uses --device {args.device}")
    if not (args.steps <= 100_000 and args.batch_size <= 65536):     # at least 1: positive_int64
        p.error(f"--steps must be 1 to 100000 and --batch-size 1 to 65536, got {args.steps} and "
                f"{args.batch_size}")
    if not (args.budget > 0 and args.cap >= 20):
        p.error(f"--budget must be above 0 and --cap at least 20 seconds, got {args.budget} and {args.cap}")
    out = Path(args.out)
    if args.child:
        res = _child(args.child, args)
        (out / f'.{args.child}.json').write_text(json.dumps(res))
        return 0
    out.mkdir(parents=True, exist_ok=True)
    t0, results = time.time(), []
    own_cache = not os.environ.get('TORCHINDUCTOR_CACHE_DIR')          # removed at the end
    cache = Path(os.environ.get('TORCHINDUCTOR_CACHE_DIR') or tempfile.mkdtemp(prefix='inductor_'))
    env = dict(os.environ, TORCHINDUCTOR_CACHE_DIR=str(cache), PYTHONUNBUFFERED='1')
    if args.parallel:
        results = _parallel(names, args, out, env, t0)
    for name in ([] if args.parallel else names):
        left = args.budget - (time.time() - t0)
        compiles = name != 'kernel' and variant_spec(name)['compile']
        cap = min(args.cap if compiles else KERNEL_CAP if name == 'kernel' else 60, left)
        if cap < 20:
            results.append(dict(variant=name, status=f'skipped: {max(left, 0):.0f} s of --budget left'))
            continue
        print(f'gpu_profile: {name} (cap {cap:.0f} s) at {time.time() - t0:.0f} s', flush=True)
        cmd = _child_cmd(name, args, out)
        try:
            rc = subprocess.run(cmd, env=env, timeout=cap).returncode
        except subprocess.TimeoutExpired:
            rc = 'timeout'
        results.append(_collect(out, name, rc))
    with open(out / 'profile.txt', 'w') as fh:
        for r in results:
            fh.write(f"==== {r['variant']}: {r.get('status')}\n")
            fh.write(json.dumps({k: v for k, v in r.items() if k not in ('top', 'table')}) + '\n')
            fh.write(r.get('table', '') + '\n\n')
    (out / 'profile.json').write_text(json.dumps([{k: v for k, v in r.items() if k != 'table'}
                                                  for r in results], indent=1))
    code = [f for f in cache.rglob('*.py') if f.stat().st_size < 4_000_000]
    with tarfile.open(out / 'inductor_code.tar.gz', 'w:gz') as tar:
        for f in code: tar.add(f, arcname=str(f.relative_to(cache)))
    size = (out / 'inductor_code.tar.gz').stat().st_size
    if own_cache: shutil.rmtree(cache, ignore_errors=True)
    failed = [r['variant'] for r in results if r.get('status') != 'ok']
    print(f'gpu_profile: done in {time.time() - t0:.0f} s; {len(code)} generated files, '
          f'{size / 2**20:.1f} MiB archived' + (f"; not ok: {', '.join(failed)}" if failed else ''),
          flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
