"""fx62k: a run folder whose path holds a byte that is not UTF-8 ($'tr\\xff') is trained, resumed and evaluated
(config.json written with `utf8`, not a strict .encode('utf-8')); bench's --amp advice names the +amp variants too
(rv62e #3); eval says at once, once, that no figures will be drawn (rv62a #1).
"""

import json
import os
import warnings
from pathlib import Path

import pytest

from cli_run import REPORT, SYNTHETIC_TINY, broken_torchvision, without_bfloat16
from test_reliability import inproc_main
from test_reliability import quiet_globals  # noqa: F401 (a fixture)


# ---- 1. a path with a byte that is not UTF-8: train, resume, eval
def test_1_train_resume_eval_into_a_path_not_utf8(tmp_path, capfd, quiet_globals):
    "Was: the run trains, then \"'utf-8' codec can't encode character '\\udcff' ... surrogates not allowed\"."
    run = os.fsdecode(os.fsencode(str(tmp_path)) + b"/tr\xff")  # '...tr\udcff', as sys.argv has it
    rc, _, err = inproc_main(["train", *SYNTHETIC_TINY, "--steps", "2", "--out", run], capfd)
    assert rc == 0, err[-2000:]
    config = json.loads((tmp_path / os.path.basename(run) / "config.json").read_bytes())
    info = json.loads((tmp_path / os.path.basename(run) / "run.json").read_bytes())
    assert config["out"] == run and info["folder"] == run, (config["out"], info.get("folder"))
    rc, _, err = inproc_main(["train", "--resume", "--out", run, "--steps", "3", "--no-progress"], capfd)
    assert rc == 0, err[-2000:]
    assert "config.json" not in err, err[-2000:]  # no "config.json: ... not used" (as if edited)
    assert json.loads((tmp_path / os.path.basename(run) / "config.json").read_bytes())["steps"] == 3
    report = os.fsdecode(os.fsencode(str(tmp_path)) + b"/ev\xff")
    checkpoint = f"{run}/checkpoints/step_00000003.pt"
    rc, _, err = inproc_main(["eval", "--checkpoint", checkpoint, "--max-batches", "2", "--no-figures",
                              "--no-progress", "--out", report], capfd)
    assert rc == 0, err[-2000:]
    written = json.loads((tmp_path / os.path.basename(report) / "report.json").read_bytes())
    assert written["out"] == report and written["checkpoint"] == checkpoint, written


# ---- 2. bench --amp with a +amp variant in --variants: the advice drops both (rv62e #3)
@pytest.mark.parametrize("variants", ["eager+amp", "eager+amp,eager"])
def test_2_bench_amp_advice_names_the_amp_variants(variants, capfd, quiet_globals, tmp_path, monkeypatch):
    """Was: '--amp: ...; drop --amp to run in float32', which still times eager+amp (it is in --variants).
    This process and each variant's own see a CPU without bfloat16 (`without_bfloat16`): any x86 CPU runs it."""
    import torch

    from scae_nb.step import cpu_computes_bfloat16

    if cpu_computes_bfloat16() is None: pytest.skip("not an x86 CPU (or torch has no checks): no slow-amp warning")
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    monkeypatch.setenv("PYTHONPATH", without_bfloat16(tmp_path / "site")["PYTHONPATH"])   # each variant's process
    rc, _, err = inproc_main(["bench", "--batch-size", "8", "--n-parts", "4", "--n-objects", "3", "--no-progress",
                              "--steps", "1", "--warmup", "1", "--backend", "eager", "--variants", variants, "--amp"],
                             capfd)
    assert rc == 0, err[-2000:]
    said = [line for line in err.splitlines() if "bfloat16" in line]
    assert len(said) == 1 and "the eager+amp variant: this CPU has no bfloat16" in said[0], said
    assert said[0].endswith("drop --amp and the +amp variants to time float32 only"), said


# ---- 3. eval: a torchvision that does not import is said at once, once; the accuracies go on (rv62a #1)
@pytest.fixture
def tiny_checkpoint(tmp_path, capfd, quiet_globals):
    rc, _, err = inproc_main(["train", *SYNTHETIC_TINY, "--steps", "1", "--out", tmp_path / "run"], capfd)
    assert rc == 0, err[-2000:]
    return tmp_path / "run" / "checkpoints" / "step_00000001.pt"


def test_3_eval_figures_unavailable_said_once_at_start(tmp_path, capfd, tiny_checkpoint):
    "Was: nothing till the figures, then 'the report is written (...), but no figures were drawn: ...'."
    from scae_nb.runtime import figures_unavailable

    with broken_torchvision():
        why = figures_unavailable()
        rc, out, err = inproc_main(["eval", "--checkpoint", tiny_checkpoint, "--max-batches", "2", "--no-progress",
                                    "--out", tmp_path / "rep"], capfd)
    assert rc == 0, err[-2000:]
    said = [line for line in err.splitlines() if "figures" in line and "drawn" in line]
    assert said == [f"scae-nb eval: warning: no figures will be drawn: {why}; the accuracies go on"], said
    report = json.loads((tmp_path / "rep" / "report.json").read_bytes())
    assert report["figures"] == [] and why in report["figures_failed"], report.get("figures_failed")
    assert "posterior_m" in report and not list((tmp_path / "rep").glob("*.png"))


def test_3_evaluate_checkpoint_warns_once(tmp_path, tiny_checkpoint):
    "From Python: one warning, at the start; none after the report."
    from scae_nb.evaluation import evaluate_checkpoint
    from scae_nb.runtime import figures_unavailable

    with broken_torchvision(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        why = figures_unavailable()
        report = evaluate_checkpoint(tiny_checkpoint, out=tmp_path / "rep", max_batches=2, progress=False)
    said = [str(w.message) for w in caught if "figures" in str(w.message)]
    assert said == [f"no figures will be drawn: {why}; the accuracies go on"], said
    assert report["figures"] == [] and why in report["figures_failed"], report.get("figures_failed")


def test_1_repointed_report_of_a_path_not_utf8(tmp_path):
    "Was: _repoint_reports' .encode('utf-8'): 'surrogates not allowed' as a branch or a replaced run moved."
    from scae_nb.checkpoints import _repoint_reports

    base = os.fsdecode(os.fsencode(str(tmp_path)) + b"/r\xff")
    old, new, folder = f"{base}/run", f"{base}/moved", tmp_path / "rep"
    folder.mkdir()
    os.makedirs(old)
    report = {**REPORT, "checkpoint": f"{old}/checkpoints/step_00000003.pt"}
    (folder / "report.json").write_text(json.dumps(report, indent=1))  # ASCII: \udcff escaped
    _repoint_reports([folder], {Path(old).resolve(): Path(new)})
    written = json.loads((folder / "report.json").read_bytes())
    assert written["checkpoint"] == f"{new}/checkpoints/step_00000003.pt", written
