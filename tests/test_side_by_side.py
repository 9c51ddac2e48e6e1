"""tools/side_by_side.py's command line: integer options refused in one line before anything runs."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _side_by_side(*argv):
    "Exit status and stderr lines of `side_by_side.py *argv`, with no peer set up (a run would fail on it)."
    env = dict(os.environ, PYTHONPATH=str(ROOT), PEERS_ROOT='/nonexistent/scae-peers')
    done = subprocess.run([sys.executable, str(ROOT / 'tools' / 'side_by_side.py'), *argv], env=env,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stderr.strip().splitlines()


def test_refuses_an_integer_option_beyond_int64_in_one_line():
    for option in ('--rounds', '--steps', '--threads'):       # --rounds: was a bench run, then the peer's error
        assert _side_by_side(option, str(10**23)) == (2, [
            f'side_by_side.py: error: argument {option}: 100000000000000000000000 is out of range '
            '(at most 2**63-1 = 9223372036854775807)'])


def test_refuses_zero_and_negative_counts_in_one_line():
    for option in ('--rounds', '--steps', '--threads'):
        for value in ('0', '-1'):                                # was: the usage, then the error (4 lines)
            assert _side_by_side(option, value) == (2, [
                f'side_by_side.py: error: argument {option}: {value} is not positive (at least 1)'])
    assert _side_by_side('--steps', 'ten') == (2, ["side_by_side.py: error: argument --steps: invalid int value: 'ten'"])


def test_refuses_a_json_path_in_a_missing_folder_before_measuring(tmp_path):
    "--json into a folder that does not exist: was a traceback after every round had run (minutes lost)."
    missing = tmp_path / 'no_such_folder' / 'sbs.json'
    assert _side_by_side('--json', str(missing)) == (2, [
        f"side_by_side.py: error: argument --json: no such folder: {missing.parent}"])
    a_file = tmp_path / 'a_file'; a_file.write_text('')
    for given, why in [('', "empty: give a file's path"), (str(tmp_path), f"{tmp_path} is a folder: give a file's path"),
                       (str(a_file / 'x.json'), f"{a_file} is not a folder")]:   # were: a traceback or no JSON, late
        assert _side_by_side('--json', given) == (2, [f"side_by_side.py: error: argument --json: {why}"])


def _spinners() -> int:
    "How many `while True: pass` load processes run on this machine now."
    out = subprocess.run(['pgrep', '-fc', 'while True: pass'], capture_output=True, text=True).stdout.strip()
    return int(out or 0)


def test_threads_under_load_stops_its_load_even_when_bench_fails():
    "tools/threads_under_load.py: a failed bench run exits 1 in one line, and its busy processes are gone."
    before = _spinners()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(ROOT / 'tools' / 'threads_under_load.py'), '--load', '2',
                           '--rounds', '1', '--steps', '1', '--preset', 'nosuch'], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "scae-nb bench failed (exit 2)" in done.stderr and 'nosuch' in done.stderr
    assert _spinners() == before                     # was (without the `finally`): two loops left spinning
    bad = subprocess.run([sys.executable, str(ROOT / 'tools' / 'threads_under_load.py'), '--load', '-1'],
                         env=env, capture_output=True, text=True, timeout=60)
    assert (bad.returncode, bad.stderr.strip()) == (2, 'threads_under_load.py: error: argument --load: '
                                                       'must be 0 or more, got -1')


def test_threads_under_load_stops_its_load_when_killed():
    "A SIGTERM to tools/threads_under_load.py (`kill`, a CI timeout) ends it with its busy processes, exit 143."
    import signal, time
    before = _spinners()
    proc = subprocess.Popen([sys.executable, str(ROOT / 'tools' / 'threads_under_load.py'), '--load', '2',
                             '--rounds', '1', '--steps', '100000', '--preset', 'cpu'],
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _spinners() < before + 2 and time.monotonic() < deadline: time.sleep(0.2)
    assert _spinners() == before + 2                         # the load runs
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    assert _spinners() == before                             # was: two loops left spinning after a `kill`
