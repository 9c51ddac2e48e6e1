"""fx62a (rv61c #4, #6, rv61b #9, fx61j): `bench --variants eager+amp` names the variant it was given, not `--amp`;
`eval --out LOOP` says "a link that leads nowhere (a loop of links)" as `--checkpoint LOOP` does; a refused `eval` of
a synthetic run prints its error only (the random-labels warning comes after every refusal); report.json keeps a
non-ASCII path as it is.
"""

import inspect
import json
import sys
from pathlib import Path

import pytest

from cli_run import EVAL, ROOT, TINY, make_synthetic_run, scae, without_bfloat16

NOTE = ("the model was trained on the synthetic data (dataset 'synthetic'), whose labels are random: "
        "its accuracies measure nothing")


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory) -> Path:
    "A 2-step run on the synthetic data (random labels), in a folder of its own."
    return make_synthetic_run(tmp_path_factory.mktemp("fx62a"))


def test_a_refused_eval_of_a_synthetic_run_prints_only_its_error(synthetic_run):
    "Was: the random-labels warning, then the refusal of --batch-size (found once the data's size was known)."
    from scae_nb.runtime import synthetic_loaders

    n_train = inspect.signature(synthetic_loaders).parameters["n_train"].default   # the synthetic set's size
    run = scae("eval", "--checkpoint", str(synthetic_run), "--batch-size", "100000000", *EVAL, cwd=synthetic_run.parent)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [f"scae-nb eval: error: --batch-size 100000000 exceeds the {n_train} training "
                                       "images (train-split batches are whole, in training and evaluation alike: an "
                                       "epoch would have none)"], run.stderr


@pytest.mark.parametrize("links, out, why", [
    ((("loop1", "loop2"), ("loop2", "loop1")), "loop1", "is a link that leads nowhere (a loop of links)"),
    ((("gone", "nowhere"),), "gone", "is a link that leads nowhere (to nowhere, which is not there)"),
    ((("loop1", "loop2"), ("loop2", "loop1")), "loop1/ev", "lies under loop1, which is a link that leads nowhere "
                                                           "(a loop of links)"),
])
def test_an_out_that_leads_nowhere_is_said_as_the_checkpoint_s(links, out, why, tmp_path):
    "Was: `--out loop1: is a broken link (to loop2)`, where --checkpoint says 'a link that leads nowhere (a loop of links)'."
    for name, target in links: (tmp_path / name).symlink_to(target)
    run = scae("eval", "--pretrained", "mnist-cpu", "--out", out, *EVAL, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [f"scae-nb eval: error: --out {out}: {why}"], run.stderr


def test_report_json_keeps_a_non_ascii_path_as_it_is(synthetic_run):
    "Was: `\\u00fcn\\u00ef c\\u00f6d\\u00e9` in report.json, hard for a person to read."
    out = synthetic_run.parent / "ünï cödé" / "ev"
    run = scae("eval", "--checkpoint", str(synthetic_run), "--out", str(out), *EVAL, cwd=synthetic_run.parent)
    assert run.returncode == 0, run.stderr
    assert [line for line in run.stderr.splitlines() if "random" in line] == [f"scae-nb eval: warning: {NOTE}"]
    text = (out / "report.json").read_bytes().decode("utf-8")
    assert "ünï cödé" in text and "\\u00fc" not in text, text
    assert json.loads(text)["out"] == str(out)


def test_bench_names_the_amp_variant_it_was_given(tmp_path):
    """Was: `--amp: this CPU has no bfloat16 instructions ...; drop --amp to run in float32`, where no --amp was typed.
    Its processes see a CPU without bfloat16 (`without_bfloat16`), so it runs on CPUs with AVX-512 BF16 or AMX too."""
    sys.path.insert(0, str(ROOT))
    from scae_nb.step import cpu_computes_bfloat16
    if cpu_computes_bfloat16() is None: pytest.skip("not an x86 CPU (or torch has no checks): nothing is said")
    run = scae("bench", "--preset", "cpu", "--batch-size", "4", "--n-parts", "4", "--n-objects", "3", "--steps", "1",
               "--warmup", "1", "--no-progress", "--device", "cpu", "--variants", "eager+amp", cwd=tmp_path,
               env=without_bfloat16(tmp_path / "site"))
    assert run.returncode == 0, run.stderr
    said = [line for line in run.stderr.splitlines() if "bfloat16" in line]
    assert said == ["scae-nb bench: warning: the eager+amp variant: this CPU has no bfloat16 instructions (AVX-512 "
                    "BF16 or AMX), so bfloat16 is emulated and each step runs several times slower than float32 "
                    "(05ab_step); drop the +amp variants from --variants to time float32 only"], run.stderr
