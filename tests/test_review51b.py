"""Run-folder fixes from review 51 (fx51b), through `scae-nb` in this process (tiny CPU runs).

A checkpoint of another model copied into a run's checkpoints/ as its newest is refused in one line
by `--resume` and by `eval --checkpoint RUN`, before anything is written; a run set aside in
RUN/replaced/ID is not resumed where it lies, inside another run's folder. Each test fails on the
code before these fixes.
"""

import json
import shutil
from pathlib import Path

import pytest

from test_reliability import TINY, _tiny_without, checkpoints, inproc_main, one_line, quiet_globals  # noqa: F401
from test_runfolder import snapshot


def tiny(out, steps, *extra) -> list:
    "A tiny run of 4 parts, or (`extra`: `--n-parts 3`) another model."
    parts = [] if "--n-parts" in extra else ["--n-parts", "4"]
    return ["train", *_tiny_without("--n-parts"), *parts, "--steps", steps, "--out", out, *extra]


@pytest.fixture(scope="module")
def two_models(tmp_path_factory) -> Path:
    "Finished tiny runs a/ (4 parts, 2 steps) and b/ (3 parts, 3 steps). Do not modify: copy them."
    from scae_nb.cli import main

    root = tmp_path_factory.mktemp("two_models")
    assert main([str(a) for a in tiny(root / "a", 2)]) == 0
    assert main([str(a) for a in tiny(root / "b", 3, "--n-parts", 3)]) == 0
    return root


def with_foreign_newest(two_models: Path, out: Path, run_json: bool) -> Path:
    "A copy of run a with b's checkpoint (another model) copied in as its newest; `run_json`: kept."
    shutil.copytree(two_models / "a", out)
    shutil.copy(checkpoints(two_models / "b")[-1], out / "checkpoints")
    if not run_json:
        (out / "run.json").unlink()  # moved aside when damaged: run.json says so
    return checkpoints(out)[-1]


@pytest.mark.parametrize("run_json", [True, False], ids=["run.json", "no run.json"])
def test_resume_of_another_models_checkpoint_is_one_line(two_models, tmp_path, capfd, quiet_globals, run_json):
    "Was: without run.json, b's model resumed silently in a's folder, its config.json overwritten."
    out = tmp_path / "a"
    foreign = with_foreign_newest(two_models, out, run_json)
    before = snapshot(out)
    rc, _, err = inproc_main(["train", "--resume", "--out", out, "--steps", 4], capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    line = one_line(err)
    assert f"{foreign} is a checkpoint of another model than the run in {out}" in line, line
    assert "--n-parts 3, where" in line and "--n-parts 4" in line, line
    assert snapshot(out) == before, "the refused resume changed the run folder"


def test_eval_of_a_run_whose_newest_is_another_models_is_one_line(two_models, tmp_path, capfd, quiet_globals):
    "Was: b's model evaluated as run a's newest checkpoint, its report written in a/eval."
    out = tmp_path / "a"
    foreign = with_foreign_newest(two_models, out, run_json=True)
    before = snapshot(out)
    rc, _, err = inproc_main(["eval", "--checkpoint", out, "--device", "cpu", "--no-progress"], capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    assert f"{foreign} is a checkpoint of another model than the run in {out}" in one_line(err), err
    assert snapshot(out) == before, "the refused evaluation changed the run folder"


@pytest.fixture(scope="module")
def replaced(tmp_path_factory) -> tuple:
    "(RUN, RUN/replaced/ID): run a set aside by a new run started over it with --force."
    from scae_nb.cli import main

    run = tmp_path_factory.mktemp("replaced") / "a"
    assert main([str(a) for a in tiny(run, 2)]) == 0
    old = json.loads((run / "run.json").read_text())["run_id"]
    assert main([str(a) for a in tiny(run, 1, "--force")]) == 0
    assert (run / "replaced" / old / "checkpoints").is_dir()
    return run, run / "replaced" / old


@pytest.mark.parametrize("how", ["--resume --out", "--resume PATH"])
def test_resume_of_a_replaced_run_where_it_lies_is_refused(replaced, capfd, quiet_globals, how):
    "Was: it trained there, writing checkpoints inside another run's folder."
    run, aside = replaced
    before = snapshot(run)
    resume = ["--resume", "--out", aside] if how == "--resume --out" else ["--resume", checkpoints(aside)[-1]]
    rc, _, err = inproc_main(["train", "--steps", 3, *resume], capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    line = one_line(err)
    free = run.with_name(f"{run.name}-{aside.name}")
    assert f"move it out first (mv {aside} {free}), then continue it with --resume --out {free}" in line, line
    assert snapshot(run) == before, "the refused resume changed the run folder"


@pytest.mark.parametrize("how", ["--resume", "", "--force"])
def test_a_link_to_a_replaced_run_is_refused_as_the_run_is(replaced, tmp_path, capfd, quiet_globals, how):
    """Was: the mv advice moved the link (a resume there was refused again, forever), and `--out LINK --force`
    trained a new run inside RUN/replaced/ID (without --force the line suggested --force)."""
    run, aside = replaced
    link = tmp_path / "lnk"
    link.symlink_to(aside)
    before = snapshot(run)
    args = ["--resume", "--out", link, "--steps", 3] if how == "--resume" else tiny(link, 1, *[how] * bool(how))
    rc, _, err = inproc_main(["train", *args] if how == "--resume" else args, capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    line = one_line(err)
    real = aside.resolve()
    free = real.parent.parent.with_name(f"{run.name}-{aside.name}")
    move = f"mv {real} {free} && ln -sfn {free} {link}"  # the link then leads to the moved run
    assert f"move it out first ({move}), then continue it with --resume --out {link}" in line, line
    assert "--force to start over" not in line, line
    assert snapshot(run) == before, "the refused run changed the run folder"
