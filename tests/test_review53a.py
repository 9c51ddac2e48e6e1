"""Fixes from review 53 (fx53a), through `scae-nb` in this process (tiny CPU runs).

A resume through a chain of links to a run set aside in RUN/replaced/ID is refused with advice that
re-points the link leading into replaced/, so that every link of the chain leads to the moved run;
`tools/make_pretrained.py` names its options as typed. Each test fails on the code before these fixes.
"""

import shutil
import subprocess

from test_reliability import checkpoints, inproc_main, one_line, quiet_globals  # noqa: F401
from test_review51b import replaced  # noqa: F401


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
