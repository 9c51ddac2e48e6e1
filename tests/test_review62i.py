"""fx62i: train's refusals of links that lead nowhere (--out, --resume, --data-dir; eval's --data-dir too), said as
eval says them; report.json re-pointed as UTF-8; a new run inside an evaluation's folder; a torchvision that does not
import, said when training starts, not at its first figure (rv62a #1).
"""

import json
import warnings

import pytest

from cli_run import REPORT, SYNTHETIC_TINY, broken_torchvision, make_eval_folder
from test_reliability import inproc_main
from test_reliability import quiet_globals  # noqa: F401 (a fixture)

LOOP = "a link that leads nowhere (a loop of links)"


@pytest.fixture
def links(tmp_path):
    "loop1 <-> loop2 (a loop of links), dangling -> missing (not there)."
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "dangling").symlink_to("missing")
    return tmp_path


def _refused(argv, capfd) -> str:
    rc, _, err = inproc_main(argv, capfd)
    lines = [l for l in err.splitlines() if l.strip()]
    assert rc == 2 and len(lines) == 1, err[-2000:]
    return lines[0]


# ---- 1. links that lead nowhere: eval's words, one line, exit 2
def test_1_out_a_loop_of_links(links, capfd, quiet_globals):
    "Was: rc 1, Python's \"Symlink loop from '/tmp/.../loop1'\"."
    line = _refused(["train", *SYNTHETIC_TINY, "--steps", "2", "--out", links / "loop1"], capfd)
    assert line.endswith(f"--out {links / 'loop1'}: is {LOOP}"), line
    line = _refused(["train", *SYNTHETIC_TINY, "--steps", "2", "--out", links / "loop1" / "run"], capfd)
    assert line.endswith(f"--out {links / 'loop1' / 'run'}: lies under {links / 'loop1'}, which is {LOOP}"), line


def test_1_resume_a_link_that_leads_nowhere(links, capfd, quiet_globals):
    "Was: '--resume X: no such file or folder'."
    line = _refused(["train", "--resume", links / "loop1", "--out", links / "run", "--no-progress"], capfd)
    assert line.endswith(f"--resume {links / 'loop1'}: is {LOOP}"), line
    line = _refused(["train", "--resume", links / "dangling", "--no-progress"], capfd)
    assert line.endswith(f"--resume {links / 'dangling'}: is a link that leads nowhere (to missing, which is "
                         "not there)"), line


@pytest.mark.parametrize("command", ["train", "eval"])
def test_1_data_dir_a_loop_of_links(links, capfd, quiet_globals, command):
    "Was: '--data-dir X: no such folder'."
    argv = ["train", *SYNTHETIC_TINY, "--steps", "2", "--out", links / "run"] if command == "train" else [
        "eval", "--pretrained", "mnist-cpu", "--out", links / "rep"]
    line = _refused([*argv, "--data-dir", links / "loop1"], capfd)
    assert line.endswith(f"--data-dir {links / 'loop1'}: is {LOOP}"), line


# ---- 2. a report re-pointed keeps its text as it is (UTF-8, not \u-escaped)
def test_2_repointed_report_is_utf8(tmp_path):
    "Was: json.dumps' default ensure_ascii, 'ünï' written as '\\u00fcn\\u00ef'."
    from scae_nb.checkpoints import _repoint_reports

    old, new, folder = tmp_path / "ünï" / "run", tmp_path / "ünï" / "moved", tmp_path / "rep"
    folder.mkdir(parents=True)
    old.mkdir(parents=True)
    report = {**REPORT, "checkpoint": str(old / "checkpoints" / "step_00000003.pt")}
    (folder / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    _repoint_reports([folder], {old.resolve(): new.resolve()})
    written = (folder / "report.json").read_bytes()
    assert "ünï/moved".encode() in written and b"\\u00fc" not in written, written[:300]


# ---- 3. a new run in a folder of its own inside an evaluation's folder: no file mixes, so accepted (rv64g #1)
def test_3_refuse_eval_folder_passes_a_folder_inside_an_evaluation(tmp_path):
    """fx62i refused EVAL/sub; rv64g #1: eval writes only EVAL's own report.json and figures, so nothing mixes.
    Only the check here; test_review64c's test_6 trains there."""
    folder = make_eval_folder(tmp_path)
    from scae_nb.checkpoints import _refuse_eval_folder
    assert _refuse_eval_folder(folder / "sub") is None


# ---- 4. a torchvision that does not import: said when the run starts, once
def test_4_figures_unavailable_said_at_start(tmp_path, quiet_globals):
    "Was: nothing till the first figure (step 25,000 of the official run), hours in."
    from scae_nb.model import SCAEConfig
    from scae_nb.runtime import figures_unavailable
    from scae_nb.training import TrainConfig, train

    assert figures_unavailable() is None
    cfg = TrainConfig(model=SCAEConfig(n_parts=4, n_objects=3), dataset="synthetic", batch_size=8,
                      steps=2, ckpt_every=1, eval_every=1000, fig_every=1000, progress=False,
                      out=str(tmp_path / "run"))
    with broken_torchvision(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        why = figures_unavailable()
        result = train(cfg)
    assert why.startswith("torchvision ") and "does not import with torch" in why, why
    said = [str(w.message) for w in caught if "torchvision" in str(w.message)]
    assert said == [f"no figures will be drawn in this session: {why}; training and checkpoints go on"], said
    assert result.step == 2 and not (tmp_path / "run" / "figures").exists()
