"""Float32 parity of scae-nb against the golden fixtures on one or more devices (part of tools/gpu_check.sh).

Uses only the stable entry point `scae_nb.losses.from_official(variables, flags, noise=False)` and the model's
forward `model(images_nchw, labels).losses`. Gradients are mapped to the official (TF) names without any
internal helper: two copies of the model are loaded with serial numbers (1, 2, 3, ... and n+1, n+2, ...) in
place of the official values, so each parameter element tells which official element it holds.

    python tools/gpu_parity.py --golden DIR --devices cuda,cpu --out parity.json [--fixtures small,mnist]

Writes the JSON after every (device, fixture), so a timeout keeps what was done. Exit code 0 = all passed,
1 = some comparison failed, 2 = some device or fixture could not be run.
"""
from __future__ import annotations
import argparse, json, math, sys, time, traceback
from pathlib import Path

import numpy as np
import torch

LOSS_RTOL = LOSS_ATOL = 1e-4          # golden README section 6: loss terms and total
GRAD_RTOL, GRAD_ATOL = 1e-3, 1e-6     # scale-relative: max|g - ref| <= 1e-3 max|ref| + 1e-6


def set_tf32(enabled: bool) -> dict:
    "Switch TF32 for matmuls and cuDNN on or off; return the flags as read back."
    torch.backends.cuda.matmul.allow_tf32 = enabled
    torch.backends.cudnn.allow_tf32 = enabled
    torch.set_float32_matmul_precision('high' if enabled else 'highest')
    return dict(matmul_allow_tf32=torch.backends.cuda.matmul.allow_tf32,
                cudnn_allow_tf32=torch.backends.cudnn.allow_tf32,
                float32_matmul_precision=torch.get_float32_matmul_precision())


def load_fixture(path: Path):
    "(arrays, config, variables) as the golden README section 1 says."
    d = np.load(path)
    cfg = json.loads(str(d['config']))
    variables = {k[4:]: d[k] for k in d.files if k.startswith('var/')}
    return d, cfg, variables


def serial_variables(variables: dict, start: int) -> tuple[dict, dict]:
    "Float variables replaced by serial numbers start, start+1, ...; also name -> (first id - start, shape)."
    out, ids, offset = {}, {}, 0
    for name, value in variables.items():
        value = np.asarray(value)
        if not np.issubdtype(value.dtype, np.floating): out[name] = value; continue
        n = value.size
        out[name] = np.arange(start + offset, start + offset + n, dtype=np.float64).astype(np.float32).reshape(value.shape)
        ids[name] = (offset, value.shape)
        offset += n
    return out, ids


def official_positions(variables: dict, flags: dict, from_official) -> tuple[dict, int]:
    "Official name -> LongTensor [TF shape] of positions in the flat parameter vector (-1: not found)."
    n = sum(np.asarray(v).size for v in variables.values() if np.issubdtype(np.asarray(v).dtype, np.floating))
    if 2 * n + 2 >= 2 ** 24: raise ValueError(f"{n} official elements: too many for exact float32 serial numbers")
    flat = []
    for start in (1, n + 1):
        serial, ids = serial_variables(variables, start)
        torch.manual_seed(0)
        model = from_official(serial, flags, noise=False)
        flat.append(torch.cat([p.detach().reshape(-1).double() for p in model.parameters()]))
        del model
    a, b = flat
    landed = (b - a == n) & (a >= 1) & (a <= n) & (a == a.round())
    position = torch.full((n,), -1, dtype=torch.long)
    position[(a[landed] - 1).long()] = torch.nonzero(landed).flatten()
    return {name: position[off:off + math.prod(shape)].reshape(shape) for name, (off, shape) in ids.items()}, int(landed.sum())


