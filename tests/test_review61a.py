"""fx61a: resume records. A checkpoint write that fails in a resume's first step: where nothing in the run folder
changed, run.json is put back and the error line says so; where a metrics line was written, the session is kept as
failed (#1). A cache run resumed with `--data-dir` naming the cache (or a link to it) stays a cache run: config.json
`data_dir` null, nothing recorded or said (#2). A Ctrl-C at the start of `Trainer.fit` says what it left, as one
a moment earlier does (#3).
"""

import json
import os

import pytest

from test_reliability import checkpoints, inproc_main, train_args
from test_reliability import quiet_globals  # noqa: F401 (a fixture)
from test_review60a import MNIST_TINY
from test_review60a import cache_run  # noqa: F401 (a fixture)


def _without_log_every(args: list) -> list:
    "`args` without TINY's `--log-every 1`: the default interval (100), so no metrics line in a tiny run."
    at = args.index("--log-every")
    return args[:at] + args[at + 2 :]


@pytest.fixture
def failing_step_3(monkeypatch):
    "Writing step 3's checkpoint fails: the disk full."
    import scae_nb.training

    real = scae_nb.training.save_checkpoint
    def save_checkpoint(state, path, *args, **kwargs):
        if state["step"] == 3: raise OSError(28, "No space left on device", str(path))
        return real(state, path, *args, **kwargs)
    monkeypatch.setattr(scae_nb.training, "save_checkpoint", save_checkpoint)


# ---- #1: a failed checkpoint write in a resume's first step
def test_1a_nothing_changed_the_run_is_put_back_and_the_error_line_says_so(tmp_path, capfd, quiet_globals,
                                                                           request):
    "Was: only 'error: ...step_00000003.pt: No space left on device', and run.json silently as before."
    run = tmp_path / "run"
    rc, _, err = inproc_main(_without_log_every(train_args(run, 2, "--ckpt-every", 1)), capfd)
    assert rc == 0, err[-2000:]
    found = {name: (run / name).read_bytes() for name in ("run.json", "config.json", "metrics.jsonl")}
    request.getfixturevalue("failing_step_3")
    rc, _, err = inproc_main([*_without_log_every(train_args(run, 4, "--ckpt-every", 1)), "--resume"], capfd)
    assert rc == 1, err[-2000:]
    line = [l for l in err.splitlines() if "error:" in l][-1]
    assert line == (f"scae-nb train: error: {run / 'checkpoints' / 'step_00000003.pt'}: No space left on device; "
                    f"{run} left as found (this session saved no step, so its run.json does not record it)"), err
    assert {name: (run / name).read_bytes() for name in found} == found
    assert [c.name for c in checkpoints(run)] == ["step_00000001.pt", "step_00000002.pt"]


def test_1b_a_metrics_line_written_the_failed_session_is_recorded(tmp_path, capfd, quiet_globals, request):
    "As before fx61a: a file of the run changed, so run.json records the session as failed (no 'left as found')."
    run = tmp_path / "run"
    rc, _, err = inproc_main(train_args(run, 2, "--ckpt-every", 1), capfd)       # --log-every 1
    assert rc == 0, err[-2000:]
    request.getfixturevalue("failing_step_3")
    rc, _, err = inproc_main([*train_args(run, 4, "--ckpt-every", 1), "--resume"], capfd)
    assert rc == 1 and "No space left on device" in err and "left as found" not in err, err[-2000:]
    last = json.loads((run / "run.json").read_text())["sessions"][-1]
    assert (last["step"], last["end_step"], last["saved_step"], last["ended"]) == (2, 3, 2, "failed"), last


# ---- #2: a cache run resumed with --data-dir naming the cache
@pytest.mark.parametrize("named", ["cache", "link"])
def test_2_a_cache_run_resumed_with_data_dir_the_cache_stays_a_cache_run(cache_run, capfd, named):  # noqa: F811
    "Was: config.json `data_dir` the cache's resolved path, while run.json `changes` and the output said nothing."
    run, cache, _ = cache_run
    given = cache
    if named == "link":
        given = run.parent / "cache-link"
        os.symlink(cache, given)
    rc, _, err = inproc_main(["train", *MNIST_TINY, "--steps", 2, "--out", run, "--resume", "--data-dir", given],
                             capfd)
    assert rc == 0 and "--data-dir" not in err and "data folder" not in err, err[-2000:]
    assert json.loads((run / "config.json").read_text())["data_dir"] is None
    changes = json.loads((run / "run.json").read_text())["changes"]
    assert all("data_dir" not in c for c in changes), changes
    state = __import__("torch").load(checkpoints(run)[-1], map_location="cpu", weights_only=False)
    assert state["step"] == 2 and state["config"]["data_dir"] is None


# ---- #3: a Ctrl-C at the start of Trainer.fit
def test_3_a_ctrl_c_at_the_start_of_fit_says_the_run_is_unchanged(tmp_path, capfd, quiet_globals, monkeypatch):
    "Was: only 'scae-nb train: interrupted by SIGINT' (one during make_loaders said the run unchanged)."
    from scae_nb.training import Trainer

    run = tmp_path / "run"
    rc, _, err = inproc_main(train_args(run, 2, "--ckpt-every", 1), capfd)
    assert rc == 0, err[-2000:]
    found = {name: (run / name).read_bytes() for name in ("run.json", "config.json", "metrics.jsonl")}
    run_id = json.loads(found["run.json"])["run_id"]
    def interrupted(self): raise KeyboardInterrupt      # the session recorded, the handler not yet in
    monkeypatch.setattr(Trainer, "_check_fits", interrupted)
    rc, _, err = inproc_main([*train_args(run, 4), "--resume"], capfd)
    assert rc == 130, err[-2000:]
    assert err.splitlines()[-1] == (f"scae-nb train: interrupted by SIGINT before training began: {run} unchanged "
                                    f"(run {run_id} still there)"), err
    assert {name: (run / name).read_bytes() for name in found} == found
