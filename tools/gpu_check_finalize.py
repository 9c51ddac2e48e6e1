"""Last stage of tools/gpu_check.sh: weights.pt, metrics.jsonl, loss_curve.png, eval_figures.png, training stats.

    python tools/gpu_check_finalize.py --out OUT --result stats.json --run RUN_DIR --eval EVAL_DIR [--checkpoint CK]

Reads the checkpoint with plain `torch.load(weights_only=True)` (keys 'model' or 'state_dict', 'config', 'step'),
so it does not depend on scae_nb's module layout. Each part is tried on its own.
"""
from __future__ import annotations
import argparse, json, shutil, statistics, sys, traceback
from pathlib import Path

MAX_BYTES = 16 * 2 ** 20 - 4096


def read_metrics(path: Path) -> list[dict]:
    rows = []
    if path.is_file():
        for line in path.read_text().splitlines():
            try: rows.append(json.loads(line))
            except ValueError: pass
    return rows


def training_stats(rows: list[dict]) -> dict:
    "Steps and ms/step from the logged `steps_per_s` (the first interval, with start-up and warm-up, left out)."
    train = [r for r in rows if 'steps_per_s' in r]
    stats = dict(n_logged=len(train), last_logged=train[-1] if train else None)
    rates = [r['steps_per_s'] for r in train[1:] if r.get('steps_per_s')] or [r['steps_per_s'] for r in train if r.get('steps_per_s')]
    if rates:
        ms = [1e3 / r for r in rates]
        stats.update(ms_per_step_median=round(statistics.median(ms), 3), ms_per_step_min=round(min(ms), 3),
                     ms_per_step_first_interval=round(1e3 / train[0]['steps_per_s'], 3) if train[0].get('steps_per_s') else None)
    # throughput: all steps after the first interval over the time they took (each interval: its steps / its rate), so
    # slow intervals count by their length; on a busy machine the median of the intervals hides them
    pairs = [(r['step'] - q['step'], r['steps_per_s']) for q, r in zip(train, train[1:]) if r.get('steps_per_s')]
    steps, secs = sum(n for n, _ in pairs), sum(n / rate for n, rate in pairs)
    if steps > 0 and secs > 0:
        stats.update(ms_per_step_throughput=round(1e3 * secs / steps, 3), throughput_steps=steps,
                     full_run_minutes_at_throughput=round(300_000 * 1e3 * secs / steps / 6e4, 1))
    return stats


def loss_curve(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    train = [r for r in rows if 'steps_per_s' in r]
    keys = [k for k in ('total', 'rec_ll', 'log_prob') if any(k in r for r in train)]
    fig, axes = plt.subplots(1, len(keys) + 1, figsize=(4 * (len(keys) + 1), 3.2))
    for ax, k in zip(axes, keys):
        pts = [(r['step'], r[k]) for r in train if k in r]
        ax.plot(*zip(*pts), '.-'); ax.set(title=k, xlabel='step'); ax.grid(alpha=.3)
    pts = [(r['step'], 1e3 / r['steps_per_s']) for r in train if r.get('steps_per_s')]
    if pts: axes[-1].plot(*zip(*pts), '.-')
    axes[-1].set(title='ms/step (interval means)', xlabel='step'); axes[-1].grid(alpha=.3)
    fig.tight_layout(); fig.savefig(path, dpi=100); plt.close(fig)


def combine_figures(folder: Path, path: Path) -> list[str]:
    "The eval figures (templates, reconstructions, t-SNE where present) stacked into one PNG."
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = [n for n in ('templates', 'reconstructions', 'part_decomposition', 'tsne') if (folder / f'{n}.png').is_file()]
    if not names: return []
    images = [plt.imread(folder / f'{n}.png') for n in names]
    width = 10
    heights = [width * im.shape[0] / im.shape[1] for im in images]
    fig, axes = plt.subplots(len(images), 1, figsize=(width, sum(heights) + 0.4 * len(images)),
                             gridspec_kw=dict(height_ratios=heights), squeeze=False)
    for ax, im, n in zip(axes[:, 0], images, names):
        ax.imshow(im); ax.set_title(n, fontsize=9); ax.axis('off')
    fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)
    return names


def save_weights(checkpoint: Path, path: Path) -> dict:
    "{'state_dict', 'config', 'step'} of the checkpoint, float32 if it fits in MAX_BYTES, else float16."
    import torch
    state = torch.load(checkpoint, map_location='cpu', weights_only=True)
    sd = state.get('model', state.get('state_dict'))
    if not isinstance(sd, dict): raise ValueError(f'no model state_dict in {checkpoint} (keys {list(state)})')
    info = dict(step=state.get('step'), source=str(checkpoint), n_params=sum(v.numel() for v in sd.values() if torch.is_tensor(v)))
    for dtype in (torch.float32, torch.float16):
        cast = {k: (v.to(dtype) if torch.is_tensor(v) and v.is_floating_point() else v) for k, v in sd.items()}
        torch.save(dict(state_dict=cast, config=state.get('config'), step=state.get('step'), dtype=str(dtype),
                        format='scae-nb-weights-v1'), path)
        if path.stat().st_size <= MAX_BYTES: break
    else:
        path.unlink(); raise ValueError('weights do not fit in 16 MiB even in float16')
    info.update(dtype=str(dtype), bytes=path.stat().st_size)
    return info


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True); p.add_argument('--result', required=True)
    p.add_argument('--run', required=True); p.add_argument('--eval', required=True)
    p.add_argument('--checkpoint', default=None)
    a = p.parse_args(argv)
    out, run, ev = Path(a.out), Path(a.run), Path(a.eval)
    result, ok = dict(errors=[]), True
    rows = read_metrics(run / 'metrics.jsonl')
    parts = [('metrics', lambda: shutil.copy(run / 'metrics.jsonl', out / 'metrics.jsonl') if rows else None),
             ('stats', lambda: result.update(training_stats(rows))),
             ('loss_curve', lambda: loss_curve(rows, out / 'loss_curve.png') if rows else None),
             ('figures', lambda: result.update(eval_figures=combine_figures(ev, out / 'eval_figures.png'))),
             ('weights', lambda: result.update(weights=save_weights(Path(a.checkpoint), out / 'weights.pt'))
              if a.checkpoint else None)]
    for name, fn in parts:
        try: fn()
        except Exception as e:
            traceback.print_exc(); ok = False
            result['errors'].append(f'{name}: {type(e).__name__}: {e}')
    if (result.get('weights') or {}).get('step') is not None: result['step'] = result['weights']['step']
    Path(a.result).write_text(json.dumps(result, indent=1, default=str))
    print(json.dumps({k: v for k, v in result.items() if k != 'last_logged'}, default=str))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
