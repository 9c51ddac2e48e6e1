"""fx61e (rv61a #5, #6): the README's table of report.json's keys names every accuracy `eval` writes, and the errors
that the docstrings of `evaluate_checkpoint`, `pretrained_check` and `results_markdown` name are the ones raised.
"""

import re
from pathlib import Path

import pytest

from scae_nb.analysis import _METRICS
from scae_nb.checkpoints import CheckpointError
from scae_nb.evaluation import evaluate_checkpoint, pretrained_check, results_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_readme_maps_its_words_to_every_key_of_the_report():
    "Was: no table; the README said 'm k-means', 'linear', 'probe' and never named report.json's keys."
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"\| the words here \| key in `posterior_m` / `prior_u` \|.*?\n\n", text, re.S)
    assert table, "the README's table of report.json's keys is missing"
    named = set(re.findall(r"`([a-z_]+)`", table.group(0))) - {"posterior_m", "prior_u"}
    assert named == set(_METRICS), named ^ set(_METRICS)


BOTH = ("give exactly one of checkpoint (a file or run folder) and pretrained (a model name): got checkpoint='x.pt' "
        "and pretrained='mnist-cpu'")


@pytest.mark.parametrize("kwargs, error, line", [
    (dict(checkpoint="x.pt", pretrained="mnist-cpu"), ValueError, BOTH),                     # both given
    (dict(checkpoint="x.pt", max_batches=0), ValueError, "max_batches must be a positive integer, got 0"),
    (dict(checkpoint="no_such_checkpoint.pt"), FileNotFoundError, None),
    (dict(checkpoint="bad.pt"), CheckpointError, None),                                     # a damaged checkpoint
])
def test_evaluate_checkpoint_raises_what_its_docstring_names(kwargs, error, line, tmp_path, monkeypatch):
    "The ValueErrors: their one line, whole (any other ValueError, raised before the check, is not the one named)."
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(error, match=line and f"^{re.escape(line)}$"):
        evaluate_checkpoint(progress=False, figures=False, **kwargs)


def test_pretrained_check_and_results_markdown_raise_what_their_docstrings_name():
    with pytest.raises(ValueError, match="n_test"): pretrained_check("mnist-cpu", n_test=0)
    with pytest.raises(FileNotFoundError): pretrained_check("no-such-model")
    with pytest.raises(KeyError): results_markdown([("a run", {}, None, 60.0)], "a CPU")
