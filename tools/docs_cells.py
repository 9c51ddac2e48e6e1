#!/usr/bin/env python
"""Replay nbdev 2.4.14's docs processing cell by cell and report every cell that fails.

`nbdev_proc_nbs` (what `nbdev_docs` runs before Quarto) passes each notebook through the processors of
`nbdev.processors.FilterDefaults`. One of them, `exec_show_docs`, *executes* some cells in a fresh
kernel (`nbdev.processors._do_eval`), ignoring `#| slow` / `#| gpu` and `#| hide`:

* every cell with `#| export`, `#| exports`, `#| exporti` or `#| exec_doc`;
* every cell that contains an `import` anywhere (also inside a function body);
* every cell that calls `show_doc(...)` at top level (nbdev adds one after each exported definition);

except cells with `#| eval: false`. Cells it does not pick are never run, so a picked cell that uses a
variable from an unpicked cell fails with NameError, and nbdev stops at the first failure of a notebook.

This script runs the same processors, but records each failure and goes on, so one run lists every
failing cell. Cells flagged `#| slow` or `#| gpu` that nbdev would execute are reported and NOT run
(nbdev would run them: a full training inside the docs job). Exit status 1 when anything was found.

Usage: python tools/docs_cells.py [--run-slow] [NOTEBOOK ...]   (default: every nbs/*.ipynb), from the
repo root. `--run-slow` also runs the `#| slow` cells nbdev would run (still reported), so the cells
after them are checked as nbdev would; `#| gpu` cells are never run here.
"""
import sys
import time
import traceback
from pathlib import Path

from execnb.nbio import read_nb
from nbdev.config import get_config
from nbdev.process import NBProcessor
from nbdev.processors import FilterDefaults, exec_show_docs, _do_eval

HEAVY = {'slow', 'gpu'}
RUN_SLOW = False


class replay_show_docs(exec_show_docs):
    "nbdev's `exec_show_docs`, but a failure is recorded instead of raised, and heavy cells are not run."
    def __call__(self, cell):
        if not self.nb.has_docs_ or not hasattr(self, 'k'): return
        if not _do_eval(cell): return
        flags = set(cell.directives_) & HEAVY
        if flags:
            run = RUN_SLOW and 'gpu' not in flags
            self.nb.problems.append((cell, f"would RUN a #| {' '.join(sorted(flags))} cell"
                                           + (' (run here too)' if run else ' (not run here)')))
            if not run: return
        t = time.time()
        self.k.exc = None
        self.k.cell(cell)
        self.nb.ran.append((cell, time.time() - t))
        if self.k.exc and flags: self.nb.problems.pop()  # report the error instead of the flag
        if self.k.exc:
            exc = self.k.exc[1] if isinstance(self.k.exc, tuple) else self.k.exc
            self.nb.problems.append((cell, f'{type(exc).__name__}: {exc}'.splitlines()[0][:300]))
            self.k.exc = None


def replay(path: Path) -> list:
    nb = read_nb(path)
    nb.problems, nb.ran = [], []
    procs = [replay_show_docs if p is exec_show_docs else p for p in FilterDefaults().procs()]
    procs = procs[:procs.index(replay_show_docs) + 1]       # later processors only rewrite the page
    NBProcessor(nb=nb, procs=procs).process()
    return nb


def main(args):
    global RUN_SLOW
    if {'-h', '--help'} & set(args): return print(__doc__) or 0
    RUN_SLOW = '--run-slow' in args
    args = [a for a in args if a != '--run-slow']
    cfg = get_config()
    paths = [Path(a) for a in args] or sorted(p for p in cfg.nbs_path.glob('*.ipynb') if not p.name.startswith('_'))
    found = 0
    for path in paths:
        t = time.time()
        try: nb = replay(path)
        except Exception:
            print(f'{path.name}: processing raised\n{traceback.format_exc()}')
            found += 1
            continue
        print(f'{path.name}: {len(nb.ran)} cells executed by nbdev in {time.time() - t:.1f}s, '
              f'{len(nb.problems)} problem(s)')
        for cell, what in nb.problems:
            cid = getattr(cell, 'id', '?')
            head = next((l for l in cell.source.splitlines() if not l.startswith('#|')), '')[:90]
            print(f'  cell {cell.idx_} (id {cid}): {what}\n      first line: {head}')
        slow = sorted(nb.ran, key=lambda r: -r[1])[:1]
        if slow and slow[0][1] > 5: print(f'  slowest executed cell: {slow[0][0].idx_} ({slow[0][1]:.1f}s)')
        found += len(nb.problems)
    return 1 if found else 0


if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
