#!/usr/bin/env python
"""Line rules for the exported package: ruff E501 (lines <= 100), E702, E703 (no `;` chains) on scae_nb/.

    python tools/lint.py [PATH ...]        # default: scae_nb/ ; exit 1 on any finding

Ruff cannot exempt single statements from E501, and nbdev writes two kinds of lines that no notebook
edit can shorten: the `__all__ = [...]` list (nbdev joins the exported names itself) and the module
docstring's first line. This filter drops E501 findings on exactly those lines; everything else fails.
`scae_nb/_modidx.py` (nbdev's symbol index, a generated dict literal) is not checked.
"""
import ast
import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = 'E501,E702,E703'


@lru_cache(maxsize=None)
def generated_lines(path: str) -> frozenset:
    "Line numbers nbdev generates: every line of the `__all__` assignment, the docstring's first line."
    tree = ast.parse(Path(path).read_text(encoding='utf-8'))
    lines = set()
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant):
        lines.add(tree.body[0].lineno)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == '__all__' for t in node.targets):
            lines.update(range(node.lineno, node.end_lineno + 1))
    return frozenset(lines)


def main(paths) -> int:
    cmd = ['ruff', 'check', '--no-cache', '--isolated', '--line-length', '100', '--select', RULES,
           '--extend-exclude', '_modidx.py', '--force-exclude',
           '--output-format', 'json', *(paths or [str(ROOT / 'scae_nb')])]
    try: res = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        print('tools/lint.py: ruff is not installed (pip install -e ".[dev]")')
        return 1
    if res.returncode not in (0, 1):
        print(res.stdout + res.stderr)
        return 1
    found = [f for f in json.loads(res.stdout or '[]')
             if not (f['code'] == 'E501' and f['location']['row'] in generated_lines(f['filename']))]
    for f in found:
        rel = Path(f['filename']).resolve()
        rel = rel.relative_to(ROOT) if rel.is_relative_to(ROOT) else rel
        print(f"{rel}:{f['location']['row']}:{f['location']['column']}: {f['code']} {f['message']}")
    print(f'lint: {len(found)} finding(s) ({RULES}, line length 100; nbdev\'s __all__ and docstring '
          'first lines exempt)')
    return 1 if found else 0


if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