def compare_losses(losses: dict, d) -> dict:
    "Every `loss/<k>` of the fixture against losses[k]: value, reference, errors, pass."
    result = {}
    for key in sorted(k for k in d.files if k.startswith('loss/')):
        name, ref = key[5:], float(d[key])
        if name not in losses: result[name] = dict(ref=ref, status='missing', passed=False); continue
        ours = float(losses[name])
        err = abs(ours - ref)
        result[name] = dict(ours=ours, ref=ref, abs_err=err, rel_err=err / max(abs(ref), 1e-30),
                            ratio=err / (LOSS_ATOL + LOSS_RTOL * abs(ref)),
                            passed=bool(math.isfinite(ours) and err <= LOSS_ATOL + LOSS_RTOL * abs(ref)))
    return result


def compare_grads(flat_grad: torch.Tensor, positions: dict, d) -> dict:
    "Every `grad/<name>` of the fixture against our gradient in TF layout (scale-relative criterion)."
    result = {}
    for key in sorted(k for k in d.files if k.startswith('grad/')):
        name, ref = key[5:], np.asarray(d[key], np.float64)
        pos = positions.get(name)
        if pos is None or (pos < 0).any():
            result[name] = dict(status='unmapped', passed=False); continue
        ours = flat_grad[pos].numpy().astype(np.float64)
        err, scale = float(np.abs(ours - ref).max()), float(np.abs(ref).max())
        norm = float(np.linalg.norm(ref))
        result[name] = dict(max_abs_err=err, max_abs_ref=scale, ratio=err / (GRAD_RTOL * scale + GRAD_ATOL),
                            rel_norm_err=float(np.linalg.norm(ours - ref)) / norm if norm else None,
                            passed=bool(np.isfinite(ours).all() and err <= GRAD_RTOL * scale + GRAD_ATOL))
    return result


def run_one(model, d, positions: dict, device: torch.device) -> dict:
    "Forward + backward of the total on the fixture batch on `device`; compared losses and gradients."
    images = torch.from_numpy(np.ascontiguousarray(d['image'])).permute(0, 3, 1, 2).contiguous().to(device)
    labels = torch.from_numpy(d['label']).to(device)
    model.zero_grad(set_to_none=True)
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    sync(); t0 = time.perf_counter()
    out = model(images, labels)
    out.losses['total'].backward()
    sync(); wall = time.perf_counter() - t0
    losses = {k: float(v.detach().float().cpu()) for k, v in out.losses.items()}
    flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).detach().reshape(-1).float().cpu()
                      for p in model.parameters()])
    loss_cmp, grad_cmp = compare_losses(losses, d), compare_grads(flat, positions, d)
    worst = lambda cmp: max((v.get('ratio', math.inf) for v in cmp.values()), default=None)
    return dict(passed=all(v['passed'] for v in [*loss_cmp.values(), *grad_cmp.values()]),
                n_losses=len(loss_cmp), n_losses_passed=sum(v['passed'] for v in loss_cmp.values()),
                n_grads=len(grad_cmp), n_grads_passed=sum(v['passed'] for v in grad_cmp.values()),
                worst_loss_ratio=worst(loss_cmp), worst_grad_ratio=worst(grad_cmp),
                failed=[f'loss/{k}' for k, v in loss_cmp.items() if not v['passed']] +
                       [f'grad/{k}' for k, v in grad_cmp.items() if not v['passed']],
                forward_backward_s=round(wall, 4), losses=loss_cmp, grads=grad_cmp)


def triton_runs_on(dev: str) -> bool:
    "Whether 02c's Triton decoder can run on device `dev` here (False when scae-nb has no such decoder)."
    try: from scae_nb.triton_decoder import triton, triton_interpreted
    except ImportError: return False
    return triton is not None and (dev.startswith('cuda') or (dev == 'cpu' and triton_interpreted()))


