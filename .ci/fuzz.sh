#!/usr/bin/env bash
# Fuzzing, in two parts:
#
# 1. Always: the stable mutation fuzzer (tests/fuzz_mutations.rs, fuzz_long) in release mode
#    for CACHELINT_FUZZ_SECONDS (default 60) with a fresh seed, or CACHELINT_FUZZ_SEED=<n> to
#    repeat a run. The seed is printed first. Crashing inputs are written to
#    target/fuzz-crash-<case seed>.yml; copy one to tests/fuzz/regressions/ to keep it.
#    Then the language server fuzzer (tests/lsp_fuzz.rs, lsp_fuzz_long) for a quarter of that
#    time, at least 5 s, with the same seed.
# 2. When CACHELINT_CARGO_FUZZ_SECONDS=<n> is set and `cargo +nightly fuzz` works: each
#    cargo-fuzz target in fuzz/ for <n> seconds, seeded from the workflows under
#    ../shared/corpus, tests/fixtures and examples. Crashes land in fuzz/artifacts/<target>/.
#    CACHELINT_FUZZ_NO_HUMAN=1 keeps the `lint` target out of the human (miette) renderer, so a
#    known crash there does not stop it at once.
#
# Usage: .ci/fuzz.sh                    # 60 s, random seed
#        CACHELINT_FUZZ_SECONDS=300 CACHELINT_FUZZ_SEED=1234 .ci/fuzz.sh
#        CACHELINT_FUZZ_SECONDS=0 CACHELINT_CARGO_FUZZ_SECONDS=120 .ci/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${CACHELINT_FUZZ_SECONDS:-60}"
seed="${CACHELINT_FUZZ_SEED:-random}"
if [ "$seed" = random ]; then
  seed="$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')"
fi
status=0

if [ "$secs" -gt 0 ]; then
  echo "fuzz.sh: mutation fuzzing for ${secs}s, seed ${seed}"
  echo "fuzz.sh: rerun with CACHELINT_FUZZ_SEED=${seed} CACHELINT_FUZZ_SECONDS=${secs} .ci/fuzz.sh"
  CACHELINT_FUZZ_SECONDS="$secs" CACHELINT_FUZZ_SEED="$seed" \
    cargo test --release --test fuzz_mutations fuzz_long -- --ignored --nocapture || status=$?
  echo "fuzz.sh: mutation fuzzing seed ${seed}: exit ${status}"
fi

if [ "$secs" -gt 0 ]; then
  # The language server: random edits, code actions and hovers through an in-process session
  # (tests/lsp_fuzz.rs), for a quarter of the time (at least 5 s), with the same seed.
  lsp_secs=$(( secs / 4 > 5 ? secs / 4 : 5 ))
  echo "fuzz.sh: language server fuzzing for ${lsp_secs}s, seed ${seed}"
  CACHELINT_FUZZ_SECONDS="$lsp_secs" CACHELINT_FUZZ_SEED="$seed" \
    cargo test --release --test lsp_fuzz lsp_fuzz_long -- --ignored --nocapture || status=$?
  echo "fuzz.sh: language server fuzzing seed ${seed}: exit ${status}"
fi

cf_secs="${CACHELINT_CARGO_FUZZ_SECONDS:-0}"
if [ "$cf_secs" -gt 0 ]; then
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: skipping cargo-fuzz: needs a nightly toolchain and cargo-fuzz (cargo install cargo-fuzz)"
  else
    seeds="$(mktemp -d)"
    trap 'rm -rf "$seeds"' EXIT
    # libFuzzer reads a corpus folder without descending into subfolders: flatten the seeds.
    n=0
    for dir in ../shared/corpus tests/fixtures examples tests/fuzz/regressions; do
      [ -d "$dir" ] || continue
      while IFS= read -r -d '' f; do
        n=$((n + 1))
        cp "$f" "$seeds/seed-$n.yml"
      done < <(find "$dir" -type f \( -name '*.yml' -o -name '*.yaml' \) -size -64k -print0)
    done
    echo "fuzz.sh: cargo-fuzz, ${cf_secs}s per target, ${n} seed files"
    for target in yaml_parse yaml_fast_path expr shell_scan lint; do
      mkdir -p "fuzz/corpus/$target"
      (cd fuzz && cargo +nightly fuzz run -O "$target" "corpus/$target" "$seeds" -- \
        -max_total_time="$cf_secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -dict=workflow.dict -print_final_stats=1) || status=$?
    done
  fi
fi
exit "$status"
