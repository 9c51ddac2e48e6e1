"""Fixes from review 53 (fx53a), through `scae-nb` in this process (tiny CPU runs).

A resume through a chain of links to a run set aside in RUN/replaced/ID is refused with advice that
re-points the link leading into replaced/, so that every link of the chain leads to the moved run;
`tools/make_pretrained.py` names its options as typed. Each test fails on the code before these fixes.
"""

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import torch

from scae_nb.model import SCAEConfig, build_model

from test_reliability import checkpoints, inproc_main, one_line, quiet_globals  # noqa: F401
from test_review51b import replaced  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


def test_a_chain_of_links_to_a_replaced_run_is_repointed_where_it_leads_in(
    replaced, tmp_path, capfd, quiet_globals  # noqa: F811
):
    """Was: the advice re-pointed only the outer link (`ln -sfn FREE LINK2`), leaving LINK, which
    leads into replaced/, dangling once the run was moved."""
    run = tmp_path / "a"
    shutil.copytree(replaced[0], run, symlinks=True)  # a copy: the advice moves the run
    aside = run / "replaced" / replaced[1].name
    link, link2 = tmp_path / "link", tmp_path / "link2"
    link.symlink_to(aside)
    link2.symlink_to(link)
    rc, _, err = inproc_main(["train", "--steps", 3, "--resume", "--out", link2], capfd)
    assert rc == 2, f"exit {rc}: {err[-2000:]}"
    line = one_line(err)
    move = line.partition("move it out first (")[2].partition("), then continue it with ")[0]
    free = run.with_name(f"{run.name}-{aside.name}")
    assert move == f"mv {aside} {free} && ln -sfn {free} {link}", line
    assert line.endswith(f"then continue it with --resume --out {link2}"), line
    subprocess.run(["bash", "-c", move], check=True)  # the advice, literally
    assert link2.resolve() == link.resolve() == free, (link2.resolve(), link.resolve())
    assert not aside.exists()
    rc, _, err = inproc_main(["train", "--steps", 3, "--resume", "--out", link2], capfd)
    assert rc == 0, f"exit {rc}: {err[-2000:]}"
    assert [p.name for p in checkpoints(free)][-1] == "step_00000003.pt", checkpoints(free)


def test_make_pretrained_names_its_data_dir_option(tmp_path):
    """Was: a traceback ending `UsageError: data_dir='...': is a file, not a folder`, Python's words
    from a command-line tool. It runs on a copy of the package: it writes the model into its weights/."""
    package = tmp_path / "lib" / "scae_nb"
    shutil.copytree(ROOT / "scae_nb", package, ignore=shutil.ignore_patterns("__pycache__"))
    config = SCAEConfig(n_parts=4, n_objects=4)
    weights, card, a_file = tmp_path / "weights.pt", tmp_path / "card.json", tmp_path / "a_file"
    run = dict(model=dataclasses.asdict(config), dataset="mnist")  # a training checkpoint's config
    torch.save(dict(model=build_model(config).state_dict(), config=run, step=1), weights)
    card.write_text("{}"), a_file.write_text("")
    tool = [sys.executable, ROOT / "tools" / "make_pretrained.py", "tiny", weights, card, "--data-dir", a_file]
    env = {**os.environ, "PYTHONPATH": str(package.parent)}
    res = subprocess.run([str(a) for a in tool], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2, f"exit {res.returncode}: {res.stderr[-2000:]}"
    assert one_line(res.stderr) == f"make_pretrained: error: --data-dir {a_file}: is a file, not a folder"
