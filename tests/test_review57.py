"""rv56c #8, rv56f #2 and rv56f's note on --force advice: runs set aside in RUN/replaced/ are numbered ID, ID-2, ID-3 as
every other namesake is (branches, folders beside a run), and a refusal that says where `--force` would move the old
run names the folder the move then takes. The first two failed on 29c9e37 (legacy-1; the advice named
replaced/legacy while the move took replaced/legacy-1), the third on 0739f95 (RUN-ID.2). A report that moves with
its branch or its run names the checkpoint, its folder and figures where they are now (failed on bfd8fba); an
evaluation inside another evaluation's folder is refused (rv56c #6; accepted, rc 0, on aa249a6); `eval --checkpoint
RUN/checkpoints/superseded` names the branches in it (rv57a #13; failed on 56426b8); a new run inside a run set
aside in RUN/replaced/ID is advised as inside RUN (rv57a #2; failed on d271175); --force says a run id ending in -N
whole (failed on d672ace); a link named RUN/replaced or RUN/checkpoints/superseded is refused, and a one-element
tensor decay steps as its number (rv57b #1, #2; failed on dad28c6).
"""

import json
import shutil

from test_reliability import TINY, inproc_main, one_line
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review51b import replaced  # noqa: F401 (a fixture: a run set aside in RUN/replaced/ID)
from test_review54d import MNIST_TINY, mnist_data  # noqa: F401 (a fixture: a linked MNIST folder)


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
    assert rc == 2 and f"(the earlier files are moved to {promised})" in one_line(err), err[-2000:]
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


# ---- rv56f #2: a report that moves with its branch, or with its run on --force, names where its files are now
def _evaluate(checkpoint, capfd):
    rc, _, err = inproc_main(["eval", "--checkpoint", checkpoint, "--max-batches", 2, "--no-progress",
                              "--no-figures"], capfd)
    assert rc == 0, err[-2000:]
    return err


def test_a_moved_report_names_its_checkpoint_where_it_is_now(mnist_data, tmp_path, capfd, quiet_globals):
    "Was: the moved report kept the old path, and evaluating the moved checkpoint said '--checkpoint OLD -> NEW'."
    run = tmp_path / "r"
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 2, "--ckpt-every", 1, "--out", run], capfd)
    assert rc == 0, err[-2000:]
    _evaluate(run / "checkpoints" / "step_00000002.pt", capfd)                  # into r/eval/step_00000002
    rc, _, err = inproc_main(["train", "--resume", run / "checkpoints" / "step_00000001.pt", "--steps", 2,
                              "--no-progress"], capfd)                          # the branch: set aside
    assert rc == 0, err[-2000:]
    aside = (run / "checkpoints" / "superseded" / "from_step_00000001").resolve()
    report = json.loads((aside / "eval" / "step_00000002" / "report.json").read_text())
    assert (report["checkpoint"], report["out"]) == (str(aside / "step_00000002.pt"),
                                                     str(aside / "eval" / "step_00000002")), report
    err = _evaluate(aside / "step_00000002.pt", capfd)                          # the same file again
    said = [line for line in err.splitlines() if "replacing the earlier evaluation" in line]
    assert len(said) == 1 and "->" not in said[0], err[-2000:]
    old_id = json.loads((run / "run.json").read_text())["run_id"]
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 1, "--out", run, "--force"], capfd)
    assert rc == 0, err[-2000:]
    dest = (run / "replaced" / old_id).resolve()
    moved = dest / "checkpoints" / "superseded" / "from_step_00000001"
    report = json.loads((moved / "eval" / "step_00000002" / "report.json").read_text())
    assert (report["checkpoint"], report["out"]) == (str(moved / "step_00000002.pt"),
                                                     str(moved / "eval" / "step_00000002")), report


# ---- rv56c #6: an evaluation inside another evaluation's folder is refused
def test_eval_inside_another_evaluation_is_refused(tmp_path, capfd, quiet_globals):
    "Was: `eval --out EV/more` (EV an evaluation's folder) accepted, rc 0: its files inside the other's."
    run = tmp_path / "t"
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", run], capfd)
    assert rc == 0, err[-2000:]
    evaluated = tmp_path / "ev"
    evaluated.mkdir()
    (evaluated / "report.json").write_text(json.dumps(dict(checkpoint="c.pt", steps=1, wall_s=1.0)))
    out = evaluated / "more"
    rc, _, err = inproc_main(["eval", "--checkpoint", run / "checkpoints" / "step_00000001.pt", "--out", out,
                              "--max-batches", 2, "--no-progress", "--no-figures"], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --out {out}: inside the evaluation in {evaluated.resolve()} (its report.json); the two "
        "evaluations' files would mix: choose a folder outside it")), err[-2000:]
    assert not out.exists()


