#!/usr/bin/env bash
# Runs dynaudit for the GitHub Action (action.yml, step `run`).
#
# `dynaudit scan` (or `dynaudit eval INVENTORY` when the `inventory` input
# is set, or `dynaudit iac PATH...` when the `iac` input is: infrastructure
# code, whose planned inventory is what is evaluated again) writes SARIF with the --fail-on gate applied and appends the
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
#   INPUT_INVENTORY INPUT_IAC INPUT_IAC_PARAMETERS INPUT_IAC_ACCOUNT
#   INPUT_REGIONS INPUT_CONFIG INPUT_POLICIES INPUT_WAIVERS
#   INPUT_BASELINE INPUT_FAIL_ON INPUT_FAIL_ON_UNKNOWN INPUT_UPLOAD_SARIF
#   INPUT_CATEGORY INPUT_OUTPUT_DIR
#   INPUT_ORGANIZATION INPUT_OU INPUT_ACCOUNTS INPUT_EXCLUDE_ACCOUNTS
#   INPUT_ROLE_NAME INPUT_EXTERNAL_ID INPUT_SHARD (the account selection)
#   DYNAUDIT_SUMMARY_LIMIT (bytes of the job summary; default 1000000)
# Outputs: sarif, inventory, json, markdown, html, gate-exit, from dynaudit
# --counts-out: failing, unknown, passing, waived, new, gate-failures, and
# from dynaudit --category-out: category (one account only); `upload`:
# `file` (one SARIF file: upload-sarif), `directory` (per-account SARIF
# files: upload.sh) or `none`.
#
# With an account selector (organization, ou, accounts), or an inventory
# that is a directory or several paths, the scope may hold several
# accounts: the scan's inventory is a directory (DIR/<account-id>.json and
# DIR/index.json) and the SARIF report `--output DIR` a directory of
# per-account files, DIR/<account-id>.sarif (a single file when the scope
# holds one account).
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
upload_sarif=${INPUT_UPLOAD_SARIF:-true}
case "$upload_sarif" in
  true | false) ;;
  *) fail "upload-sarif must be true or false" ;;
esac
case "${INPUT_ORGANIZATION:-false}" in
  true | false) ;;
  *) fail "organization must be true or false" ;;
esac
# The free-form inputs: no control characters (a line break in a path
# could only be a mistake or an attack). `policies` and `inventory` are
# split below (at line breaks and commas, at line breaks), and each part
# checked.
for input in regions config waivers baseline category output-dir iac-parameters iac-account \
  ou accounts exclude-accounts role-name external-id shard; do
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

# The account selection: each input one argument, `--option=VALUE`
# (dynaudit checks the ids and names themselves).
selection_args=()
if [ "${INPUT_ORGANIZATION:-false}" = true ]; then
  selection_args+=(--organization)
fi
if [ -n "${INPUT_OU:-}" ]; then
  selection_args+=("--ou=$INPUT_OU")
fi
if [ -n "${INPUT_ACCOUNTS:-}" ]; then
  selection_args+=("--accounts=$INPUT_ACCOUNTS")
