#!/usr/bin/env python
"""Write a shipped model: scae_nb/weights/NAME.pt (float16 weights + SCAEConfig) and NAME.json (model card).

    python tools/make_pretrained.py NAME WEIGHTS CARD.json [--eval REPORT.json]

WEIGHTS: a training checkpoint (`model`, `config`, `step`) or a GPU-check `weights.pt` (`state_dict`, ...).
CARD.json: the card's hand-written fields (recipe, hardware, wall time, ...). --eval: a `scae-nb eval`
report whose accuracies go on the card. The card's `check` is computed here with
`scae_nb.analysis.pretrained_check` (first 1,000 test images, noise off) from the float16 file.
"""
import argparse, json, sys
from pathlib import Path
import torch
from scae_nb.model import SCAEConfig, build_model
from scae_nb.pretrained import pretrained_dir, save_pretrained

p = argparse.ArgumentParser()
p.add_argument('name'); p.add_argument('weights'); p.add_argument('card')
p.add_argument('--eval', default=None); p.add_argument('--data-dir', default=None)
a = p.parse_args()
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
if a.eval:
    r = json.loads(Path(a.eval).read_text())
    card['accuracy'] = dict(source=card.pop('accuracy_source', 'scae-nb eval'), n_train=r['n_train'],
                            n_test=r['n_test'], noise=r['noise'],
                            posterior_m=r['posterior_m'], prior_u=r['prior_u'])
(pretrained_dir() / f'{a.name}.json').write_text(json.dumps(card, indent=1) + '\n')
from scae_nb.analysis import pretrained_check
card['check'] = pretrained_check(a.name, data_dir=a.data_dir)
(pretrained_dir() / f'{a.name}.json').write_text(json.dumps(card, indent=1) + '\n')
print(json.dumps(card, indent=1))
