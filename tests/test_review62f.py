"""fx62f (rv62a #5, #10): report.json records the versions that decide its numbers and when it was made (UTC,
ISO 8601), and puts the accuracies first, in the file and in `scae-nb eval`'s indented printout; `scae-nb bench`
takes `--no-json` as `eval` does.
"""

import datetime
import json

import pytest

from cli_run import EVAL, TINY, make_synthetic_run, scae


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> tuple:
    "(eval's stdout, report.json as text, the UTC time before the eval): a 2-step synthetic run, evaluated."
    folder = tmp_path_factory.mktemp("fx62f")
    make_synthetic_run(folder)
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    run = scae("eval", "--checkpoint", "syn", "--out", "ev", *EVAL, cwd=folder)
    assert run.returncode == 0, run.stderr
    return run.stdout, (folder / "ev" / "report.json").read_text(encoding="utf-8"), before


def test_the_report_names_the_versions_that_made_it_and_when(evaluated):
    "Was: no version and no date in report.json (rv62a #5)."
    import numpy, scipy, sklearn, torch
    from scae_nb import __version__
    _, written, before = evaluated
    report = json.loads(written)
    assert report["versions"] == {"scae-nb": __version__, "torch": torch.__version__,
                                  "scikit-learn": sklearn.__version__, "numpy": numpy.__version__,
                                  "scipy": scipy.__version__}, report.get("versions")
    assert report["evaluated_at"].endswith("Z"), report["evaluated_at"]            # UTC, said so
    when = datetime.datetime.fromisoformat(report["evaluated_at"].replace("Z", "+00:00"))
    assert before <= when <= datetime.datetime.now(datetime.timezone.utc), (before, when)


def test_the_accuracies_come_before_the_model_settings(evaluated):
    "Was: 30 lines of model_config first, the accuracies after them (rv62a #5)."
    printed, written, _ = evaluated
    for text in (printed, written):
        keys = [line.split('"')[1] for line in text.splitlines() if line.startswith(' "')]   # the top-level keys
        assert keys[:5] == ["note", "posterior_m", "prior_u", "n_train", "n_test"], keys
        assert keys.index("model_config") > keys.index("prior_u"), keys


def test_bench_takes_no_json_as_eval_does():
    "Was: `--json` a plain flag; `scae-nb bench --no-json`: 'unrecognized arguments' (rv62a #10)."
    from scae_nb.bench import add_bench_args
    import argparse
    parser = add_bench_args(argparse.ArgumentParser())
    assert parser.parse_args(["--no-json"]).json is False and parser.parse_args(["--json"]).json is True
    assert parser.parse_args([]).json is False
