#!/usr/bin/env bash
# The prepared GPU check (issue 9 item 6). Run from anywhere; it works in the repo root:
#
#     bash tools/gpu_check.sh OUT_DIR [BUDGET_SECONDS]        # or SCAE_CHECK_OUT=... SCAE_CHECK_BUDGET=...
#
# Installs the wheels in .whl/ (fastcore) into /tmp/site without network, then runs tools/gpu_check.py:
# versions + nvidia-smi, float32 parity against the golden fixtures (CUDA and CPU), `scae-nb bench`
# variants, `scae-nb train --preset official` on real MNIST for the time that is left, `scae-nb eval`,
# and writes at most 8 files (each < 16 MiB) to OUT_DIR. See tools/GPU_CHECK.md.
# SCAE_CHECK_DEVICE=cpu runs the same on the CPU (a dry run, tiny model, default budget 120 s).
set -u
OUT_DIR="${1:-${SCAE_CHECK_OUT:-}}"
if [ -z "$OUT_DIR" ]; then echo "usage: bash tools/gpu_check.sh OUT_DIR [BUDGET_SECONDS] (or set SCAE_CHECK_OUT)" >&2; exit 2; fi
export SCAE_CHECK_T0="$(date +%s.%N)"
if [ -n "${2:-}" ]; then export SCAE_CHECK_BUDGET="$2"; fi
if [ "${SCAE_CHECK_DEVICE:-cuda}" = cpu ]; then DEFAULT_BUDGET=120; else DEFAULT_BUDGET=520; fi
BUDGET="${SCAE_CHECK_BUDGET:-$DEFAULT_BUDGET}"
if ! [[ "$BUDGET" =~ ^-?[0-9]+(\.[0-9]*)?$ ]]; then
  echo "gpu_check.sh: error: budget '$BUDGET' is not a number of seconds (e.g. 520, or 90.5)" >&2; exit 2
fi
BUDGET_INT="${BUDGET%.*}"
cd "$(dirname "$0")/.." || exit 2
mkdir -p "$OUT_DIR" && OUT_DIR="$(cd "$OUT_DIR" && pwd)" || exit 2
PY="${SCAE_CHECK_PYTHON:-python3}"
DRIVER="${SCAE_CHECK_DRIVER:-tools/gpu_check.py}"    # tests put a stand-in here; `--ended` always runs tools/gpu_check.py
SITE="${SCAE_CHECK_SITE:-/tmp/site}"
# Ctrl-C, SIGTERM or SIGHUP (to this pid or its process group) is passed to the driver, which runs in `timeout`'s own
# process group: it stops the running stage (training: SIGINT, so it checkpoints), completes summary.json with a
# `terminated` record and exits; then this script exits 128 + the signal's number. tee ignores them (it keeps the log).
export SCAE_CHECK_STATE="$(mktemp -d "${TMPDIR:-/tmp}/gpu_check_state.XXXXXX")" || exit 2
SIGNALLED=""
on_signal() {
  [ -n "$SIGNALLED" ] && return
  SIGNALLED="$1"
  echo "$1" > "$SCAE_CHECK_STATE/signal"
  echo "gpu_check: received SIG$1: passing it to the driver" 2>/dev/null
  if [ -s "$SCAE_CHECK_STATE/driver.pid" ]; then kill -s "$1" "$(cat "$SCAE_CHECK_STATE/driver.pid")" 2>/dev/null; fi
}
trap 'on_signal INT' INT; trap 'on_signal TERM' TERM; trap 'on_signal HUP' HUP

