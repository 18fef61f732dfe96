#!/usr/bin/env bash
# Installs dynaudit for the GitHub Action (action.yml, step `install`).
#
# The prebuilt binary of the action's own version is downloaded from the
# project's GitHub release:
#   $DYNAUDIT_RELEASE_BASE_URL/<tag>/dynaudit-<target>.tar.gz (+ .sha256)
# where the base URL defaults to
#   https://github.com/<action repository>/releases/download
# and is checked against its sha256 file: a mismatch, or a missing checksum,
# fails the step. When no prebuilt binary fits (a platform without one, an
# action ref that is not a release tag such as a branch or a commit, or a
# release without that asset) dynaudit is built from the action's own source
# with `cargo install --locked`.
#
# Inputs (environment):
#   DYNAUDIT_ACTION_REF         the action's ref (`github.action_ref`), e.g. v0.1.0
#   DYNAUDIT_ACTION_REPOSITORY  the action's repository (`github.action_repository`)
#   DYNAUDIT_RELEASE_BASE_URL   optional: another base URL (a GHES mirror, file://)
#   GITHUB_ACTION_PATH, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT,
#   GITHUB_PATH                 set by the runner
# Outputs: `bin` (the path of the installed binary) and `source`
# (`release` or `cargo`); the binary's directory is added to GITHUB_PATH.
#
# Nothing this script prints can make the runner act (action/lib.sh): its
# messages repeat no raw value, its log lines go through `shown`, and what
# cargo and the binary print runs in quarantine.
set -euo pipefail

# shellcheck source=action/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

log() { printf 'dynaudit install: %s\n' "$*" >&2; }
fail() {
  annotate error "dynaudit install" "$*"
  exit 1
}

: "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

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
# An OWNER/NAME the download URL can take as it is.
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

# Downloads $1 to $2. Returns 0 when downloaded, 3 when the file does not
# exist there (HTTP 404, or a missing file:// path); anything else fails.
download() {
  local url=$1 dest=$2 status code
  set +e
  code=$(curl --silent --show-error --location --retry 3 --fail \
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

install_release() {
  local base asset work status expected actual
  base=${DYNAUDIT_RELEASE_BASE_URL:-https://github.com/$repository/releases/download}
  base=${base%/}
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
  log "$reason: building from source"
  install_cargo
fi

if has_control "$install_dir"; then
  fail "the install directory holds a control character"
fi
quarantine "$bin" --version
echo "$install_dir" >>"${GITHUB_PATH:-/dev/null}"
set_output bin "$bin"
set_output source "$origin"
