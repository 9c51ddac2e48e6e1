#!/usr/bin/env python
"""Side-by-side CPU measurement: `scae-nb bench` against torch-scae, alternating, on one machine.

    python tools/side_by_side.py [--rounds 3] [--steps 10] [--threads 2] [--amp] [--json OUT.json]

Each round runs `scae-nb bench --preset official --batch-size 128 --steps S --threads T --json` and then
the peer (`bench_peer.py --peer torch-scae --batch 128 --steps S --mode train --threads T`), each in a
fresh process (with `--amp`, also scae-nb's bfloat16-autocast step, `bench --amp`, between the two),
and prints a Markdown table: ms/step per round, their ratio, the medians, the ratio of the
medians, and each side's peak RSS. The peer must be set up first with tools/peer/setup.sh (a clone of
github.com/bdsaglam/torch-scae as its argument; its environment lives in $PEERS_ROOT, default
~/.cache/scae-peers). Absolute times drift between machines and
days; the ratio measured in one run is the number to compare.
"""
import json, os, platform, statistics, subprocess, sys, tempfile, time
from pathlib import Path

from scae_nb.cli import CLIParser, positive_int64     # the CLI's one-line errors and integer checks


def run_ours(steps: int, threads: int, amp: bool = False) -> dict:
    code = "import sys; from scae_nb.cli import main; sys.exit(main(sys.argv[1:]))"
    cmd = [sys.executable, '-c', code, 'bench', '--preset', 'official', '--batch-size', '128',
           '--steps', str(steps), '--threads', str(threads), '--json'] + ['--amp'] * amp
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, 'OMP_NUM_THREADS': str(threads)})
    if proc.returncode: sys.exit(f"scae-nb bench failed (exit {proc.returncode}): {proc.stderr[-500:]}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    return dict(ms=r['ms_per_step'], peak_mb=r['peak_mem_mb'], before_mb=r['baseline_mem_mb'],
                torch=r['torch'])


def require_peer(root: Path) -> None:
    "Exit with one line unless torch-scae's venv and bench_peer.py are set up in `root`."
    if not (root / 'venv' / 'bin' / 'python').exists() or not (root / 'bench_peer.py').exists():
        sys.exit(f"torch-scae is not set up in {root}: run tools/peer/setup.sh first")


def run_peer(root: Path, steps: int, threads: int) -> dict:
    python, script = root / 'venv' / 'bin' / 'python', root / 'bench_peer.py'
    require_peer(root)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / 'peer.json'
        proc = subprocess.run([str(python), str(script), '--peer', 'torch-scae', '--batch', '128',
                               '--steps', str(steps), '--mode', 'train', '--threads', str(threads),
                               '--json', str(out)], capture_output=True, text=True,
                              env={**os.environ, 'PEERS_ROOT': str(root),
                                   'OMP_NUM_THREADS': str(threads)})
        if proc.returncode: sys.exit(f"bench_peer.py failed (exit {proc.returncode}): {proc.stderr[-500:]}")
        r = json.loads(out.read_text().strip().splitlines()[-1])['train']
    return dict(ms=round(r['median_clean'], 1), peak_mb=round(r['peak_hwm_mb'], 1),
                clean=f"{r['n_clean']}/{r['n']}")


def json_path_problem(text: str) -> str | None:
    "Why `--json TEXT` cannot be written (empty, a folder, its folder missing or not one, not writable), or None."
    if not text.strip(): return "empty: give a file's path"
    path = Path(text).expanduser().absolute()
    folder = path.parent
    if path.is_dir(): return f"{path} is a folder: give a file's path"
    if not folder.exists(): return f"no such folder: {folder}"
    if not folder.is_dir(): return f"{folder} is not a folder"
    try:                                # tried, not judged by mode bits (root, `chattr +i`)
        if path.exists(): open(path, 'a').close()
        else: tempfile.NamedTemporaryFile(dir=folder).close()
    except OSError as e: return f"cannot write {path}: {e.strerror}"
    return None


