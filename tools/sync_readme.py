#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb (Quarto, which `nbdev_readme` needs, is not available on our machines).

Markdown cells are copied; code cells are shown as ```python blocks unless they carry `#| hide`.
Run with `--check` to fail (exit 1) when README.md is out of date instead of rewriting it.
"""
import argparse, json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def render(nb_path=ROOT / 'nbs' / 'index.ipynb'):
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    parts = ['<!-- WARNING: generated from nbs/index.ipynb by tools/sync_readme.py; edit the notebook, not this file -->']
    for cell in nb['cells']:
        src = ''.join(cell['source']).strip()
        if not src: continue
        lines = src.split('\n')
        directives = [l for l in lines if l.startswith('#|')]
        if any('hide' in d for d in directives): continue
        body = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if cell['cell_type'] == 'markdown': parts.append(body)
        elif body: parts.append(f'```python\n{body}\n```')
    return '\n\n'.join(parts) + '\n'


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='exit 1 when README.md is out of date, instead of rewriting it')
    args = parser.parse_args()
    text, readme = render(), ROOT / 'README.md'
    if args.check:
        ok = readme.exists() and readme.read_text(encoding='utf-8') == text
        print('README.md is in sync with nbs/index.ipynb' if ok else 'README.md is out of date: run python tools/sync_readme.py')
        sys.exit(0 if ok else 1)
    readme.write_text(text, encoding='utf-8')
    print(f'wrote {readme}')
