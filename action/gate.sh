#!/usr/bin/env bash
# The action's last step (action.yml, step `gate`): exits with the code the
# --fail-on / --fail-on-unknown gate gave in the `run` step, so the SARIF
# upload before it happens whatever the outcome.
#
# Environment: GATE_EXIT (the run step's `gate-exit` output), FAILING,
# UNKNOWN, GATE_FAILURES, FAIL_ON, FAIL_ON_UNKNOWN (for the message). Only
# values of their expected form are repeated: a count that is not a number
# shows as `?`, a fail-on that is not a severity as `(invalid)`.
set -euo pipefail

# shellcheck source=action/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

count() {
  if [[ "$1" =~ ^[0-9]+$ ]]; then printf '%s' "$1"; else printf '?'; fi
}
failing=$(count "${FAILING:-}")
unknown=$(count "${UNKNOWN:-}")
gate_failures=$(count "${GATE_FAILURES:-}")
case "${FAIL_ON:-high}" in
  critical | high | medium | low | none) fail_on=${FAIL_ON:-high} ;;
  *) fail_on="(invalid)" ;;
esac

case "${GATE_EXIT:-}" in
  0)
    echo "dynaudit: the gate (fail-on $fail_on) counted nothing; $failing failing, $unknown unknown in all"
    exit 0
    ;;
  1)
    gate="fail-on $fail_on"
    if [ "${FAIL_ON_UNKNOWN:-false}" = true ]; then
      gate="$gate, fail-on-unknown"
    fi
    annotate error dynaudit "the gate ($gate) counted $gate_failures finding(s); $failing failing, $unknown unknown in all (see the job summary and code scanning)"
    exit 1
    ;;
  *)
    annotate error dynaudit "the run step recorded no gate result (no gate-exit 0 or 1)"
    exit 2
    ;;
esac