def main(argv=None) -> None:
    ap = CLIParser(prog='side_by_side.py', description=__doc__.splitlines()[0],
                   epilog='Exit status: 0 measured; 2 a bad command line; 1 a side failed or the peer is not set up.')
    ap.add_argument('--rounds', type=positive_int64, default=3, help='alternating rounds (default 3)')
    ap.add_argument('--steps', type=positive_int64, default=10, help='timed steps per side and round (default 10)')
    ap.add_argument('--threads', type=positive_int64, default=2, help='threads each side uses (default 2)')
    ap.add_argument('--peers-root', default=os.environ.get('PEERS_ROOT', '~/.cache/scae-peers'))
    ap.add_argument('--amp', action='store_true', help="also time scae-nb's bfloat16 autocast step")
    ap.add_argument('--json', help='also write every measurement to this file')
    a = ap.parse_args(argv)
    root, rows = Path(a.peers_root).expanduser(), []
    if a.json is not None and (bad := json_path_problem(a.json)):   # now, not after minutes of measuring
        ap.error(f"argument --json: {bad}")
    require_peer(root)
    load_before = os.getloadavg()[0]
    for i in range(a.rounds):
        ours = run_ours(a.steps, a.threads)
        amp = run_ours(a.steps, a.threads, amp=True) if a.amp else None
        peer = run_peer(root, a.steps, a.threads)
        rows.append(dict(round=i + 1, ours=ours, amp=amp, peer=peer))
        print(f"round {i + 1}: scae-nb {ours['ms']:.0f} ms/step"
              + (f" (+amp {amp['ms']:.0f})" if amp else "")
              + f", torch-scae {peer['ms']:.0f} ms/step", file=sys.stderr)
    ours_med = statistics.median(r['ours']['ms'] for r in rows)
    peer_med = statistics.median(r['peer']['ms'] for r in rows)
    cpu = next((line.split(':', 1)[1].strip() for line in open('/proc/cpuinfo')
                if line.startswith('model name')), platform.processor()) \
        if Path('/proc/cpuinfo').exists() else platform.processor()
    print(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {cpu} "
          f"({os.cpu_count()} cores), {a.threads} threads each, {a.rounds} alternating rounds of "
          f"{a.steps} timed steps at batch 128; 1-minute load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after; scae-nb on torch {rows[0]['ours']['torch']}.\n")
    amp_head = (" scae-nb eager+amp (bf16), ms/step |", " ratio +amp |", "---|---|") if a.amp \
        else ("", "", "")
    print(f"| round | scae-nb eager, ms/step |{amp_head[0]} torch-scae, ms/step (clean steps) | ratio "
          f"|{amp_head[1]} peak RSS scae-nb / torch-scae, MiB |\n|---|---|---|---|---|{amp_head[2]}")
    for r in rows:
        o, m, p = r['ours'], r['amp'], r['peer']
        print(f"| {r['round']} | {o['ms']:.0f} |" + (f" {m['ms']:.0f} |" if m else "")
              + f" {p['ms']:.0f} ({p['clean']}) | {p['ms'] / o['ms']:.2f}× |"
              + (f" {p['ms'] / m['ms']:.2f}× |" if m else "")
              + f" {o['peak_mb']:.0f} / {p['peak_mb']:.0f} |")
    result = dict(rows=rows, ratio_of_medians=peer_med / ours_med)
    if a.amp:
        amp_med = statistics.median(r['amp']['ms'] for r in rows)
        result['ratio_of_medians_amp'] = peer_med / amp_med
        print(f"| median | **{ours_med:.0f}** | **{amp_med:.0f}** | **{peer_med:.0f}** "
              f"| **{peer_med / ours_med:.2f}×** | **{peer_med / amp_med:.2f}×** | |")
    else:
        print(f"| median | **{ours_med:.0f}** | **{peer_med:.0f}** | **{peer_med / ours_med:.2f}×** | |")
    if a.json: Path(a.json).expanduser().write_text(json.dumps(result))


if __name__ == '__main__':
    main()
