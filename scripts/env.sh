# Shared settings for ktv's scripts; sourced, not run.
#
# One target directory outside the checkout, shared by every clone and every CI run on this
# machine, so a fresh clone starts from warm build caches. One build profile (dev, with
# optimised dependencies: see Cargo.toml) serves running, testing and test-mode benches.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ktv/target}"
# Fuzz builds use sanitizer flags; keeping them apart stops the two builds invalidating each other.
export KTV_FUZZ_TARGET_DIR="${KTV_FUZZ_TARGET_DIR:-$HOME/.cache/ktv/fuzz-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"
