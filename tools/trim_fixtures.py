#!/usr/bin/env python
"""Copy the golden fixtures into the repository, keeping every array a test reads, bit for bit.

    python tools/trim_fixtures.py [SOURCE_DIR] [--out fixtures/golden] [--drop KEY_OR_PREFIX ...]

SOURCE_DIR defaults to $SCAE_GOLDEN (the full fixtures `small.npz`, `mnist.npz`). Each kept array is
copied as the *same bytes* (the `.npy` member of the zip is read and written back unchanged, so
float32 values are bit-identical: nothing is rounded or re-encoded), deflate-compressed, with fixed
timestamps so that running the script twice gives byte-identical files (same sha256). After writing,
every kept array is loaded back with `np.load` and compared byte for byte with the source.

What is dropped (`DROP` below) is exactly what no test reads, measured by running the parity
notebooks (00, 02, 03, 04, 05_training) with a logger on every fixture read and by reading 01:

* `step/global_step_after`: the optimizer-step check (05) reads `step/{value_after,rms,momentum}/<var>`
  for `config['step_vars']` only.

Everything else IS read: `assert_golden_outputs(..., prefix)` compares every stored key under
`pcae/`, `ocae/`, `probe/`; the gradient checks (02, 04) loop over every `grad/` and `grad_term/` key;
`from_official` needs every `var/`; 04 reads `var_names_shapes`, every test reads `config`.
`--drop` removes more (for measuring options); a dropped key that a test compares by prefix makes
that test check less, so do not commit such a version.
"""
import argparse
import hashlib
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

FIXTURES = ('small', 'mnist')
DROP = ('step/global_step_after',)        # keys (exact, or prefixes ending in '/') no test reads
EPOCH = (1980, 1, 1, 0, 0, 0)             # fixed zip timestamps: reproducible bytes


def dropped(key: str, drop) -> bool:
    return any(key == d or (d.endswith('/') and key.startswith(d)) for d in drop)


def trim(src: Path, dst: Path, drop) -> dict:
    "Write `dst` with the members of `src` whose keys are not dropped; return key counts and sizes."
    kept, removed = [], []
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
        for info in sorted(zin.infolist(), key=lambda i: i.filename):
            key = info.filename[:-4] if info.filename.endswith('.npy') else info.filename
            if dropped(key, drop):
                removed.append(key)
                continue
            out = zipfile.ZipInfo(info.filename, date_time=EPOCH)
            out.compress_type, out.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            zout.writestr(out, zin.read(info.filename), compresslevel=9)
            kept.append(key)
    return dict(kept=kept, removed=removed)


def verify(src: Path, dst: Path, kept) -> None:
    "Every kept array loads with np.load and has the source's dtype, shape and bytes."
    with np.load(src) as a, np.load(dst) as b:
        if sorted(b.files) != sorted(kept): raise AssertionError(f'{dst}: keys differ from the kept list')
        for k in kept:
            x, y = a[k], b[k]
            if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
                raise AssertionError(f'{dst}: {k} differs from the source')


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('source', nargs='?', default=os.environ.get('SCAE_GOLDEN'),
                   help='folder with the full small.npz, mnist.npz (default: $SCAE_GOLDEN)')
    p.add_argument('--out', default=str(Path(__file__).resolve().parents[1] / 'fixtures' / 'golden'))
    p.add_argument('--drop', nargs='*', default=[], help='more keys or prefixes/ to drop (to measure)')
    args = p.parse_args(argv)
    if not args.source: p.error('give the source folder or set SCAE_GOLDEN')
    src_dir, out = Path(args.source), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    drop = tuple(DROP) + tuple(args.drop)
    print('| file | source bytes | trimmed bytes | arrays kept | dropped | sha256 |\n|---|---|---|---|---|---|')
    for name in FIXTURES:
        src, dst = src_dir / f'{name}.npz', out / f'{name}.npz'
        if src.resolve() == dst.resolve(): sys.exit(f'refusing to overwrite the source {src}')
        res = trim(src, dst, drop)
        verify(src, dst, res['kept'])
        print(f"| `{name}.npz` | {src.stat().st_size:,} | {dst.stat().st_size:,} | {len(res['kept'])} | "
              f"{', '.join(f'`{k}`' for k in res['removed']) or '-'} | `{sha256(dst)}` |")


if __name__ == '__main__': main()
