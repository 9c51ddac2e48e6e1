"""Does bfloat16 autocast (`--amp`) train like float32 over many steps? (05c_bench records the result.)

Three runs of the same model from the same initial weights on the same MNIST batches, in one process:
float32 with presence-noise seed 1, float32 with noise seed 2 (how far two float32 runs drift apart
from the noise alone), and bfloat16 autocast with noise seed 1 (the same noise as the first). If
bf16 moves the run no further from float32 than a change of noise does, its rounding is within the
run's own noise. Writes each run's loss terms and metrics, as means over windows of `--window` steps,
to a JSON file (05c_bench reads nbs/study/amp_study.json, batch 32, and amp_study_b128.json, batch 128).
The batches are drawn over as many epochs as `--steps` needs.

    OMP_NUM_THREADS=1 nice python tools/amp_study.py --batch-size 32 --steps 600 --out amp_study.json
"""
import json, os, platform, re, sys, time
import torch
from scae_nb.cli import CLIParser, finite_float, positive_int64
from scae_nb.config import SCAEConfig
from scae_nb.loaders import image_loaders
from scae_nb.model import build_model
from scae_nb.optim import TFRMSprop, _check_lr_float32, official_eps
from scae_nb.runtime import seed_everything
from scae_nb.step import optimization_step, output_metrics
from scae_nb.utils import check_positive, progress_bar

RUNS = (('float32, noise 1', False, 1), ('float32, noise 2', False, 2), ('bf16, noise 1', True, 1))

def train_run(config, batches, amp: bool, noise_seed: int, lr: float, desc: str) -> dict:
    "One run from seed 0's initial weights over `batches`: every step's losses and metrics."
    seed_everything(0)
    model = build_model(config).train()
    optimizer = TFRMSprop(model.parameters(), lr=lr, eps=official_eps(len(batches[0][0])))
    torch.manual_seed(noise_seed)                   # presence noise only; weights and data shared
    steps, start = [], time.perf_counter()
    for batch in progress_bar(batches, desc=desc, unit='step'):
        out = optimization_step(model, optimizer, batch, torch.device('cpu'), amp)
        values = {**{k: v.item() for k, v in out.losses.items()},
                  **{k: float(v) for k, v in output_metrics(out).items()}}
        steps.append({k: round(v, 6) for k, v in values.items()})
    return dict(amp=amp, noise_seed=noise_seed, s_per_step=(time.perf_counter() - start) / len(batches),
                steps=steps)

def windowed(result: dict, window: int) -> dict:
    "`result` with each run's `steps` replaced by `windows`: the means of every `window` steps."
    runs = {}
    for name, run in result['runs'].items():
        steps = run['steps']
        chunks = [steps[i:i + window] for i in range(0, len(steps) - window + 1, window)]
        means = [{k: round(sum(s[k] for s in chunk) / window, 4) for k in chunk[0]} for chunk in chunks]
        runs[name] = {**{k: v for k, v in run.items() if k != 'steps'}, 'windows': means}
    return {**result, 'window': window, 'runs': runs}

def main(argv=None) -> int:
    parser = CLIParser(description=__doc__.splitlines()[0])     # the CLI's one-line errors
    parser.add_argument('--batch-size', type=positive_int64, default=32)
    parser.add_argument('--steps', type=positive_int64, default=500)
    parser.add_argument('--lr', type=finite_float, default=3e-5)   # nan, inf, 1_0: refused, as scae-nb does
    parser.add_argument('--window', type=positive_int64, default=10, help='steps per logged mean')
    parser.add_argument('--out', default='amp_study.json')
    args = parser.parse_args(argv)
    try:
        check_positive(_integer=False, **{'--lr': args.lr})    # 0, -1e-3: refused, as scae-nb's --lr
        _check_lr_float32(args.lr)           # 1e-40: float32 steps of 0, refused as scae-nb's --lr
    except ValueError as error: parser.error(re.sub(r'^lr ', '--lr ', str(error)))
    config = SCAEConfig.preset('official')
    train_loader = image_loaders('mnist', args.batch_size, seed=0)[0]
    batches = []                                    # over as many epochs as the steps need
    while len(batches) < args.steps:
        before = len(batches)
        batches += [batch for _, batch in zip(range(args.steps - len(batches)), train_loader)]
        if len(batches) == before: sys.exit('the training loader gave no batches')
    result = dict(preset='official', batch_size=args.batch_size, steps=args.steps, lr=args.lr,
                  torch=torch.__version__, threads=torch.get_num_threads(),
                  cpu=platform.processor() or platform.machine(),
                  runs={name: train_run(config, batches, amp, seed, args.lr, name)
                        for name, amp, seed in RUNS})
    with open(args.out, 'w') as f: json.dump(windowed(result, args.window), f)
    print(f'wrote {os.path.abspath(args.out)}', file=sys.stderr)
    return 0

if __name__ == '__main__': sys.exit(main())
