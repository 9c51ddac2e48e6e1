#!/usr/bin/env bash
# Docs processing that cannot break silently: run nbdev's docs processing (`nbdev_proc_nbs`, what
# `nbdev_docs` runs before Quarto renders) the way GitHub's deploy job does, on a machine WITHOUT
# data, fixtures, GPU or network, and fail (exit 1) on any error.
#
#   bash tools/docs_check.sh            # from the repo root, in the dev venv (nbdev==2.4.14 installed)
#   DOCS_CHECK_REPLAY=0 bash tools/docs_check.sh   # skip the per-cell diagnosis on failure
#   DOCS_CHECK_FIXTURES=1 bash tools/docs_check.sh # keep fixtures/golden in the copy (default: removed,
#                                                  # SCAE_SKIP_PARITY=1: parity is pytest's job)
#
# * Works on a copy of the repository (tracked + untracked-not-ignored files): `nbdev_proc_nbs` also
#   rewrites nbs/nbdev.yml, nbs/sidebar.yml and scae_nb/_modidx.py, and executed cells may write files.
# * A stand-in `quarto` is put first on PATH: nbdev 2.4.14's `_ensure_quarto` only checks
#   `shutil.which('quarto')`; without one it runs `install()`: `sudo dpkg -i quarto-linux-amd64.deb`
#   (downloaded with curl) and `pip install -e ".[dev]"` into the active environment. Processing
#   itself never calls quarto (only `nbdev_docs` runs `quarto render`, which GitHub does for real).
# * SCAE_DATA / SCAE_GOLDEN / CUDA are hidden, HOME and caches point to an empty folder, and the
#   network is cut with `unshare -n` where allowed (otherwise proxies point to a closed port).
# * On failure it replays nbdev's choice of cells with tools/docs_cells.py, which lists EVERY failing
#   cell (nbdev stops at the first one of a notebook) and every `#| slow`/`#| gpu` cell nbdev would run.
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/scae-docs-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
COPY="$WORK/repo"
mkdir -p "$COPY" "$WORK/home" "$WORK/bin" "$WORK/cache"
# without fixtures/ (set DOCS_CHECK_FIXTURES=1 to keep them, as in the deploy job's checkout)
KEEP_FIXTURES=${DOCS_CHECK_FIXTURES:-0}
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
   | { if [ "$KEEP_FIXTURES" = 1 ]; then cat; else grep -z -v '^fixtures/'; fi; } \
   | xargs -0 -I{} cp --parents {} "$COPY/" 2>/dev/null) \
  || { echo "docs check: could not copy the repository"; exit 1; }
# files listed by git but deleted in the working tree are simply not copied
cat > "$WORK/bin/quarto" <<'Q'
#!/usr/bin/env sh
# stand-in for Quarto: nbdev_proc_nbs only needs `which quarto` to succeed; real Quarto renders on GitHub
if [ "${1:-}" = "--version" ]; then echo "0.0.0-standin"; exit 0; fi
echo "quarto stand-in: not rendering ($*)" >&2; exit 0
Q
chmod +x "$WORK/bin/quarto"

run_offline() {  # run "$@" without data, fixtures, GPU or network, HOME and caches empty
  env -u SCAE_DATA -u SCAE_GOLDEN -u PYTHONPATH -u SCAE_TEST_FLAGS \
    HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache" MPLCONFIGDIR="$WORK/cache/mpl" \
    TORCH_HOME="$WORK/cache/torch" WANDB_MODE=disabled WANDB_DIR="$WORK/cache" MPLBACKEND=Agg \
    CUDA_VISIBLE_DEVICES="" PIP_NO_INDEX=1 SCAE_SKIP_PARITY=$([ "$KEEP_FIXTURES" = 1 ] && echo 0 || echo 1) PYTHONPATH="$COPY" PATH="$WORK/bin:$PATH" \
    http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
    HTTPS_PROXY=http://127.0.0.1:9 no_proxy= NO_PROXY= \
    $NET "$@"
}
NET=""
if unshare -n true 2>/dev/null; then NET="unshare -n"
elif unshare -rn true 2>/dev/null; then NET="unshare -rn"; fi
echo "== docs check in $COPY (network: ${NET:-proxies to a closed port}; quarto: stand-in)"

cd "$COPY"
run_offline nbdev_proc_nbs --n_workers 0 > "$WORK/proc.log" 2>&1
rc=$?
# nbdev's parallel() may print a worker's traceback and still return 0: check the log as well
if [ $rc -eq 0 ] && grep -q -E "^Traceback|Error in notebook|Exception:" "$WORK/proc.log"; then rc=1; fi
if [ $rc -eq 0 ] && grep -q -E "Installing or upgrading quarto|pip install -e" "$WORK/proc.log"; then rc=1; fi
tail -40 "$WORK/proc.log"
if [ $rc -eq 0 ]; then echo "== docs check passed: nbdev_proc_nbs processed every notebook"; exit 0; fi
echo "== docs check FAILED: nbdev_proc_nbs exited with an error (rc=$rc)"
if [ "${DOCS_CHECK_REPLAY:-1}" != 0 ]; then
  echo "== every cell nbdev's docs processing executes, replayed (tools/docs_cells.py):"
  run_offline python tools/docs_cells.py
fi
exit 1
