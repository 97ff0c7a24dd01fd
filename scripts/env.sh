# Sourced by the scripts: puts the pinned build tools first on PATH.
REMBUK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$REMBUK_ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
