"""Every notebook in nbs/ is valid nbformat 4 (the schema Jupyter, nbdev and Quarto read) with unique cell ids.

A duplicate id is not an error to Jupyter: it renames one of the two on load, with a warning, so tools that find
cells by id (reviews, scripted edits) can silently act on the wrong cell. Run by `.ci/run` with the sync check.
Usage: `python tools/check_notebooks.py [NOTEBOOK ...]` (default: nbs/*.ipynb); exit status 1 on any finding."""
import copy
import json
import sys
import warnings
from pathlib import Path

import nbformat


def findings(path: Path) -> list[str]:
    "What is wrong with notebook `path`, one line each (empty: nothing)."
    nb = json.loads(path.read_text(encoding='utf-8'))
    ids = [cell.get('id') for cell in nb.get('cells', [])]
    said = [f'{path}: cell id {i!r} is used {ids.count(i)} times' for i in dict.fromkeys(ids) if ids.count(i) > 1]
    with warnings.catch_warnings():            # its own duplicate-id warning: said above, in one line
        warnings.simplefilter('ignore')
        try: nbformat.validate(copy.deepcopy(nb))            # a copy: validate may rename duplicates
        except nbformat.ValidationError as e: said.append(f'{path}: not valid nbformat: {e.message}')
    return said


def main(paths) -> int:
    paths = [Path(p) for p in paths] or sorted(Path(__file__).resolve().parents[1].glob('nbs/*.ipynb'))
    said = [line for path in paths for line in findings(path)]
    print('\n'.join(said) if said else f'notebooks: {len(paths)} valid, cell ids unique')
    return 1 if said else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
