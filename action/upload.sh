#!/usr/bin/env bash
# Uploads a directory of per-account SARIF files to GitHub code scanning
# (action.yml, step "Upload the per-account SARIF files"), one request per
# file, through the REST API:
#   POST $GITHUB_API_URL/repos/$GITHUB_REPOSITORY/code-scanning/sarifs
#   {"commit_sha", "ref", "sarif": base64 of the gzipped file}
# then waits for GitHub to process each upload:
#   GET .../code-scanning/sarifs/<id>  (processing_status)
#
# Why not github/codeql-action/upload-sarif with the directory: it merges
# every file of a directory into ONE upload, and GitHub refuses an upload of
# more than 20 runs; an organization has hundreds of accounts, one run each.
# One upload per file keeps each account's category (the file's
# automationDetails.id, dynaudit/<account>/<sorted regions>/) its own
# analysis, which the next upload of the same account replaces.
#
# Uploads are paced (DYNAUDIT_UPLOAD_INTERVAL seconds apart, default 1):
# GitHub allows about 80 content-creating requests a minute and 500 an
# hour. A request that fails is retried (curl --retry) and then fails the
# step, after the other files were tried.
#
# Environment: SARIF_DIR (the run step's `sarif` output), DYNAUDIT_UPLOAD_TOKEN
# (the job's token, `security-events: write`; given to curl alone, on its
# standard input, never on a command line), DYNAUDIT_UPLOAD_INTERVAL,
# DYNAUDIT_UPLOAD_WAIT (seconds to wait for processing, default 600), and
# from the runner GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_REF,
# RUNNER_TEMP.
set -euo pipefail

# shellcheck source=action/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

fail() {
  annotate error "dynaudit upload" "$*"
  exit 1
}

# (Not `token`: lib.sh's quarantine has a local of that name, which bash's
# dynamic scoping would show to the function it runs.)
upload_token=${DYNAUDIT_UPLOAD_TOKEN:-}
unset DYNAUDIT_UPLOAD_TOKEN
[ -n "$upload_token" ] || fail "no token for the code scanning upload"
dir=${SARIF_DIR:-}
[ -d "$dir" ] || fail "the SARIF directory does not exist"
api_url=${GITHUB_API_URL:-https://api.github.com}
case "$api_url" in
  https://*) ;;
  *) fail "GITHUB_API_URL is not an https:// URL" ;;
esac
if has_control "$api_url"; then
  fail "GITHUB_API_URL holds a control character"
fi
[[ "${GITHUB_REPOSITORY:-}" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] ||
  fail "GITHUB_REPOSITORY is not OWNER/REPO"
[[ "${GITHUB_SHA:-}" =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]] || fail "GITHUB_SHA is not a commit id"
ref=${GITHUB_REF:-}
[[ "$ref" =~ ^refs/ ]] || fail "GITHUB_REF is not a full ref (refs/...)"
if has_control "$ref"; then
  fail "GITHUB_REF holds a control character"
fi
interval=${DYNAUDIT_UPLOAD_INTERVAL:-1}
[[ "$interval" =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "DYNAUDIT_UPLOAD_INTERVAL is not a number of seconds"
wait_limit=${DYNAUDIT_UPLOAD_WAIT:-600}
[[ "$wait_limit" =~ ^[0-9]+$ ]] || fail "DYNAUDIT_UPLOAD_WAIT is not a number of seconds"
endpoint="$api_url/repos/$GITHUB_REPOSITORY/code-scanning/sarifs"

# A JSON string: backslash and quote escaped (the value holds no control
# character).
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/dynaudit-upload.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# api METHOD URL [BODY_FILE]: the response body on standard output; the
# token reaches curl on its standard input (--config -), not its arguments.
api() {
  local args=(--silent --show-error --fail-with-body --proto "=https" --tlsv1.2
    --retry 3 --retry-all-errors --max-time 120 --config -
    --header "Accept: application/vnd.github+json"
    --header "X-GitHub-Api-Version: 2022-11-28"
    --request "$1" --url "$2")
  if [ $# -ge 3 ]; then
    args+=(--header "Content-Type: application/json" --data-binary "@$3")
  fi
  printf 'header = "Authorization: Bearer %s"\n' "$upload_token" | curl "${args[@]}"
}

# The per-account files, in name order.
files=()
while IFS= read -r -d '' file; do
  files+=("$file")
done < <(find "$dir" -maxdepth 1 -type f -name '*.sarif' -print0 | LC_ALL=C sort -z)
[ "${#files[@]}" -gt 0 ] || fail "the SARIF directory holds no .sarif file"
echo "dynaudit upload: ${#files[@]} SARIF file(s), one upload each"

failed=0
ids=()
names=()
for file in "${files[@]}"; do
  name=$(basename -- "$file")
  payload="$work/payload.json"
  {
    printf '{"commit_sha":"%s","ref":%s,"sarif":"' "$GITHUB_SHA" "$(json_string "$ref")"
    gzip -c -- "$file" | base64 | tr -d '\n'
    printf '"}'
  } >"$payload"
  if response=$(quarantine api POST "$endpoint" "$payload"); then
    if [[ "$response" =~ \"id\"[[:space:]]*:[[:space:]]*\"([A-Za-z0-9-]+)\" ]]; then
      ids+=("${BASH_REMATCH[1]}")
      names+=("$name")
      echo "dynaudit upload: $(shown "$name") uploaded (${BASH_REMATCH[1]})"
    else
      annotate error "dynaudit upload" "$name: the upload answered without an id"
      failed=$((failed + 1))
    fi
  else
    printf '%s\n' "$response"
    annotate error "dynaudit upload" "$name: the upload failed (see the answer above)"
    failed=$((failed + 1))
  fi
  sleep "$interval"
done

# Processing: every upload complete, or failed with GitHub's errors.
deadline=$((SECONDS + wait_limit))
for i in "${!ids[@]}"; do
  while :; do
    status=
    if response=$(quarantine api GET "$endpoint/${ids[$i]}"); then
      if [[ "$response" =~ \"processing_status\"[[:space:]]*:[[:space:]]*\"([a-z]+)\" ]]; then
        status=${BASH_REMATCH[1]}
      fi
    fi
    case "$status" in
      complete) break ;;
      failed)
        printf '%s\n' "$response"
        annotate error "dynaudit upload" "${names[$i]}: code scanning could not process the upload (see its errors above)"
        failed=$((failed + 1))
        break
        ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      annotate warning "dynaudit upload" "${names[$i]}: still not processed after ${wait_limit}s; not waiting longer"
      break
    fi
    sleep 5
  done
done

if [ "$failed" -gt 0 ]; then
  fail "$failed of ${#files[@]} SARIF upload(s) failed"
fi
echo "dynaudit upload: ${#files[@]} SARIF file(s) uploaded and processed"
