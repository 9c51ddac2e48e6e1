"""rv53a findings 2, 5, 6 and 7 through the command line (`scae_nb.cli.main`, in this process).

A disk full as the run folder is claimed leaves the folder as found and one line naming the lock file;
`--resume --out` of a folder that does not exist says so; a full disk at a checkpoint says how to
continue; `--out` that is the data folder is refused. Each test fails on the code before these fixes.
"""

import errno, json, os

from test_reliability import (  # noqa: F401 (quiet_globals is a fixture)
    TINY,
    inproc_main,
    one_line,
    quiet_globals,
)


def tiny_train(out, steps, *extra) -> list:
    return ["train", *TINY, "--steps", steps, "--out", out, *extra]


class DiskFull:
    "A lock file on a full disk: no flush goes through, and `close` closes it, then flushes again."

    def __init__(self, f):
        self.f, self.name = f, f.name

    def __getattr__(self, name):
        return getattr(self.f, name)

    def flush(self):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def close(self):
        self.f.close()
        self.flush()


def test_full_disk_at_the_claim_leaves_nothing_and_names_the_lock(
    tmp_path, capfd, monkeypatch, quiet_globals
):
    import scae_nb.checkpoints as checkpoints

    real_lock, out = checkpoints._lock, tmp_path / "run"
    monkeypatch.setattr(checkpoints, "_lock", lambda folder: DiskFull(real_lock(folder)))
    rc, _, err = inproc_main(tiny_train(out, 2), capfd)
    assert (rc, one_line(err)) == (
        1, f"scae-nb train: error: writing {out / '.lock'}: No space left on device"), err[-2000:]
    assert not out.exists()
    monkeypatch.setattr(checkpoints, "_lock", real_lock)  # space back: the same command runs
    rc, _, err = inproc_main(tiny_train(out, 2), capfd)
    assert rc == 0, err[-2000:]


def test_resume_of_no_folder_says_so_and_names_runs_that_can_go_on(tmp_path, capfd, quiet_globals):
    for name, steps, step in [("int1", 30, 30), ("official", 30, 12)]:
        (tmp_path / name / "checkpoints").mkdir(parents=True)
        (tmp_path / name / "checkpoints" / f"step_{step:08d}.pt").touch()
        (tmp_path / name / "config.json").write_text(json.dumps(dict(steps=steps)))
    rc, _, err = inproc_main(tiny_train(tmp_path / "ofical", 2, "--resume"), capfd)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --resume: --out {tmp_path / 'ofical'}: no such folder (start "
        f"without --resume; {tmp_path / 'official'} holds a run: resume it with --out "
        f"{tmp_path / 'official'})")), err[-2000:]
    assert not (tmp_path / "ofical").exists()


def test_full_disk_at_a_checkpoint_says_how_to_continue(tmp_path, capfd, monkeypatch, quiet_globals):
    import scae_nb.checkpoints as checkpoints

    real, calls = checkpoints._write_synced, []

    def write(path, data):
        calls.append(path)
        if len(calls) >= 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, data)

    monkeypatch.setattr(checkpoints, "_write_synced", write)
    out = tmp_path / "run"
    rc, _, err = inproc_main(tiny_train(out, 4, "--ckpt-every", 2), capfd)
    assert rc == 1, err[-2000:]
    assert one_line(err).endswith(
        f"No space left on device (previous checkpoints are intact); free space, then continue "
        f"with scae-nb train --resume --out {out}"), err[-2000:]


def test_out_that_is_the_data_folder_is_refused(tmp_path, capfd, monkeypatch, quiet_globals):
    data = tmp_path / "data"
    (data / "MNIST").mkdir(parents=True)
    monkeypatch.setenv("SCAE_DATA", str(data))
    rc, _, err = inproc_main(tiny_train(data, 2, "--dataset", "mnist"), capfd)  # a run that reads it (fx54d)
    assert (rc, one_line(err)) == (2, (
        f"scae-nb train: error: --out {data} is the data folder {data.resolve()} ($SCAE_DATA): a run's files would "
        "mix with the data; choose another --out")), err[-2000:]
    assert sorted(p.name for p in data.iterdir()) == ["MNIST"]
