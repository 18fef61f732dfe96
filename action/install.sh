#!/usr/bin/env bash
# Installs dynaudit for the GitHub Action (action.yml, step `install`).
#
# The prebuilt binary of the action's own version is downloaded from the
# project's GitHub release:
#   $DYNAUDIT_RELEASE_BASE_URL/<tag>/dynaudit-<target>.tar.gz (+ .sha256)
# where the base URL defaults to
#   https://github.com/<action repository>/releases/download
# over HTTPS only (TLS 1.2 or later, redirects included), or a local
# file:// mirror; any other scheme fails the step. It is checked, in order:
#   1. against its .sha256 file (integrity: a mismatch, or a missing
#      checksum, fails the step; the checksum comes from the same release,
#      so it proves nothing about who published the binary);
#   2. against its build provenance (authenticity: the release workflow,
#      .github/workflows/release.yml of the action's repository, attests
#      every asset with actions/attest-build-provenance), with
#      `gh attestation verify` when the GitHub CLI is on the runner (it is
#      on GitHub-hosted runners). A failed verification fails the step.
#      Input `verify-provenance`: `auto` (verify when gh is there, a warning
#      when not), `always` (fail without gh), `never` (sha256 only, with a
#      warning).
# When no prebuilt binary fits (a platform without one, an action ref that
# is not a release tag such as a branch or a commit, or a release without
# that asset) dynaudit can be built from the action's own source with
# `cargo install --locked`, only when the input `allow-build-from-source` is
# `true` (default `false`: the step fails), and then with a warning.
#
# Inputs (environment):
#   DYNAUDIT_ACTION_REF         the action's ref (`github.action_ref`), e.g. v0.1.0
#   DYNAUDIT_ACTION_REPOSITORY  the action's repository (`github.action_repository`)
#   DYNAUDIT_RELEASE_BASE_URL   optional: another base URL (a GHES mirror, file://)
#   DYNAUDIT_GH_TOKEN           the token gh reads attestations with (only
#                               gh gets it, never cargo and its build scripts)
#   INPUT_ALLOW_BUILD_FROM_SOURCE, INPUT_VERIFY_PROVENANCE  the inputs
#   GITHUB_ACTION_PATH, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT,
#   GITHUB_PATH                 set by the runner
# Outputs: `bin` (the path of the installed binary) and `source`
# (`release` or `cargo`); the binary's directory is added to GITHUB_PATH.
set -euo pipefail

# shellcheck source=action/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

log() { printf 'dynaudit install: %s\n' "$*" >&2; }
fail() {
  annotate error "dynaudit install" "$*"
  exit 1
}
warn() { annotate warning "dynaudit install" "$*"; }

: "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

gh_token=${DYNAUDIT_GH_TOKEN:-}
unset DYNAUDIT_GH_TOKEN

allow_source=${INPUT_ALLOW_BUILD_FROM_SOURCE:-false}
case "$allow_source" in
  true | false) ;;
  *) fail "allow-build-from-source must be true or false" ;;
esac
verify=${INPUT_VERIFY_PROVENANCE:-auto}
case "$verify" in
  auto | always | never) ;;
  *) fail "verify-provenance must be auto, always or never" ;;
esac

