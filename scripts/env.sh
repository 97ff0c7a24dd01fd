# Sourced by the scripts: puts the pinned build tools first on PATH.
REMBUK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$REMBUK_ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# How the phone's WebAssembly is compiled (scripts/build-site, and the size
# floor it is compared with): the 150 KB budget of a cheap phone on a weak
# signal, met by building the standard library for it rather than linking
# the prebuilt one.
# - `-Zbuild-std` with std's `optimize_for_size`: the standard library at
#   the bundle's own `opt-level = "z"`, with its smaller sorts and
#   formatting (the prebuilt one is built for speed).
# - `-Cpanic=immediate-abort`: a panic stops the WebAssembly at once, as
#   `panic = "abort"` already did, but without the code and text that
#   format its message for the console.
# - `-Zfmt-debug=none`: `{:?}` writes nothing. Nothing the phone shows or
#   sends is formatted with `Debug` (its words come from the translation
#   files, its data from `Display` and JSON); only panic and log messages
#   were, and those are gone above.
# - `-Zlocation-detail=none`: no file names and lines for panics.
# These flags are unstable, and this machine's only toolchain is stable:
# `RUSTC_BOOTSTRAP=1` lets the same compiler accept them for this one
# build (the staff bundle, the server and the tests are built without it).
# Needs the `rust-src` component (scripts/install-tools adds it). The build
# gets a target directory of its own: with RUSTC_BOOTSTRAP, cargo builds
# even the host's proc-macros anew, and in a shared directory the next
# server build would rebuild them, and everything above them, back.
phone_rust_env() {
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REMBUK_ROOT/target}/phone"
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none"
}
