#!/usr/bin/env python
"""Write a shipped model: scae_nb/weights/NAME.pt (float16 weights + SCAEConfig + their sha256 digest,
which from_pretrained checks) and NAME.json (model card).

    python tools/make_pretrained.py NAME WEIGHTS CARD.json [--eval REPORT.json] [--data-dir DIR] [--debug]

WEIGHTS: a training checkpoint (`model`, `config`, `step`) or a GPU-check `weights.pt` (`state_dict`, ...).
CARD.json: the card's hand-written fields (recipe, hardware, wall time, ...). --eval: a `scae-nb eval`
report whose accuracies go on the card. Take it from the shipped float16 file (write the weights, run
`scae-nb eval --pretrained NAME ... --out DIR`, then run this again with `--eval DIR/report.json`): the
rounding to float16 moves the noisier accuracies by up to 0.016 (mnist-cpu's u inductive k-means: 0.1661 from
the float32 checkpoint, 0.1504 from the shipped file). A report of another checkpoint (the float32 training
checkpoint) goes in `accuracy_float32`. The card's `check` is computed here with
`scae_nb.evaluation.pretrained_check` (first 1,000 test images, noise off) from the float16 file, reading
MNIST from --data-dir (else $SCAE_DATA, else the per-user cache). An error is one line that names the options as
typed (`--data-dir /x`), as `scae-nb` says it, exit status 2; --debug adds its traceback.
"""
import argparse, json, sys, traceback
from pathlib import Path
import torch
from scae_nb.model import SCAEConfig, build_model
from scae_nb.pretrained import pretrained_dir, save_pretrained
from scae_nb.utils import cli_words


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog='make_pretrained')
    p.add_argument('name'); p.add_argument('weights'); p.add_argument('card')
    p.add_argument('--eval', default=None); p.add_argument('--data-dir', default=None)
    p.add_argument('--debug', action='store_true', help='on an error, its traceback too')
    return p


def make(a: argparse.Namespace) -> None:
    "Write shipped model `a.name` (its weights, then its card with the check), as the docstring says."
    w = torch.load(a.weights, map_location='cpu', weights_only=True)
    state = w.get('model', w.get('state_dict'))
    cfg = w['config']
    model_cfg = cfg['model'] if isinstance(cfg.get('model'), dict) else cfg
    model = build_model(SCAEConfig.from_dict(model_cfg))
    model.load_state_dict(state)
    save_pretrained(model, pretrained_dir() / f'{a.name}.pt')
    card = json.loads(Path(a.card).read_text())
    card.update(name=a.name, steps=int(w['step']), weights='float16',
                run={k: cfg[k] for k in ('dataset', 'batch_size', 'lr', 'seed') if k in cfg})
    previous = pretrained_dir() / f'{a.name}.json'          # a first pass's accuracies, same steps: kept
    if previous.exists() and json.loads(previous.read_text()).get('steps') == card['steps']:
        old = json.loads(previous.read_text())
        card.update({k: old[k] for k in ('accuracy', 'accuracy_float32') if k in old and k not in card})
    if a.eval:
        r = json.loads(Path(a.eval).read_text())
        shipped = r.get('checkpoint') == a.name               # evaluated from the float16 file itself
        key = 'accuracy' if shipped else 'accuracy_float32'
        card[key] = dict(source=card.pop('accuracy_source' if shipped else 'accuracy_float32_source',
                                         f"scae-nb eval of {r.get('checkpoint')}"),
                         n_train=r['n_train'], n_test=r['n_test'], noise=r['noise'],
                         posterior_m=r['posterior_m'], prior_u=r['prior_u'])
        if not shipped:
            print(f"make_pretrained: {a.eval} evaluates {r.get('checkpoint')}, not the shipped file: its "
                  f"accuracies go in accuracy_float32; run `scae-nb eval --pretrained {a.name}` for the card's "
                  "accuracy", file=sys.stderr)
    (pretrained_dir() / f'{a.name}.json').write_text(json.dumps(card, indent=1) + '\n')
    from scae_nb.evaluation import pretrained_check
    card['check'] = pretrained_check(a.name, data_dir=a.data_dir)
    (pretrained_dir() / f'{a.name}.json').write_text(json.dumps(card, indent=1) + '\n')
    print(json.dumps(card, indent=1))


def main(argv=None) -> int:
    """The tool on `argv` (None: the command line). An error is one line that names the options as
    typed (`--data-dir /x`, not `data_dir='/x'`: `cli_words`, as `scae-nb` says them), status 2."""
    from scae_nb.cli import _as_option, _one_line
    p = parser()
    a = p.parse_args(argv)
    try:
        with cli_words(): make(a)
    except Exception as e:                      # as `scae-nb` does: one line (`--debug`: and where)
        if a.debug: traceback.print_exc()
        line = _one_line(e)
        print(f'make_pretrained: error: {line if isinstance(e, OSError) else _as_option(line, p)}',
              file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