fi
selected=${#selection_args[@]}
if [ -n "${INPUT_EXCLUDE_ACCOUNTS:-}" ]; then
  selection_args+=("--exclude-accounts=$INPUT_EXCLUDE_ACCOUNTS")
fi
if [ -n "${INPUT_ROLE_NAME:-}" ]; then
  selection_args+=("--role-name=$INPUT_ROLE_NAME")
fi
if [ -n "${INPUT_EXTERNAL_ID:-}" ]; then
  if [ -z "${INPUT_ROLE_NAME:-}" ]; then
    fail "external-id needs role-name (the role whose trust policy requires it)"
  fi
  selection_args+=("--external-id=$INPUT_EXTERNAL_ID")
fi
if [ -n "${INPUT_SHARD:-}" ]; then
  if ! [[ "$INPUT_SHARD" =~ ^([1-9][0-9]{0,5})/([1-9][0-9]{0,5})$ ]] ||
    [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
    fail "shard must be K/N with 1 <= K <= N, such as 2/4"
  fi
  selection_args+=("--shard=$INPUT_SHARD")
fi
if [ "$selected" -eq 0 ] && [ "${#selection_args[@]}" -gt 0 ]; then
  fail "exclude-accounts, role-name, external-id and shard need an account selection: organization, ou or accounts"
fi

out_dir=${INPUT_OUTPUT_DIR:-}
if [ -z "$out_dir" ]; then
  out_dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/dynaudit"
fi
# (mkdir's message would repeat the path: quarantined.)
if ! quarantine mkdir -p -- "$out_dir"; then
  fail "cannot create the output directory (see the message above)"
fi
json="$out_dir/dynaudit.json"
markdown="$out_dir/dynaudit.md"
html="$out_dir/dynaudit.html"

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

# Several accounts: a selector, or inventory directories.
multi=false
if [ -n "${INPUT_IAC:-}" ]; then
  if [ -n "${INPUT_INVENTORY:-}" ]; then
    fail "iac and inventory cannot be combined: give one"
  fi
  if [ "${#selection_args[@]}" -gt 0 ]; then
    fail "organization, ou, accounts, exclude-accounts, role-name, external-id and shard are for a live scan; they cannot be combined with iac"
  fi
  # The code's paths are positional arguments after `--`, one per line.
  positional=(--)
  while IFS= read -r path; do
    path="${path#"${path%%[![:space:]]*}"}"
    path="${path%"${path##*[![:space:]]}"}"
    if has_control "$path"; then
      fail "the iac input holds a control character (a tab or escape)"
    fi
    if [ -n "$path" ]; then
      positional+=("$path")
    fi
  done < <(printf '%s\n' "$INPUT_IAC")
  if [ "${#positional[@]}" -lt 2 ]; then
    fail "the iac input names no path"
  fi
  inventory="$out_dir/dynaudit-planned-inventory.json"
  command=(iac "--inventory-out=$inventory")
  if [ -n "${INPUT_IAC_PARAMETERS:-}" ]; then
    command+=("--parameters=$INPUT_IAC_PARAMETERS")
  fi
  if [ -n "${INPUT_IAC_ACCOUNT:-}" ]; then
    command+=("--account=$INPUT_IAC_ACCOUNT")
  fi
  if [ -n "${INPUT_REGIONS:-}" ]; then
    if [ "$INPUT_REGIONS" = all ]; then
      fail "regions must name the regions the code is deployed to; all means nothing before deployment"
    fi
    command+=("--regions=$INPUT_REGIONS")
  fi
elif [ -n "${INPUT_IAC_PARAMETERS:-}" ] || [ -n "${INPUT_IAC_ACCOUNT:-}" ]; then
  fail "iac-parameters and iac-account need the iac input"
elif [ -n "${INPUT_INVENTORY:-}" ]; then
  if [ -n "${INPUT_REGIONS:-}" ]; then
    fail "regions is for a live scan; it cannot be combined with inventory"
  fi
  if [ "${#selection_args[@]}" -gt 0 ]; then
    fail "organization, ou, accounts, exclude-accounts, role-name, external-id and shard are for a live scan; they cannot be combined with inventory"
  fi
  # The inventories are the positional arguments, after `--`: a path that
  # starts with `-` is still a path. One path per line; blanks around each
  # are ignored.
  positional=(--)
  inventory=
  while IFS= read -r path; do
    path="${path#"${path%%[![:space:]]*}"}"
    path="${path%"${path##*[![:space:]]}"}"
    if has_control "$path"; then
      fail "the inventory input holds a control character (a tab or escape)"
    fi
    if [ -n "$path" ]; then
      positional+=("$path")
      inventory="$inventory${inventory:+$'\n'}$path"
      if [ -d "$path" ]; then
        multi=true
      fi
    fi
  done < <(printf '%s\n' "$INPUT_INVENTORY")
  if [ "${#positional[@]}" -gt 2 ]; then
    multi=true
  fi
  command=(eval)
elif [ "${#selection_args[@]}" -gt 0 ]; then
  multi=true
  inventory="$out_dir/dynaudit-inventory"
  command=(scan "--inventory-out=$inventory" "${selection_args[@]}")
  positional=()
else
  inventory="$out_dir/dynaudit-inventory.json"
  command=(scan "--inventory-out=$inventory")
  positional=()
fi
if [ -z "${INPUT_INVENTORY:-}" ] && [ -z "${INPUT_IAC:-}" ] && [ -n "${INPUT_REGIONS:-}" ]; then
  command+=("--regions=$INPUT_REGIONS")
fi

# One account: one SARIF file, and its category (the input's, or
# dynaudit's default). Several: a directory of per-account files, each
# with its own category dynaudit/<account>/<sorted regions>/.
category_args=()
if [ "$multi" = true ]; then
  if [ -n "${INPUT_CATEGORY:-}" ]; then
    fail "category cannot be combined with several accounts: each account's SARIF file carries its own category"
  fi
  sarif="$out_dir/sarif"
else
  sarif="$out_dir/dynaudit.sarif"
  category_args+=("--category-out=$GITHUB_OUTPUT")
  if [ -n "${INPUT_CATEGORY:-}" ]; then
    category_args+=("--sarif-category=$INPUT_CATEGORY")
  fi
fi

# 1. The gate run: SARIF, counts, exit code, and the code scanning
# category: dynaudit writes it into the SARIF (automationDetails.id;
# upload-sarif keeps the one a file has) and, for the `category` output,
# into $GITHUB_OUTPUT (--category-out): the `category` input, or dynaudit's
# default dynaudit/<account>/<sorted regions>/, which keeps uploads from
# different accounts and region sets apart.
gate_exit=0
quarantine "$bin" "${command[@]}" ${policy_args[@]+"${policy_args[@]}"} "${gate_args[@]}" \
  --format sarif "--output=$sarif" "--counts-out=$GITHUB_OUTPUT" \
  ${category_args[@]+"${category_args[@]}"} ${positional[@]+"${positional[@]}"} || gate_exit=$?
case "$gate_exit" in
  0 | 1) ;;
  *) fail "dynaudit ${command[0]} failed (exit $gate_exit): see its message above" ;;
esac

# 2. and 3. The same inventory, evaluated again: JSON and Markdown.
if [ "${command[0]}" = eval ]; then
  evaluated=("${positional[@]}")
else
  evaluated=(-- "$inventory")
fi
for format in json markdown html; do
  case $format in
    json) report=$json ;;
    markdown) report=$markdown ;;
    *) report=$html ;;
  esac
  # (Not a gate: an incomplete scope, which the gate run counted, is
  # reported in these too, and is no error here.)
  if ! quarantine "$bin" eval ${policy_args[@]+"${policy_args[@]}"} --fail-on none --allow-incomplete-scope --quiet \
    --format "$format" "--output=$report" "${evaluated[@]}"; then
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

# What the upload steps do: upload-sarif takes one file; a directory of
# per-account files goes through upload.sh, one request per file.
if [ "$upload_sarif" = false ]; then
  upload="none"
elif [ -d "$sarif" ]; then
  upload="directory"
else
  upload="file"
fi
set_output upload "$upload"
set_output sarif "$sarif"
set_output inventory "$inventory"
set_output json "$json"
set_output markdown "$markdown"
set_output html "$html"
set_output gate-exit "$gate_exit"
