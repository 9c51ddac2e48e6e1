"""Review 53a, findings 4, 6, 9, 10 and 11: the cpu preset's CPU-sized run, the disk-full line of
metrics.jsonl, eval's way out of an unwritable default report folder, bench's line for a model the
preset does not fit, and whole option names with a suggestion."""
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from scae_nb.config import TrainConfig
from scae_nb.model import PRESETS
from scae_nb.runtime import RunLogger


def _exe():
    beside = Path(sys.executable).parent / 'scae-nb'   # the venv running pytest, activated or not
    return str(beside) if beside.exists() else 'scae-nb'


def _run(*args, cwd=None):
    return subprocess.run([_exe(), *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_cpu_preset_is_a_cpu_sized_run():
    # 05d's target: 12,000 steps at batch 32, a checkpoint/evaluation every 1,000 steps, figures every 2,000
    assert PRESETS['cpu']['run'] == dict(batch_size=32, lr=3e-4, steps=12_000, ckpt_every=1_000,
                                         eval_every=1_000, fig_every=2_000)
    cfg = TrainConfig.preset('cpu')
    assert (cfg.steps, cfg.ckpt_every, cfg.eval_every, cfg.fig_every) == (12_000, 1_000, 1_000, 2_000)
    assert TrainConfig.preset('official').steps == 300_000      # the official recipe keeps its length


def test_train_help_gives_the_cpu_presets_run():
    res = _run('train', '--help')
    assert res.returncode == 0, res.stderr
    text = ' '.join(res.stdout.split())
    for option, value in (('steps', "300000; cpu 12000"), ('ckpt-every', "10000; cpu 1000"),
                          ('eval-every', "5000; cpu 1000"), ('fig-every', "25000; cpu 2000")):
        head = text.index(f'--{option} INT ')
        assert f"(default: the preset's: {value})" in text[head:head + 200], option


def test_metrics_on_a_full_disk_keeps_no_space_left_on_device(tmp_path):
    real = os.write
    def short(fd, data): return real(fd, data[:len(data) // 2])   # a full disk: a short write
    logger = RunLogger(tmp_path)
    with mock.patch('os.write', short), pytest.raises(OSError) as raised:
        logger.log(7, dict(total=1.))
    assert raised.value.strerror == (f"writing {tmp_path / 'metrics.jsonl'}: only 13 of 26 bytes "
                                     "written (No space left on device)")
    assert (tmp_path / 'metrics.jsonl').read_bytes() == b''           # cut back


def test_eval_unwritable_default_report_folder_offers_out(tmp_path, monkeypatch):
    from scae_nb.evaluation import evaluate_checkpoint
    from scae_nb.utils import cli_words
    monkeypatch.chdir(tmp_path)                                  # --pretrained: runs/eval/NAME here
    read_only = lambda path, mode: not Path(path).resolve().is_relative_to(tmp_path.resolve())
    with cli_words(), mock.patch('os.access', read_only), pytest.raises(Exception) as raised:
        evaluate_checkpoint(pretrained='mnist-cpu', device='cpu', max_batches=1, figures=False, progress=False)
    assert str(raised.value) == ("the default report folder runs/eval/mnist-cpu: nothing can be written "
                                 "in . (read-only or no permission); pass --out FOLDER")


def test_bench_names_its_own_options_for_a_model_the_preset_does_not_fit():
    res = _run('bench', '--preset', 'cpu', '--model', 'constellation', '--steps', '1', '--warmup', '0')
    assert (res.returncode, res.stderr) == (
        2, "scae-nb bench: error: --model constellation needs --preset constellation (not 'cpu'): "
           "constellations are its data\n")
    res = _run('bench', '--preset', 'constellation', '--model', 'scae', '--steps', '1', '--warmup', '0')
    assert (res.returncode, res.stderr) == (
        2, "scae-nb bench: error: --model scae needs an image preset, not --preset constellation "
           "(e.g. --preset cpu)\n")


def test_train_still_names_the_dataset_for_a_model_it_does_not_fit(tmp_path):
    res = _run('train', '--preset', 'cpu', '--model', 'constellation', '--steps', '1',
               '--out', str(tmp_path / 'run'))
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith("scae-nb train: error: --dataset 'mnist' does not fit model 'constellation': "
                                 "constellations need the 'constellation' preset"), res.stderr
    assert not (tmp_path / 'run').exists()


@pytest.mark.parametrize('argv, line', [
    (['train', '--ckpt', '2'], "scae-nb train: error: unrecognized arguments: --ckpt 2; did you mean --ckpt-every?"),
    (['train', '--checkpoint-every', '2'],
     "scae-nb train: error: unrecognized arguments: --checkpoint-every 2; did you mean --ckpt-every?"),
    (['eval', '--max-batch', '2'], "scae-nb eval: error: unrecognized arguments: --max-batch 2; did you mean --max-batches?"),
    (['bench', '--step', '2'], "scae-nb bench: error: unrecognized arguments: --step 2; did you mean --steps?"),
])
def test_abbreviations_are_refused_with_the_option_meant(argv, line):
    res = _run(*argv)
    assert (res.returncode, res.stderr.strip()) == (2, line)
