#!/usr/bin/env python
"""`scae-nb bench` with one thread against all cores' threads, on a machine other processes keep busy.

    python tools/threads_under_load.py [--load 8] [--rounds 3] [--steps 10] [--preset cpu] [--json OUT.json]

Starts `--load` busy processes (each a Python loop that never sleeps, so the load average climbs to about
that number), then alternates, `--rounds` times, `scae-nb bench --preset P --steps S --threads 1 --json`
and the same with `--threads N` (N: the machine's cores), each in a fresh process with OMP_NUM_THREADS
unset, and prints a Markdown table of ms/step per round and the medians. The busy processes are stopped
when it ends, however it ends. The README's advice to pass `--threads 1` on a busy machine quotes this.
"""
import json, os, platform, signal, statistics, subprocess, sys, time

from scae_nb.cli import CLIParser, positive_int64     # the CLI's one-line errors and integer checks


def bench(preset: str, steps: int, threads: int) -> float:
    code = "import sys; from scae_nb.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {k: v for k, v in os.environ.items() if k != 'OMP_NUM_THREADS'}
    proc = subprocess.run([sys.executable, '-c', code, 'bench', '--preset', preset, '--steps', str(steps),
                           '--threads', str(threads), '--device', 'cpu', '--json'],
                          capture_output=True, text=True, env=env)
    if proc.returncode: sys.exit(f"scae-nb bench failed (exit {proc.returncode}): {proc.stderr[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])['ms_per_step']


def main(argv=None) -> None:
    ap = CLIParser(prog='threads_under_load.py', description=__doc__.splitlines()[0],
                   epilog='Exit status: 0 measured; 2 a bad command line; 1 a bench run failed.')
    ap.add_argument('--load', type=int, default=8, help='busy processes to start (default 8; 0: none)')
    ap.add_argument('--rounds', type=positive_int64, default=3, help='alternating rounds (default 3)')
    ap.add_argument('--steps', type=positive_int64, default=10, help='timed steps per run (default 10)')
    ap.add_argument('--preset', default='cpu', help="bench's --preset (default cpu: a small model, B=32)")
    ap.add_argument('--json', help='also write every measurement to this file')
    a = ap.parse_args(argv)
    if a.load < 0: ap.error(f"argument --load: must be 0 or more, got {a.load}")
    cores = os.cpu_count() or 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))          # a `kill` stops the load too (finally)
    busy = [subprocess.Popen([sys.executable, '-c', 'while True: pass']) for _ in range(a.load)]
    rows = []
    try:
        time.sleep(5 if busy else 0)                                   # let the load settle
        for r in range(a.rounds):
            one, all_ = bench(a.preset, a.steps, 1), bench(a.preset, a.steps, cores)
            rows.append(dict(round=r + 1, ms_1=one, ms_all=all_, load1=round(os.getloadavg()[0], 1)))
            print(f"round {r + 1}: 1 thread {one:.0f} ms/step, {cores} threads {all_:.0f} ms/step, "
                  f"load {rows[-1]['load1']}", file=sys.stderr)
    finally:
        for p in busy: p.kill()
        for p in busy: p.wait()
    print(f"| round | `--threads 1`, ms/step | `--threads {cores}`, ms/step | 1-min load |\n|---|---|---|---|")
    for x in rows: print(f"| {x['round']} | {x['ms_1']:.0f} | {x['ms_all']:.0f} | {x['load1']} |")
    m1, ma = statistics.median(x['ms_1'] for x in rows), statistics.median(x['ms_all'] for x in rows)
    print(f"| median | **{m1:.0f}** | **{ma:.0f}** | |")
    print(f"\n{a.load} busy processes, {cores} cores ({platform.processor() or platform.machine()}), "
          f"`bench --preset {a.preset} --steps {a.steps}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    if a.json:
        with open(a.json, 'w') as f: json.dump(dict(load=a.load, cores=cores, preset=a.preset, steps=a.steps,
                                                    rounds=rows), f, indent=1)


if __name__ == '__main__': main()
