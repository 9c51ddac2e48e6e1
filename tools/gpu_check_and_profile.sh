#!/usr/bin/env bash
# One device call that runs the GPU check and, beside it, tools/gpu_profile.py (issue 9): the check trains the
# official recipe (its bench stage is skipped: training takes TRAIN_SPEC's options), while the profile compiles its
# variants all at once (the Triton backward as shipped and with 'dot' template gradients, float32 and bfloat16 autocast;
# 'dot' with the CNN in NCHW, last: -nchw; cuDNN's three float32 conv backward kernels took 0.55 ms of 3.1, H200;
# 'kernel', the kernels alone, while they compile) and then times them one at a time with the trainer stopped (SIGSTOP).
# Run from the repo root:
#
#     OUT=/path/to/out [BUDGET=430] bash tools/gpu_check_and_profile.sh
#
# with the fastcore wheel in .whl/ and MNIST in .data/MNIST/raw (tools/GPU_CHECK.md, "What the lead does before the
# device call"); on the device: run(command="BUDGET=430 bash tools/gpu_check_and_profile.sh", timeout_s=515,
# carry=[".whl", ".data"]). Writes OUT/check/ (the check's files, bench.json removed: at most 7) and OUT/prof.tgz
# (profile.txt, profile.json, the profile's log, inductor's generated code): 8 files, what a device call returns.
# Used on an H200 on 2026-12-04 (368 s for BUDGET=430; GPU_CHECK.md, "Run record 2"). Knobs: TRAIN_SPEC (training's
# options, default '--compile --cuda-graph --decoder triton'), PROF_VARIANTS (gpu_profile.py's --variants), PROF_ARGS
# (more gpu_profile.py options; a CPU dry run: TRAIN_SPEC=--no-compile PROF_VARIANTS=eager PROF_ARGS='--device cpu
# --steps 3 --batch-size 8' SCAE_CHECK_DEVICE=cpu SCAE_CHECK_FIXTURES=small, with SCAE_GOLDEN and SCAE_CHECK_PYTHON set).
# SCAE_CHECK_PYTHON (default python3) runs everything here, the wheel's install and gpu_profile.py as well as the
# check, so a dry run with another Python (the GPU machine's stack) tests that Python throughout. The profile's files
# are gathered in ${TMPDIR:-/tmp}/res.
set -u
: "${OUT:?set OUT to the output folder}"
PY="${SCAE_CHECK_PYTHON:-python3}"
R="${TMPDIR:-/tmp}/res"; mkdir -p "$R/prof" "$OUT/check"
if compgen -G ".whl/*.whl" > /dev/null; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
fi
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 WANDB_MODE=disabled MPLBACKEND=Agg
if [ -d .data/MNIST/raw ]; then export SCAE_DATA="$PWD/.data"; fi    # the profile's kernel poses: MNIST digits
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,driver_version --format=csv 2>/dev/null
(SCAE_CHECK_BENCH_VARIANTS="train-variant=${TRAIN_SPEC:---compile --cuda-graph --decoder triton}" SCAE_CHECK_COMPILE_MIN=100000 \
 SCAE_CHECK_TRAIN_VARIANT=train-variant bash tools/gpu_check.sh "$OUT/check" "${BUDGET:-430}" > "$R/check_stdout.txt" 2>&1) &
CHECK=$!
sleep 3
TORCHINDUCTOR_CACHE_DIR=/tmp/ind_prof timeout 300 "$PY" tools/gpu_profile.py "$R/prof" --parallel --budget 260 ${PROF_ARGS:-} \
  --variants ${PROF_VARIANTS:-kernel,cuda-graph-triton,cuda-graph-triton-dot,cuda-graph-triton-amp,cuda-graph-triton-dot-amp,cuda-graph-triton-dot-nchw} --pause 'scae_che[c]k/run' 2>&1 \
  | grep -v '^USDT\|^ERROR:20\|^WARNING:20\|^INFO:20' > "$R/prof/prof_log.txt"
tar czf "$OUT/prof.tgz" -C "$R" prof
grep 'gpu_profile' "$R/prof/prof_log.txt" | cut -c1-600
wait $CHECK
rm -f "$OUT/check/bench.json"
ls -la "$OUT" "$OUT/check"
grep -E 'gpu_check:|train|steps|acc' "$OUT/check/log.txt" | tail -25
