#!/usr/bin/env python
"""Write the hidden "Colab" cell at the top of every notebook in nbs/ (re-runnable; idempotent).

    python tools/set_colab_cell.py [--check] [NOTEBOOK ...]     # from the repo root

The cell (COLAB_CELL below) does something only on Colab (`'google.colab' in sys.modules`) and only
when `scae_nb` is not importable: it pip-installs scae-nb from the GitHub repository at the pinned
ref `SCAE_NB_REF` (one constant, here), and says so. The golden fixtures live in a clone
(`fixtures/golden/`), not in the package, so on Colab it also sets `SCAE_SKIP_PARITY=1` (unless
`SCAE_GOLDEN` or `SCAE_SKIP_PARITY` is set): the parity tests say "skipped" instead of failing; a
clone's own fixtures are still used when the notebook runs inside one. `$SCAE_NB_PIP_SPEC` overrides
what is installed (the Colab check, tests/test_colab.py, points it at a local `git+file://` clone).
Everywhere else (Jupyter, nbdev_test, nbdev's docs processing, which executes this cell because it
holds an import) it prints nothing and does nothing.

A notebook's existing cell is found by its first comment line `# Colab:` (in a `#| hide` code cell)
and its source replaced, keeping the cell id. A notebook without one gets a new cell after its
`#| default_exp` cell (or after the first cell). `--check` changes nothing and exits 1 if any
notebook's cell differs from COLAB_CELL (for CI).
"""
import argparse
import json
import sys
import uuid
from pathlib import Path

REPO_URL = 'https://github.com/scae-nb/scae-nb'
SCAE_NB_REF = 'main'          # branch or tag that Colab installs; pin a release tag once one exists

COLAB_CELL = f'''#| hide
# Colab: install scae-nb from GitHub when it is not importable (does nothing outside Colab)
import sys
if 'google.colab' in sys.modules:
    import importlib.util, os, subprocess
    if importlib.util.find_spec('scae_nb') is None:
        _spec = os.environ.get('SCAE_NB_PIP_SPEC', 'git+{REPO_URL}@{SCAE_NB_REF}')
        print(f'Colab: scae_nb is not installed; running pip install {{_spec}}')
        subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', _spec], check=True)
        print('Colab: scae-nb installed')
    else: print('Colab: scae_nb is already installed')
    if not os.environ.get('SCAE_GOLDEN') and 'SCAE_SKIP_PARITY' not in os.environ:
        os.environ['SCAE_SKIP_PARITY'] = '1'    # the fixtures are in a clone, not in the package
        print('Colab: no golden fixtures here; parity tests skipped (SCAE_SKIP_PARITY=1)')'''

MARK = '# Colab:'


def is_colab_cell(cell) -> bool:
    src = ''.join(cell['source'])
    return cell['cell_type'] == 'code' and any(l.startswith(MARK) for l in src.splitlines()[:3])


def source_lines(text: str) -> list:
    lines = text.split('\n')
    return [l + '\n' for l in lines[:-1]] + [lines[-1]]


def set_cell(nb: dict) -> str:
    "Put COLAB_CELL into `nb`; return 'unchanged', 'replaced' or 'inserted'."
    cells = nb['cells']
    found = [c for c in cells if is_colab_cell(c)]
    if found:
        cell = found[0]
        for extra in found[1:]: cells.remove(extra)
        if ''.join(cell['source']) == COLAB_CELL and not cell.get('outputs') and len(found) == 1:
            return 'unchanged'
        cell.update(source=source_lines(COLAB_CELL), outputs=[], execution_count=None)
        return 'replaced'
    at = next((i + 1 for i, c in enumerate(cells)
               if c['cell_type'] == 'code' and ''.join(c['source']).lstrip().startswith('#| default_exp')), 1)
    cell = dict(cell_type='code', execution_count=None, id=uuid.uuid4().hex[:8], metadata={}, outputs=[],
                source=source_lines(COLAB_CELL))
    cells.insert(min(at, len(cells)), cell)
    return 'inserted'


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('notebooks', nargs='*')
    p.add_argument('--check', action='store_true', help='change nothing; exit 1 if any cell differs')
    args = p.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    paths = [Path(n) for n in args.notebooks] or sorted(
        n for n in (root / 'nbs').glob('*.ipynb') if not n.name.startswith(('_', '.')))
    stale = 0
    for path in paths:
        nb = json.loads(path.read_text(encoding='utf-8'))
        what = set_cell(nb)
        if what != 'unchanged':
            stale += 1
            if not args.check:
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
        print(f'{path.name}: {what}' + (' (would change)' if args.check and what != 'unchanged' else ''))
    return 1 if args.check and stale else 0


if __name__ == '__main__': sys.exit(main())