def decoder_context(name: str):
    "`scae_nb.mixture.use_decoder(name)`, or nothing for 'auto' (so that older scae-nb without it still runs)."
    import contextlib
    if name == 'auto': return contextlib.nullcontext()
    from scae_nb.mixture import use_decoder
    return use_decoder(name)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--golden', required=True, help='folder holding small.npz, mnist.npz')
    p.add_argument('--devices', default='cuda,cpu', help='comma-separated devices, compared in this order')
    p.add_argument('--fixtures', default='small,mnist')
    p.add_argument('--out', required=True, help='JSON file to write')
    p.add_argument('--tf32-too', action='store_true', help='on CUDA also run with TF32 on (informational, not a check)')
    p.add_argument('--triton-too', action='store_true',
                   help="also run with --decoder triton (02c's kernels) where it applies: on CUDA, or on a CPU under "
                        "TRITON_INTERPRET=1; its result is 'triton_passed', apart from 'passed'")
    args = p.parse_args(argv)
    torch.backends.cudnn.benchmark = False
    result = dict(golden=str(args.golden), tolerances=dict(loss=dict(rtol=LOSS_RTOL, atol=LOSS_ATOL),
                  grad=dict(rule='max|g-ref| <= 1e-3*max|ref| + 1e-6')), devices={}, errors=[])
    write = lambda: Path(args.out).write_text(json.dumps(result, indent=1, default=str))
    try:
        from scae_nb.losses import from_official
    except Exception as e:
        result['errors'].append(f'import scae_nb.losses.from_official: {type(e).__name__}: {e}')
        write(); traceback.print_exc(); return 2
    ok, complete = True, True
    for fixture in [f for f in args.fixtures.split(',') if f]:
        path = Path(args.golden) / f'{fixture}.npz'
        try:
            t0 = time.perf_counter()
            d, cfg, variables = load_fixture(path)
            positions, n_landed = official_positions(variables, cfg['flags'], from_official)
            torch.manual_seed(0)
            base = from_official(variables, cfg['flags'], noise=False)
            print(f'parity: {fixture}: model built, {n_landed} parameter elements mapped to official names '
                  f'({time.perf_counter() - t0:.1f} s)', flush=True)
        except Exception as e:
            result['errors'].append(f'{fixture}: {type(e).__name__}: {e}'); traceback.print_exc()
            complete = False; write(); continue
        for dev in [x for x in args.devices.split(',') if x]:
            modes = [('fp32', False)] + ([('tf32', True)] if args.tf32_too and dev.startswith('cuda') else [])
            modes += [('triton', False)] if args.triton_too and triton_runs_on(dev) else []
            for mode, tf32 in modes:
                key = dev if mode == 'fp32' else f'{dev}+{mode}'
                try:
                    device = torch.device(dev)
                    flags = set_tf32(tf32)
                    model = base.to(device)
                    with decoder_context('triton' if mode == 'triton' else 'auto'):
                        r = run_one(model, d, positions, device)
                    r.update(numerics=flags, informational=tf32, decoder='triton' if mode == 'triton' else 'auto')
                    result['devices'].setdefault(key, {})[fixture] = r
                    if mode == 'triton': result['triton_passed'] = result.get('triton_passed', True) and r['passed']
                    elif not tf32: ok &= r['passed']
                    print(f"parity: {key:10s} {fixture:6s} {'PASS' if r['passed'] else 'FAIL'}: "
                          f"losses {r['n_losses_passed']}/{r['n_losses']}, grads {r['n_grads_passed']}/{r['n_grads']}, "
                          f"worst ratio loss {r['worst_loss_ratio']:.3g} grad {r['worst_grad_ratio']:.3g} "
                          f"(<= 1 passes){'  [informational]' if tf32 else ''}", flush=True)
                    if r['failed']: print(f"parity:   failed: {', '.join(r['failed'][:12])}", flush=True)
                except Exception as e:
                    result['errors'].append(f'{key}/{fixture}: {type(e).__name__}: {e}'); traceback.print_exc()
                    if mode == 'triton': result['triton_passed'] = False
                    elif not tf32: complete = False
                finally:
                    set_tf32(False)
                    write()
            base = base.to('cpu')
    result['passed'] = bool(ok and complete)
    write()
    return 0 if ok and complete else (1 if complete else 2)


if __name__ == '__main__':
    sys.exit(main())