ref=${DYNAUDIT_ACTION_REF:-}
repository=${DYNAUDIT_ACTION_REPOSITORY:-}
# The runner does not always fill github.action_ref / action_repository in
# composite actions; it checks actions out to .../_actions/OWNER/REPO/REF.
if [ -z "$ref" ] || [ -z "$repository" ]; then
  case "$GITHUB_ACTION_PATH" in
    */_actions/*/*/*)
      rest=${GITHUB_ACTION_PATH#*/_actions/}
      owner=${rest%%/*}
      rest=${rest#*/}
      name=${rest%%/*}
      rest=${rest#*/}
      [ -n "$ref" ] || ref=${rest%%/*}
      [ -n "$repository" ] || repository="$owner/$name"
      ;;
  esac
fi
# An OWNER/NAME the download URL and gh can take as it is.
if ! [[ "$repository" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  repository=
fi

target=
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
esac

install_dir="$RUNNER_TEMP/dynaudit-bin"

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

# The base URL of the release downloads, and the one protocol curl may use
# for it: https (TLS 1.2 or later, redirects to https only), or file for a
# local mirror.
base=${DYNAUDIT_RELEASE_BASE_URL:-https://github.com/$repository/releases/download}
base=${base%/}
case "$base" in
  https://*) protocol='=https' ;;
  file://*) protocol='=file' ;;
  *) fail "DYNAUDIT_RELEASE_BASE_URL must be an https:// URL (or a local file:// directory)" ;;
esac
if has_control "$base"; then
  fail "DYNAUDIT_RELEASE_BASE_URL holds a control character"
fi

# Downloads $1 to $2. Returns 0 when downloaded, 3 when the file does not
# exist there (HTTP 404, or a missing file:// path); anything else fails.
download() {
  local url=$1 dest=$2 status code
  set +e
  code=$(curl --proto "$protocol" --proto-redir '=https' --tlsv1.2 \
    --silent --show-error --location --retry 3 --fail \
    --output "$dest" --write-out '%{http_code}' "$url")
  status=$?
  set -e
  if [ "$status" -eq 0 ]; then
    return 0
  fi
  # 22: HTTP error (then 404 means there is no such asset); 37: file://
  # path that cannot be read.
  if { [ "$status" -eq 22 ] && [ "$code" = 404 ]; } || [ "$status" -eq 37 ]; then
    return 3
  fi
  fail "cannot download $(shown "$url") (curl exit $status, HTTP $(shown "$code"))"
}

# Checks the build provenance of the downloaded asset $1 (see the header).
verify_provenance() {
  local file=$1 workflow
  if [ "$verify" = never ]; then
    warn "verify-provenance is never: the build provenance of the dynaudit binary was not verified, only its sha256 from the same release"
    return 0
  fi
  if ! command -v gh >/dev/null 2>&1; then
    if [ "$verify" = always ]; then
      fail "verify-provenance is always, but the GitHub CLI (gh) is not on the runner: cannot verify the build provenance of the dynaudit binary"
    fi
    warn "the GitHub CLI (gh) is not on the runner: the build provenance of the dynaudit binary was not verified, only its sha256 from the same release"
    return 0
  fi
  if [ -z "$repository" ]; then
    fail "the action's repository is unknown: cannot verify the build provenance of the dynaudit binary"
  fi
  workflow="$repository/.github/workflows/release.yml"
  log "verifying the build provenance of $asset: gh attestation verify --repo $repository --signer-workflow $workflow"
  if ! GH_TOKEN=$gh_token quarantine gh attestation verify "$file" \
    --repo "$repository" --signer-workflow "$workflow" --deny-self-hosted-runners; then
    fail "the build provenance of $asset could not be verified (gh attestation verify, output above): refusing the binary"
  fi
  log "build provenance verified: built by $workflow on a GitHub-hosted runner"
}

install_release() {
  local work status expected actual
  asset="dynaudit-$target.tar.gz"
  work=$(mktemp -d "$RUNNER_TEMP/dynaudit-download.XXXXXX")
  log "downloading $(shown "$base/$ref/$asset")"
  status=0
  download "$base/$ref/$asset" "$work/$asset" || status=$?
  if [ "$status" -eq 3 ]; then
    reason="the release has no prebuilt binary $asset"
    rm -rf "$work"
    return 0
  fi
  status=0
  download "$base/$ref/$asset.sha256" "$work/$asset.sha256" || status=$?
  if [ "$status" -ne 0 ]; then
    fail "$asset has no checksum file $asset.sha256 in the release: refusing an unverified binary"
  fi
  expected=$(cut -d ' ' -f 1 <"$work/$asset.sha256" | head -n 1 | tr 'A-F' 'a-f')
  actual=$(sha256_of "$work/$asset")
  if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
    fail "$asset.sha256 holds no sha256 digest"
  fi
  if [ "$expected" != "$actual" ]; then
    fail "sha256 mismatch for $asset: expected $expected, got $actual"
  fi
  log "sha256 verified: $actual"
  verify_provenance "$work/$asset"
  mkdir -p "$install_dir"
  tar -xzf "$work/$asset" -C "$work" dynaudit
  mv "$work/dynaudit" "$install_dir/dynaudit"
  chmod 755 "$install_dir/dynaudit"
  rm -rf "$work"
  bin="$install_dir/dynaudit"
  origin=release
}

install_cargo() {
  local root="$RUNNER_TEMP/dynaudit-cargo"
  log "building dynaudit from the action's source with cargo install --locked (takes several minutes)"
  if ! quarantine "${CARGO:-cargo}" install --locked --path "$GITHUB_ACTION_PATH" --root "$root"; then
    fail "cargo install --locked failed (output above)"
  fi
  install_dir="$root/bin"
  bin="$install_dir/dynaudit"
  origin=cargo
}

bin=
origin=
reason=
asset=
if [ -z "$target" ]; then
  reason="no prebuilt binary for this runner's platform"
elif ! [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$ ]]; then
  reason="the action ref is not a release tag (vX.Y.Z)"
elif [ -z "$repository" ] && [ -z "${DYNAUDIT_RELEASE_BASE_URL:-}" ]; then
  reason="the action's repository is unknown"
else
  install_release
fi
if [ -z "$bin" ]; then
  if [ "$allow_source" != true ]; then
    fail "no prebuilt dynaudit binary fits ($reason), and allow-build-from-source is false: use the action at a release tag (vX.Y.Z) on a Linux or macOS runner, or set allow-build-from-source: true to build it from the action's source"
  fi
  warn "building dynaudit from the action's source with cargo install --locked, as allow-build-from-source is true: no prebuilt binary fits ($reason)"
  install_cargo
fi

if has_control "$install_dir"; then
  fail "the install directory holds a control character"
fi
quarantine "$bin" --version
echo "$install_dir" >>"${GITHUB_PATH:-/dev/null}"
set_output bin "$bin"
set_output source "$origin"
