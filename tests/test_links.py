"""Links between the docs pages point somewhere: every page a notebook or the README links to is a
page nbdev makes, and every `#anchor` is a heading of that page (Quarto's heading ids)."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = 'https://scae-nb.github.io/scae-nb/'
NOTEBOOKS = sorted((ROOT / 'nbs').glob('*.ipynb'))
# [text](SITE/page.html#anchor), (page.html#anchor), (./page.html), (#anchor), each with an optional "title"
LINK = re.compile(r'\]\((' + re.escape(SITE) + r'|\./|(?=[\w.-]+\.html)|(?=#))([\w.-]*?(?:\.html)?)'
                  r'(#[^)\s]*)?(?:\s+"[^"]*")?\)')


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


PAGES = {page_name(nb): {heading_id(h) for h in re.findall(r'^#+\s+(.*)$', markdown(nb), re.M)}
         for nb in NOTEBOOKS}


def test_heading_id():
    assert heading_id('Results: trained models') == 'results-trained-models'
    assert heading_id('The `Trainer`, step by step') == 'the-trainer-step-by-step'
    assert page_name(Path('nbs/02c_triton.ipynb')) == 'triton.html'
    assert page_name(Path('nbs/05aa_checkpoints.ipynb')) == 'checkpoints.html'
    found = LINK.findall('[a](Loaders.html) [b](./data.html#x "t") [c](no-such.html) [d](#top)')
    assert [(page, anchor) for _, page, anchor in found] == [
        ('Loaders.html', ''), ('data.html', '#x'), ('no-such.html', ''), ('', '#top')]
    assert '# not a heading' not in markdown_text('text\n```\n# not a heading\n```\n')



def test_links_point_to_pages_and_headings():
    sources = {nb.name: (markdown(nb), page_name(nb)) for nb in NOTEBOOKS}
    sources['README.md'] = ((ROOT / 'README.md').read_text(), 'index.html')
    broken = []
    for name, (text, own) in sources.items():
        for _, page, anchor in LINK.findall(text):
            page = page or own                                  # `(#anchor)`: the page itself
            if page not in PAGES: broken.append(f'{name}: {page} (no such page)')
            elif anchor and anchor[1:] not in PAGES[page]:
                broken.append(f'{name}: {page}{anchor} (no such heading)')
    assert not broken, '\n'.join(broken)
