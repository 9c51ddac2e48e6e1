"""rv56c #8 and rv56f's note on --force advice: runs set aside in RUN/replaced/ are numbered ID, ID-2, ID-3 as
every other namesake is (branches, folders beside a run), and a refusal that says where `--force` would move the old
run names the folder the move then takes. The first two failed on 29c9e37 (legacy-1; the advice named
replaced/legacy while the move took replaced/legacy-1), the third on 0739f95 (RUN-ID.2).
"""

import shutil

from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review51b import replaced  # noqa: F401 (a fixture: a run set aside in RUN/replaced/ID)


def _bare_config(folder):
    "`folder` holding only a config.json of {} (and any replaced/ it has): a run with no id and no checkpoint."
    folder.mkdir(exist_ok=True)
    for entry in folder.iterdir():
        if entry.name != "replaced": shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (folder / "config.json").write_text("{}")


def test_refusal_names_the_folder_force_then_takes(tmp_path, capfd, quiet_globals):
    "Was: the refusal said 'moved to F/replaced/legacy' while replaced/legacy was taken, and --force took legacy-1."
    folder = tmp_path / "f"
    _bare_config(folder)
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", folder, "--force"], capfd)
    assert rc == 0 and (folder / "replaced" / "legacy").is_dir(), err[-2000:]
    _bare_config(folder)
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", folder], capfd)     # no --force: refused
    promised = folder / "replaced" / "legacy-2"
    assert rc == 2 and f"(the old run is moved to {promised})" in one_line(err), err[-2000:]
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", folder, "--force"], capfd)
    assert rc == 0 and (promised / "config.json").is_file(), err[-2000:]          # where the refusal said
    assert sorted(p.name for p in (folder / "replaced").iterdir()) == ["legacy", "legacy-2"]


def test_a_dangling_link_in_replaced_is_not_reused(tmp_path, capfd, quiet_globals):
    "Was: replaced/ID as a dangling link counted as free (`exists()`), so the move failed on mkdir."
    folder = tmp_path / "g"
    _bare_config(folder)
    (folder / "replaced").mkdir()
    (folder / "replaced" / "legacy").symlink_to(tmp_path / "gone")
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", folder, "--force"], capfd)
    assert rc == 0 and (folder / "replaced" / "legacy-2" / "config.json").is_file(), err[-2000:]


def test_resume_in_a_replaced_run_advises_a_free_folder_numbered_as_namesakes(
    replaced, tmp_path, capfd, quiet_globals  # noqa: F811
):
    "Was: with RUN-ID taken the advice moved the run to RUN-ID.2, a checkpoint's numbering, not RUN-ID-2."
    run = tmp_path / "a"
    shutil.copytree(replaced[0], run, symlinks=True)             # a copy: the advice moves the run
    aside = run / "replaced" / replaced[1].name
    run.with_name(f"{run.name}-{aside.name}").mkdir()            # RUN-ID: taken
    rc, _, err = inproc_main(["train", "--steps", 3, "--resume", "--out", aside], capfd)
    move = one_line(err).partition("move it out first (")[2].partition("), then continue it with ")[0]
    assert (rc, move) == (2, f"mv {aside} {run.with_name(f'{run.name}-{aside.name}-2')}"), err[-2000:]
