"""No MNIST where the user pointed and a torchvision that does not import (review 51, fx51f).

The error names the missing data first (where, and how to point elsewhere), then why it cannot be
downloaded (torchvision's line, with its fix), in one line; it is the `FileNotFoundError` of any
"no data here and none downloaded", so README's Python example, which catches that, prints its
one line instead of a traceback. Each test fails on the code before this fix (an `ImportError`
naming torchvision alone).
"""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from test_reliability import inproc_main, one_line, quiet_globals  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
BROKEN = "operator torchvision::nms does not exist"  # what a torchvision built for another torch raises
real_import = importlib.import_module


def broken_import(name, *args, **kwargs):
    "`importlib.import_module` as it is with a torchvision built for another torch."
    if name.startswith("torchvision"):
        raise RuntimeError(BROKEN)
    return real_import(name, *args, **kwargs)


@pytest.mark.parametrize("partial", [False, True], ids=["empty", "partial MNIST/raw"])
def test_train_without_mnist_names_the_data_first(tmp_path, capfd, quiet_globals, monkeypatch, partial):
    "Was: `error: torchvision X does not import with torch Y ...`, exit 1; the empty folder unsaid."
    data, raw = tmp_path / "data", tmp_path / "data" / "MNIST" / "raw"
    data.mkdir()
    if partial:  # a copy cut short: one file of the training split
        raw.mkdir(parents=True)
        (raw / "train-images-idx3-ubyte.gz").write_bytes(b"")
    monkeypatch.setenv("SCAE_DATA", str(data))
    argv = ["train", "--dataset", "mnist", "--steps", 2, "--batch-size", 4, "--device", "cpu"]
    with mock.patch("importlib.import_module", broken_import):
        rc, _, err = inproc_main([*argv, "--out", tmp_path / "run"], capfd)
    line = one_line(err)
    assert rc == 2, f"exit {rc}: {line}"  # no data where pointed: the command's, as a download failed
    where = (f"MNIST at {raw} lacks train-labels-idx1-ubyte.gz (put it there, or point SCAE_DATA"
             if partial else f"MNIST not found at {raw} (point SCAE_DATA")  # set already: not "set"
    assert line.startswith(f"scae-nb train: error: {where} (now {data}) elsewhere or pass --data-dir to a folder "
                           "holding it); "), line
    assert "; it would be downloaded, but torchvision " in line, line
    assert re.search(rf"does not import with torch \S+ \({BROKEN}\): install the one built for it: ", line), line
    assert os.listdir(raw if partial else data) == (["train-images-idx3-ubyte.gz"] if partial else []), "made files"


def readme_example() -> str:
    "README's Python example, as a newcomer copies it."
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    (example,) = [b for b in blocks if "image_loaders(" in b]
    return example


def test_readme_example_without_mnist_or_torchvision_prints_its_line(tmp_path):
    "Was: the example's `except FileNotFoundError` missed an ImportError: a traceback, exit 1."
    fake = tmp_path / "site" / "torchvision"  # a torchvision that fails to import, first on the path
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(f"raise RuntimeError({BROKEN!r})\n")
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "SCAE_DATA": str(data), "PYTHONPATH": os.pathsep.join([str(fake.parent), str(ROOT)])}
    res = subprocess.run([sys.executable, "-c", readme_example()], env=env, capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr[-3000:]
    lines = res.stdout.splitlines()
    assert len(lines) == 1, res.stdout
    assert lines[0].startswith(f"no MNIST here, skipped: MNIST not found at {data / 'MNIST' / 'raw'} "), lines[0]
    assert "it would be downloaded, but torchvision " in lines[0] and BROKEN in lines[0], lines[0]
