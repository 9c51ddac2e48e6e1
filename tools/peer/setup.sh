#!/usr/bin/env bash
# Builds the peer benchmark environment under $PEERS_ROOT (default ~/.cache/scae-peers) from a git
# checkout of bdsaglam/torch-scae, for tools/side_by_side.py. Usage:
#   git clone https://github.com/bdsaglam/torch-scae /tmp/torch-scae
#   bash tools/peer/setup.sh /tmp/torch-scae
set -eu
PEERS_ROOT=${PEERS_ROOT:-$HOME/.cache/scae-peers}
mkdir -p "$PEERS_ROOT"
src=${1:?usage: setup.sh GIT_DIR_OF_FETCHED_torch-scae}
[ -d "$src" ] || { echo "no such git dir: $src"; exit 2; }
rm -rf "$PEERS_ROOT/torch-scae"; mkdir -p "$PEERS_ROOT/torch-scae"
git -C "$src" archive HEAD | tar -x -C "$PEERS_ROOT/torch-scae"
# modern torch refuses the in-place multiply of a split view in cv_ops.geometric_transform
sed -i 's/^\(\s*\)theta \*= \(.*\)$/\1theta = theta * (\2)/' "$PEERS_ROOT/torch-scae/torch_scae/cv_ops.py"
if [ ! -x "$PEERS_ROOT/venv/bin/python" ]; then
  python3 -m venv "$PEERS_ROOT/venv"
  "$PEERS_ROOT/venv/bin/pip" install -q torch==2.13.0 monty pyyaml numpy easydict
fi
cp "$(dirname "$0")/bench_peer.py" "$PEERS_ROOT/bench_peer.py"
echo "peers ready in $PEERS_ROOT"
