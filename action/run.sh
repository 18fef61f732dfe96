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
#   INPUT_BASELINE INPUT_FAIL_ON INPUT_FAIL_ON_UNKNOWN INPUT_UPLOAD_SARIF
#   INPUT_CATEGORY INPUT_OUTPUT_DIR
#   DYNAUDIT_SUMMARY_LIMIT (bytes of the job summary; default 1000000)
# Outputs: sarif, inventory, json, markdown, gate-exit, from dynaudit
# --counts-out: failing, unknown, passing, waived, new, gate-failures, and
# from dynaudit --category-out: category.
#
# Every input is checked before anything runs: the ones with a fixed set of
# values against it, the others (paths, regions, category) for control
# characters; a bad one fails the step with a fixed message that does not
# repeat it. dynaudit's own output runs with workflow commands stopped
# (lib.sh, quarantine): an inventory, a path or a policy cannot make the
# runner act on a line it prints.
set -euo pipefail

# shellcheck source=action/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

fail() {
  annotate error dynaudit "$*"
  exit 2
}

: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
bin=${DYNAUDIT_BIN:-dynaudit}

# The inputs with a fixed set of values.
fail_on=${INPUT_FAIL_ON:-high}
case "$fail_on" in
  critical | high | medium | low | none) ;;
  *) fail "fail-on must be one of critical, high, medium, low, none" ;;
esac
gate_args=(--fail-on "$fail_on")
case "${INPUT_FAIL_ON_UNKNOWN:-false}" in
  true) gate_args+=(--fail-on-unknown) ;;
  false) ;;
  *) fail "fail-on-unknown must be true or false" ;;
esac
case "${INPUT_UPLOAD_SARIF:-true}" in
  true | false) ;;
  *) fail "upload-sarif must be true or false" ;;
esac
# The free-form inputs: no control characters (a line break in a path
# could only be a mistake or an attack). `policies` is split at line
# breaks and commas below, and each directory checked.
for input in inventory regions config waivers baseline category output-dir; do
  variable="INPUT_$(printf '%s' "$input" | tr 'a-z-' 'A-Z_')"
  if has_control "${!variable:-}"; then
    fail "the $input input holds a control character (a line break, tab or escape)"
  fi
done
# Regions: `all`, or region names (lower-case letters, digits, dashes)
# separated by commas; dynaudit checks the names themselves.
if [ -n "${INPUT_REGIONS:-}" ] &&
  ! [[ "$INPUT_REGIONS" =~ ^[[:space:]]*(all|[a-z0-9-]+([[:space:]]*,[[:space:]]*[a-z0-9-]+)*)[[:space:]]*$ ]]; then
  fail "regions must be all or a comma-separated list of region names such as us-east-1,eu-west-1"
fi

out_dir=${INPUT_OUTPUT_DIR:-}
if [ -z "$out_dir" ]; then
  out_dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/dynaudit"
fi
# (mkdir's message would repeat the path: quarantined.)
if ! quarantine mkdir -p -- "$out_dir"; then
  fail "cannot create the output directory (see the message above)"
fi
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
    if has_control "$dir"; then
      fail "a directory of the policies input holds a control character (a tab or escape)"
    fi
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

# 1. The gate run: SARIF, counts, exit code, and the code scanning
# category: dynaudit writes it into the SARIF (automationDetails.id;
# upload-sarif keeps the one a file has) and, for the `category` output,
# into $GITHUB_OUTPUT (--category-out): the `category` input, or dynaudit's
# default dynaudit/<account>/<sorted regions>/, which keeps uploads from
# different accounts and region sets apart.
gate_exit=0
quarantine "$bin" "${command[@]}" ${policy_args[@]+"${policy_args[@]}"} "${gate_args[@]}" \
  --format sarif "--output=$sarif" "--counts-out=$GITHUB_OUTPUT" "--category-out=$GITHUB_OUTPUT" \
  ${category_args[@]+"${category_args[@]}"} ${positional[@]+"${positional[@]}"} || gate_exit=$?
case "$gate_exit" in
  0 | 1) ;;
  *) fail "dynaudit ${command[0]} failed (exit $gate_exit): see its message above" ;;
esac

# 2. and 3. The same inventory, evaluated again: JSON and Markdown.
for format in json markdown; do
  if [ "$format" = json ]; then report=$json; else report=$markdown; fi
  if ! quarantine "$bin" eval ${policy_args[@]+"${policy_args[@]}"} --fail-on none --quiet \
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

set_output sarif "$sarif"
set_output inventory "$inventory"
set_output json "$json"
set_output markdown "$markdown"
set_output gate-exit "$gate_exit"
