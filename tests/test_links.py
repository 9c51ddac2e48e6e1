"""Links between the docs pages point somewhere: every page a notebook or the README links to is a
page nbdev makes, and every `#anchor` is a heading of that page (Quarto's heading ids)."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = 'https://scae-nb.github.io/scae-nb/'
NOTEBOOKS = sorted((ROOT / 'nbs').glob('*.ipynb'))
# a link's target: SITE/page.html#anchor, page.html#anchor, ./page.html, #anchor
TARGET = (r'(' + re.escape(SITE) + r'|\./|(?=[\w.-]+\.html)|(?=#))'
          r'([\w.-]*?(?:\.html)?)(#[^)\s"\'<>]*)?')
# [text](target "optional title"), [label]: target, <a href="target">, and a bare URL (in code)
LINK = re.compile(r'\]\(' + TARGET + r'(?:\s+"[^"]*")?\)')
REFERENCE = re.compile(r'^ {0,3}\[[^\]]+\]:\s*<?' + TARGET + r'>?(?:\s|$)', re.M)
HREF = re.compile(r'<a\s[^>]*?href=["\']' + TARGET + r'["\']', re.I)
BARE = re.compile(r'(' + re.escape(SITE) + r')([\w.-]*?(?:\.html)?)(#[\w.-]*[\w-])?(?![\w/#]|-\w)')
SOURCES = [*sorted((ROOT / 'scae_nb').glob('*.py')), *sorted((ROOT / 'tools').glob('*.md')),
           ROOT / 'settings.ini']


def page_name(notebook: Path) -> str:
    "nbdev 2's page of a notebook: the file name without its `NN[a-z]*_` prefix, as .html."
    return re.sub(r'^\d+[a-z]*_', '', notebook.stem) + '.html'


def heading_id(heading: str) -> str:
    "Pandoc's automatic identifier of a heading (what Quarto renders as its id)."
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', heading)          # a link: its text
    text = re.sub(r'[^\w\s.-]', '', text.replace('`', '')).strip().lower()
    return re.sub(r'^[^a-z]+', '', re.sub(r'\s+', '-', text))


def markdown_text(text: str) -> str:
    "Markdown without its fenced code blocks (a `# comment` there is no heading)."
    return re.sub(r'^```.*?^```', '', text, flags=re.M | re.S)


def markdown(notebook: Path) -> str:
    "The notebook's markdown, without fenced code blocks (a `# comment` there is no heading)."
    cells = json.loads(notebook.read_text())['cells']
    return markdown_text('\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown'))


def code(notebook: Path) -> str:
    "The notebook's code cells (their comments and docstrings may name docs pages)."
    cells = json.loads(notebook.read_text())['cells']
    return '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')


def targets(text: str, in_markdown: bool = True) -> list[tuple[str, str]]:
    "(page, #anchor) of each link in `text`: inline, reference-style and <a href> in markdown; else URLs."
    patterns = (LINK, REFERENCE, HREF, BARE) if in_markdown else (BARE,)
    return [(page, anchor) for pattern in patterns for _, page, anchor in pattern.findall(text)]


PAGES = {page_name(nb): {heading_id(h) for h in re.findall(r'^#+\s+(.*)$', markdown(nb), re.M)}
         for nb in NOTEBOOKS}
PAGES.update({md.stem + '.html': {heading_id(h) for h in re.findall(r'^#+\s+(.*)$',
                                                                 markdown_text(md.read_text()), re.M)}
              for md in sorted((ROOT / 'nbs').glob('*.md'))})   # pages of their own (official-scae.md)


def test_heading_id():
    assert heading_id('Results: trained models') == 'results-trained-models'
    assert heading_id('The `Trainer`, step by step') == 'the-trainer-step-by-step'
    assert page_name(Path('nbs/02c_triton.ipynb')) == 'triton.html'
    assert page_name(Path('nbs/05aa_checkpoints.ipynb')) == 'checkpoints.html'
    found = targets('[a](Loaders.html) [b](./data.html#x "t") [c](no-such.html) [d](#top)')
    assert found == [('Loaders.html', ''), ('data.html', '#x'), ('no-such.html', ''), ('', '#top')]
    assert targets('[ref]: model.html#pcae\n  [r2]: <./pcae.html>\n') == [('model.html', '#pcae'),
                                                                          ('pcae.html', '')]
    assert targets('<a class="x" href="training.html#resume">t</a>') == [('training.html', '#resume')]
    assert targets(f'"see {SITE}bench.html#results."', in_markdown=False) == [('bench.html', '#results')]
    assert targets(f'see {SITE}official-scae.html §6', in_markdown=False) == [('official-scae.html', '')]
    assert targets(f'see [x](https://example.org/a.html) and {SITE}', in_markdown=False) == [('', '')]
    assert '# not a heading' not in markdown_text('text\n```\n# not a heading\n```\n')


def test_links_point_to_pages_and_headings():
    sources = {nb.name: (targets(markdown(nb)) + targets(code(nb), False), page_name(nb))
               for nb in NOTEBOOKS}
    sources['README.md'] = (targets((ROOT / 'README.md').read_text()), 'index.html')
    for path in SOURCES:             # the package's docstrings and messages, the tools' notes
        sources[str(path.relative_to(ROOT))] = (targets(path.read_text(), path.suffix == '.md'), None)
    broken = []
    for name, (found, own) in sources.items():
        for page, anchor in found:
            page = page or own or 'index.html'          # `(#anchor)`: the page itself; SITE: index
            if page not in PAGES: broken.append(f'{name}: {page} (no such page)')
            elif anchor and anchor[1:] not in PAGES[page]:
                broken.append(f'{name}: {page}{anchor} (no such heading)')
    assert not broken, '\n'.join(broken)
