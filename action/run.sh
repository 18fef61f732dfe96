#!/usr/bin/env bash
# Runs dynaudit for the GitHub Action (action.yml, step `run`).
#
# `dynaudit scan` (or `dynaudit eval INVENTORY` when the `inventory` input
# is set) writes SARIF with the --fail-on gate applied and appends the
# finding counts to $GITHUB_OUTPUT; the saved inventory is then evaluated
# again for a JSON report (the next run's --baseline) and a Markdown report
# (appended to $GITHUB_STEP_SUMMARY). An error (exit 2) fails this step; the
# gate's exit code (0 or 1) is only recorded as the output `gate-exit`, and
# the action's last step, after the SARIF upload, exits with it.
#
# Every input arrives through the environment (never pasted into this
# script), and reaches dynaudit as one argument each (`--option=VALUE`, the
# inventory after `--`: a value that starts with `-` is still a value):
#   DYNAUDIT_BIN (the binary; default `dynaudit` on PATH)
#   INPUT_INVENTORY INPUT_REGIONS INPUT_CONFIG INPUT_POLICIES INPUT_WAIVERS
#   INPUT_BASELINE INPUT_FAIL_ON INPUT_FAIL_ON_UNKNOWN INPUT_CATEGORY
#   INPUT_OUTPUT_DIR
#   DYNAUDIT_SUMMARY_LIMIT (bytes of the job summary; default 1000000)
# Outputs: sarif, inventory, json, markdown, category, gate-exit, and from
# dynaudit --counts-out: failing, unknown, passing, waived, new,
# gate-failures.
set -euo pipefail

fail() {
  printf '::error title=dynaudit::%s\n' "$*"
  exit 2
}

: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
bin=${DYNAUDIT_BIN:-dynaudit}

out_dir=${INPUT_OUTPUT_DIR:-}
if [ -z "$out_dir" ]; then
  out_dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/dynaudit"
fi
mkdir -p -- "$out_dir"
sarif="$out_dir/dynaudit.sarif"
json="$out_dir/dynaudit.json"
markdown="$out_dir/dynaudit.md"

# Options of every evaluation: config, policy directories, waivers, baseline.
policy_args=()
if [ -n "${INPUT_CONFIG:-}" ]; then
  policy_args+=("--config=$INPUT_CONFIG")
fi
# `policies`: directories separated by newlines or commas; blanks around
# each are ignored.
if [ -n "${INPUT_POLICIES:-}" ]; then
  while IFS= read -r dir; do
    dir="${dir#"${dir%%[![:space:]]*}"}"
    dir="${dir%"${dir##*[![:space:]]}"}"
    if [ -n "$dir" ]; then
      policy_args+=("--policies=$dir")
    fi
  done < <(printf '%s\n' "$INPUT_POLICIES" | tr ',' '\n')
fi
if [ -n "${INPUT_WAIVERS:-}" ]; then
  policy_args+=("--waivers=$INPUT_WAIVERS")
fi
if [ -n "${INPUT_BASELINE:-}" ]; then
  policy_args+=("--baseline=$INPUT_BASELINE")
fi

fail_on=${INPUT_FAIL_ON:-high}
case "$fail_on" in
  critical | high | medium | low | none) ;;
  *) fail "fail-on must be one of critical, high, medium, low, none (got '$fail_on')" ;;
esac
gate_args=(--fail-on "$fail_on")
case "${INPUT_FAIL_ON_UNKNOWN:-false}" in
  true) gate_args+=(--fail-on-unknown) ;;
  false) ;;
  *) fail "fail-on-unknown must be true or false (got '${INPUT_FAIL_ON_UNKNOWN}')" ;;
esac

if [ -n "${INPUT_INVENTORY:-}" ]; then
  inventory=$INPUT_INVENTORY
  if [ -n "${INPUT_REGIONS:-}" ]; then
    fail "regions is for a live scan; it cannot be combined with inventory"
  fi
  # The inventory is the positional argument, after `--`: a path that
  # starts with `-` is still a path.
  command=(eval)
  positional=(-- "$inventory")
else
  inventory="$out_dir/dynaudit-inventory.json"
  command=(scan "--inventory-out=$inventory")
  positional=()
  if [ -n "${INPUT_REGIONS:-}" ]; then
    command+=("--regions=$INPUT_REGIONS")
  fi
fi

category_args=()
if [ -n "${INPUT_CATEGORY:-}" ]; then
  category_args+=("--sarif-category=$INPUT_CATEGORY")
fi

# 1. The gate run: SARIF, counts, exit code.
set +e
"$bin" "${command[@]}" ${policy_args[@]+"${policy_args[@]}"} "${gate_args[@]}" \
  --format sarif "--output=$sarif" "--counts-out=$GITHUB_OUTPUT" \
  ${category_args[@]+"${category_args[@]}"} ${positional[@]+"${positional[@]}"}
gate_exit=$?
set -e
case "$gate_exit" in
  0 | 1) ;;
  *) fail "dynaudit ${command[0]} failed (exit $gate_exit): see its message above" ;;
esac

# The code scanning category: dynaudit writes it into the SARIF
# (automationDetails.id; upload-sarif keeps the one a file has): the
# `category` input, or dynaudit's default dynaudit/<account>/<sorted
# regions>/, which keeps uploads from different accounts and region sets
# apart. Read back from the file for the `category` output.
category=$(tr -d '\n' <"$sarif" |
  sed -n 's/.*"automationDetails"[[:space:]]*:[[:space:]]*{[[:space:]]*"id"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')

# 2. and 3. The same inventory, evaluated again: JSON and Markdown.
for format in json markdown; do
  if [ "$format" = json ]; then report=$json; else report=$markdown; fi
  if ! "$bin" eval ${policy_args[@]+"${policy_args[@]}"} --fail-on none --quiet \
    --format "$format" "--output=$report" -- "$inventory"; then
    fail "dynaudit eval --format $format failed: see its message above"
  fi
done
# GitHub shows at most 1 MiB of a step's summary: a larger report is cut at
# a line boundary, with a note; the whole one is the `markdown` output.
summary_limit=${DYNAUDIT_SUMMARY_LIMIT:-1000000}
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  size=$(wc -c <"$markdown" | tr -d ' ')
  if [ "$size" -le "$summary_limit" ]; then
    cat -- "$markdown" >>"$GITHUB_STEP_SUMMARY"
  else
    LC_ALL=C awk -v limit="$((summary_limit - 1000))" \
      '{ total += length($0) + 1; if (total > limit) exit; print }' "$markdown" >>"$GITHUB_STEP_SUMMARY"
    printf '\n\n_The report is %s bytes, more than a job summary shows: it is cut here. The whole report is the %s output of the action._\n' \
      "$size" "\`markdown\`" >>"$GITHUB_STEP_SUMMARY"
  fi
fi

# One output; a value with a newline in it gets the NAME<<DELIMITER form.
set_output() {
  local delimiter
  case "$2" in
    *$'\n'*)
      delimiter="dynaudit_$RANDOM$RANDOM$RANDOM"
      printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >>"$GITHUB_OUTPUT"
      ;;
    *) printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT" ;;
  esac
}
set_output sarif "$sarif"
set_output inventory "$inventory"
set_output json "$json"
set_output markdown "$markdown"
set_output category "$category"
set_output gate-exit "$gate_exit"
