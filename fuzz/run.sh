#!/usr/bin/env bash
# Runs every fuzz target (or those named) one after the other, SECONDS_PER_TARGET each
# (default 600), on one core. Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); works on
# a stable toolchain through RUSTC_BOOTSTRAP=1. Logs go to fuzz/logs/TARGET.log, findings to
# fuzz/artifacts/TARGET/. See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
seconds="${SECONDS_PER_TARGET:-600}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(vocabulary parameters catalog evidence profile rule_tests rules)
fi
mkdir -p logs
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    echo "== $t ($seconds s)"
    cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        > "logs/$t.log" 2>&1 || echo "   $t stopped with a finding: see logs/$t.log"
    grep -E "^stat::number_of_executed_units|^stat::new_units_added|Done [0-9]+ runs" "logs/$t.log" || true
done
