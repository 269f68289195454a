#!/usr/bin/env bash
# Measures the runner against the targets of issue 4, on a copy of the
# workbook (the learner's files are never touched):
#
#   check of every lesson, nothing changed ........ <= 5 s
#   check <lesson> after a one-line edit .......... <= 10 s
#   fresh clone to its first verdict (--cold) ..... <= 5 min, crates downloaded
#   target dir with every lesson built (--cold) ... < 3 GB
#
# The copy plays a learner who finished lessons 01 and 02 (the reference
# code is copied in) and has started lesson 03. Warm figures share the
# workbook's target dir; --cold builds into an empty one of its own (minutes
# on two cores, and about as much disk as the figure it reports).
#
# Usage: bash xtask/bench.sh [--cold]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
home=${TMPDIR:-/tmp}/workbook-xtask-bench
copy=$home/workbook
cold=${1:-}

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc | xargs printf '%.1f'; }
measure() { # measure LABEL COMMAND...: runs it in the copy, prints the time
  local label=$1; shift
  local start; start=$(now)
  (cd "$copy" && "$@" >"$copy/.bench.log" 2>&1) || true
  printf '%-52s %6s s   (%s)\n' "$label" "$(since "$start")" "$(grep -m1 -E 'passed|failing|not started|does not|timed|TAMPERED' "$copy/.bench.log" | sed 's/^ *//' | cut -c1-60)"
}

echo "bench: copying the workbook to $copy"
mkdir -p "$copy" "$home/.cargo"
# Cargo names a workspace crate's build after its path inside the workspace,
# so the copy's crates would overwrite the real ones' in a shared target dir.
# Profile overrides in a config above the copy give them names of their own.
printf '[profile.dev.package.workbook]\ncodegen-units = 255\n[profile.dev.package.xtask]\ncodegen-units = 255\n' >"$home/.cargo/config.toml"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | (cd "$copy" && tar -xf -)
rm -rf "$copy/.workbook"

# Lessons 01 and 02 done, 03 started.
lessons=$(cd "$copy/lessons" && ls -d [0-9][0-9]-* | sort)
first_two=$(echo "$lessons" | head -2)
last=$(echo "$lessons" | sed -n 3p)
for lesson in $first_two; do
  (cd "$copy/solutions/$lesson/src" && find . -name '*.rs' ! -name main.rs -exec cp --parents {} "$copy/lessons/$lesson/src/" \;)
done
if [ -n "$last" ]; then echo "// started" >>"$copy/lessons/$last/src/lib.rs"; fi
n_last=${last%%-*}

export CARGO_TARGET_DIR=$target
echo "bench: warming up (builds the copy's crates once)"
measure "warm-up: cargo xtask check" cargo xtask check
measure "check, nothing changed" cargo xtask check
measure "check, nothing changed (again)" cargo xtask check
measure "check --fresh, nothing changed (no shortcuts)" cargo xtask check --fresh
echo "// one line" >>"$copy/lessons/$last/src/lib.rs"
measure "check $n_last after a one-line edit (a failing lesson)" cargo xtask check "$n_last"
echo "// one line" >>"$copy/lessons/01-basic-middleware/src/lib.rs"
measure "check 01 after a one-line edit (a passing lesson)" cargo xtask check 01
measure "check 01, nothing changed" cargo xtask check 01

if [ "$cold" = "--cold" ]; then
  export CARGO_TARGET_DIR=$target/xtask-bench/cold-target
  rm -rf "$CARGO_TARGET_DIR" "$copy/.workbook"
  echo "bench: cold: empty target dir $CARGO_TARGET_DIR"
  measure "fresh clone: cargo xtask check 01 (first verdict)" cargo xtask check 01
  measure "then every lesson: cargo xtask check --fresh" cargo xtask check --fresh
  echo "target dir after checking every lesson: $(du -sh "$CARGO_TARGET_DIR" | cut -f1)"
  start=$(now)
  (cd "$copy" && cargo test --workspace --no-run >/dev/null 2>&1) || true
  printf '%-52s %6s s\n' "then every crate's tests (cargo test --workspace --no-run)" "$(since "$start")"
  echo "target dir with every crate and test built: $(du -sh "$CARGO_TARGET_DIR" | cut -f1)"
fi
