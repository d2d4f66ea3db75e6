#!/usr/bin/env bash
# Runs `/plan` ten times against a real llama.cpp server and counts how often the coach's plan
# is used (repaired where needed) rather than focus's own fallback. Run by hand; the project's
# tests do not need it.
#
# It uses ../shared/peers/llama-serve (llama.cpp's server with a tiny random-weight model whose
# words are gibberish, so only a schema-constrained reply can be a plan). Usage:
#
#   scripts/plan-with-llama.sh [PEERS_DIR]     # default: ../shared/peers
#
# Each run is a fresh `focus` with an empty HOME, fed `/plan …` on a pipe. A run counts as the
# coach's when focus prints the plan without saying "here is focus's own plan".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
peers=${1:-$root/../shared/peers}
port=${PORT:-18611}

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
focus=$root/target/release/focus

pid=$("$peers/llama-serve" "$port" 8192 -n 400)
trap 'kill "$pid" 2>/dev/null || true' EXIT

phrasings=(
    "write the blog post for 90m, goal 800 words"
    "review pull requests for 50m"
    "budget spreadsheet for 1h, deep work"
    "email triage for 30m, micro"
    "prepare the slides for 2h"
    "read the paper for 45m, goal: notes on section 3"
    "fix the flaky test for 75m"
    "plan the sprint for 25m"
    "write the report for 40m, goal: two sections"
    "clean up the backlog for 100m, pomodoro"
)

used=0
for words in "${phrasings[@]}"; do
    home=$(mktemp -d)
    log=$home/out
    # /quit once a plan is on screen (or after 60 s), so the coach's turn is never cut short.
    (
        printf '/plan %s\n' "$words"
        for _ in $(seq 600); do
            grep -q "^/start begins it" "$log" 2>/dev/null && break
            sleep 0.1
        done
        printf '/quit\n'
    ) | env -i PATH="$PATH" HOME="$home" OPENAI_API_KEY=x \
        FOCUS__LLM__BASE_URL="http://127.0.0.1:$port/v1" FOCUS__LLM__MODEL=tiny \
        timeout 90 "$focus" >"$log" 2>&1 || true
    out=$(cat "$log")
    rm -rf "$home"
    if grep -q "^Focus plan:" <<<"$out" && ! grep -q "focus's own plan" <<<"$out"; then
        used=$((used + 1))
        verdict="coach's plan"
        repairs=$(grep -c "^focus: The \|^focus: Two " <<<"$out" || true)
        [ "$repairs" -gt 0 ] && verdict="$verdict, $repairs repair(s)"
    else
        verdict="fallback: $(grep -m1 "focus:" <<<"$out" || echo "no plan shown")"
    fi
    printf '%-55s %s\n' "/plan $words" "$verdict"
done
printf '\nthe coach'"'"'s plan was used in %d of %d runs\n' "$used" "${#phrasings[@]}"