# ---- rv57a #13: eval --checkpoint RUN/checkpoints/superseded names the branches in it
def test_eval_of_the_folder_of_branches_names_them(tmp_path, capfd, quiet_globals):
    "Was: 'a folder with no checkpoint in .../superseded/checkpoints: give a checkpoint file ... or a run folder'."
    run = tmp_path / "b"
    for more in (["--steps", 2, "--ckpt-every", 1], ["--resume", run / "checkpoints" / "step_00000001.pt", "--steps", 2]):
        rc, _, err = inproc_main(["train", *TINY, "--out", run, *more], capfd)
        assert rc == 0, err[-2000:]
    superseded = run / "checkpoints" / "superseded"
    rc, _, err = inproc_main(["eval", "--checkpoint", superseded, "--max-batches", 2, "--no-progress"], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb eval: error: --checkpoint {superseded}: no checkpoint in it, but a folder that holds checkpoints "
        f"(from_step_00000001): give one of them as a file, e.g. {superseded / 'from_step_00000001' / 'step_00000002.pt'}"
    )), err[-2000:]


# ---- rv57a #2: a new run inside a run set aside in RUN/replaced/ID is advised as inside RUN, and the advice works
def test_new_run_inside_a_replaced_run_is_advised_beside_the_outer_run(tmp_path, capfd, quiet_globals):
    "Was: 'choose a folder beside it, such as RUN/replaced/ID-2, or ... --resume --out RUN/replaced/ID': both refused."
    run = tmp_path / "r1"
    for more in ([], ["--force"]):
        rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", run, *more], capfd)
        assert rc == 0, err[-2000:]
    aside = next((run / "replaced").iterdir())
    out = aside / "sub"
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", out], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --out {out}: is inside the training run {run}, and a run there would mix with its "
        f"files: choose a folder beside it, such as {run.with_name('r1-2')}, or continue that run with --resume "
        f"--out {run}")), err[-2000:]
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", run.with_name("r1-2")], capfd)   # as advised
    assert rc == 0, err[-2000:]


# ---- fx57a's note: a run id of its own ending in -N is said whole when --force sets the run aside
def test_force_says_a_run_id_ending_in_a_number_whole(tmp_path, capfd, quiet_globals):
    "Was: 'the run run in OUT was moved to OUT/replaced/run-2': the -2 taken for first_free's numbering."
    folder = tmp_path / "n"
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps({"run_id": "run-2"}))     # a run at its start, a hand-made id
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", folder, "--force"], capfd)
    said = [line for line in err.splitlines() if "moved to" in line]
    assert (rc, said) == (0, [f"scae-nb train: the run run-2 in {folder} was moved to {folder / 'replaced' / 'run-2'}"]), \
        err[-2000:]


# ---- rv57b #1, #2: a link named RUN/replaced or RUN/checkpoints/superseded is refused; a tensor decay steps
def test_a_link_named_replaced_or_superseded_is_refused(tmp_path, capfd, quiet_globals):
    "Was: followed, rc 0: the old run moved into the new run's checkpoints/ (link to checkpoints), or out of RUN."
    run = tmp_path / "d"
    rc, _, err = inproc_main(["train", *TINY, "--steps", 2, "--ckpt-every", 1, "--out", run], capfd)
    assert rc == 0, err[-2000:]
    (run / "replaced").symlink_to("checkpoints")
    rc, _, err = inproc_main(["train", *TINY, "--steps", 1, "--out", run, "--force"], capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: {run / 'replaced'} is a link to checkpoints, not the folder where --force sets the "
        "old run aside: move it, or choose another --out")), err[-2000:]
    (run / "replaced").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (run / "checkpoints" / "superseded").symlink_to(elsewhere)
    rc, _, err = inproc_main(["train", "--resume", run / "checkpoints" / "step_00000001.pt", "--steps", 2,
                              "--no-progress"], capfd)
    assert rc == 2 and f"{run / 'checkpoints' / 'superseded'} is a link to {elsewhere}, not the folder" in err, \
        err[-2000:]
    assert sorted(p.name for p in (run / "checkpoints").glob("step_*.pt")) == ["step_00000001.pt", "step_00000002.pt"]
    assert list(elsewhere.iterdir()) == []                                 # nothing moved there


def test_a_one_element_tensor_decay_steps_as_its_number():
    "Was: accepted, then `step()` raised numpy's 'only 0-dimensional arrays can be converted to Python scalars'."
    import torch

    from scae_nb.optim import TFRMSprop
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in range(2)]
    for param, decay in zip(params, (torch.tensor([0.5]), 0.5)):
        opt = TFRMSprop([param], lr=1e-3, decay=decay)
        param.grad = torch.ones(2)
        opt.step()
    assert torch.equal(params[0], params[1]), params