say() { printf '%s\n' "$*" 2>/dev/null || printf '%s\n' "$*" >> "$OUT_DIR/log.txt"; }
main() {
  trap '' INT TERM HUP PIPE   # the top shell passes them on; this subshell must live to record rc and list the files
  echo "gpu_check: $(date -u +%FT%TZ) repo $PWD, out $OUT_DIR, budget ${BUDGET} s, device ${SCAE_CHECK_DEVICE:-cuda}, python $(command -v "$PY")"
  if compgen -G ".whl/*.whl" > /dev/null; then
    echo "gpu_check: installing $(ls .whl/*.whl | tr '\n' ' ')into $SITE"
    timeout -k 5 120 "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target "$SITE" .whl/*.whl || {
      echo "gpu_check: WARNING: pip install failed (rc $?); unpacking the wheels with zipfile instead"
      mkdir -p "$SITE" && for w in .whl/*.whl; do "$PY" -m zipfile -e "$w" "$SITE" || echo "gpu_check: WARNING: could not unpack $w"; done
    }
  else
    echo "gpu_check: no .whl/*.whl to install"
  fi
  export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"
  if [ "${SCAE_CHECK_SIMULATE_BARE:-0}" = 1 ]; then
    # dry runs only: hide wandb, ipywidgets, IPython, nbdev, and any fastcore not installed from .whl
    export PYTHONPATH="$PWD/tools/bare_sim:$PYTHONPATH" SCAE_CHECK_SITE_DIR="$SITE"
  fi
  export PYTHONUNBUFFERED=1 MPLBACKEND=Agg WANDB_MODE=disabled PYTHONDONTWRITEBYTECODE=1
  if [ -d .data/MNIST/raw ]; then export SCAE_DATA="$PWD/.data"; fi
  echo "gpu_check: PYTHONPATH=$PYTHONPATH SCAE_DATA=${SCAE_DATA:-unset} SCAE_GOLDEN=${SCAE_GOLDEN:-unset}"
  local rc
  if [ -s "$SCAE_CHECK_STATE/signal" ]; then
    rc=$((128 + $(kill -l "$(cat "$SCAE_CHECK_STATE/signal")")))
    echo "gpu_check: stopped by SIG$(cat "$SCAE_CHECK_STATE/signal") before the driver started"
    printf '{"check": "scae-nb gpu_check v1", "terminated": {"signal": "SIG%s", "stage": null}, "stages": {}}\n' \
        "$(cat "$SCAE_CHECK_STATE/signal")" > "$OUT_DIR/summary.json"
  else
    # The backstop: SIGTERM at BUDGET + 30 s counted from the script's start (the install included), SIGKILL 25 s later
    # (the driver needs up to SAVE_GRACE, 20 s, to let training checkpoint); then `--ended` stops a stage process group
    # a killed driver left and completes summary.json: the script ends by BUDGET + 70 s whatever the driver does.
    local cap=$((BUDGET_INT + 30 - $(date +%s) + ${SCAE_CHECK_T0%.*}))
    timeout -k 25 $((cap > 10 ? cap : 10)) "$PY" "$DRIVER" "$OUT_DIR"
    rc=$?
    # at most 40 s, and never past BUDGET + 70 s (10 s at least: summary.json must be completed)
    local left=$((BUDGET_INT + 70 - $(date +%s) + ${SCAE_CHECK_T0%.*}))
    left=$((left > 40 ? 40 : left)); timeout -k 5 $((left > 10 ? left : 10)) "$PY" tools/gpu_check.py "$OUT_DIR" --ended "$rc"
  fi
  echo "$rc" > "$SCAE_CHECK_STATE/rc"
  # tee may be gone (its log then ends with what the driver appended itself): these lines go to log.txt directly
  say "gpu_check: done, rc $rc, $(date -u +%FT%TZ); files in $OUT_DIR:"
  say "$(ls -la "$OUT_DIR")"
  return $rc
}

set -o pipefail
# in the background, so that the traps above run at once (bash runs a trap only after a foreground command ends)
main 2>&1 | { trap '' INT TERM HUP; exec tee "$OUT_DIR/log.txt"; } &
PIPE_PID=$!
while kill -0 "$PIPE_PID" 2>/dev/null; do wait "$PIPE_PID"; done
rc="$(cat "$SCAE_CHECK_STATE/rc" 2>/dev/null || echo 1)"
if [ -n "$SIGNALLED" ]; then rc=$((128 + $(kill -l "$SIGNALLED"))); fi
rm -rf "$SCAE_CHECK_STATE"
# log.txt must stay under 16 MiB: keep its head and tail
if [ "$(stat -c %s "$OUT_DIR/log.txt" 2>/dev/null || echo 0)" -gt 16000000 ]; then
  { head -c 2000000 "$OUT_DIR/log.txt"; echo; echo "... [log cut] ..."; tail -c 12000000 "$OUT_DIR/log.txt"; } > "$OUT_DIR/log.tmp" \
    && mv "$OUT_DIR/log.tmp" "$OUT_DIR/log.txt"
fi
exit $rc
