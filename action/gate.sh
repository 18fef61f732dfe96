#!/usr/bin/env bash
# The action's last step (action.yml, step `gate`): exits with the code the
# --fail-on / --fail-on-unknown gate gave in the `run` step, so the SARIF
# upload before it happens whatever the outcome.
#
# Environment: GATE_EXIT (the run step's `gate-exit` output), FAILING,
# UNKNOWN, GATE_FAILURES, FAIL_ON, FAIL_ON_UNKNOWN (for the message).
set -euo pipefail

case "${GATE_EXIT:-}" in
  0)
    echo "dynaudit: the gate (fail-on ${FAIL_ON:-high}) counted nothing; ${FAILING:-?} failing, ${UNKNOWN:-?} unknown in all"
    exit 0
    ;;
  1)
    gate="fail-on ${FAIL_ON:-high}"
    if [ "${FAIL_ON_UNKNOWN:-false}" = true ]; then
      gate="$gate, fail-on-unknown"
    fi
    printf '::error title=dynaudit::the gate (%s) counted %s finding(s); %s failing, %s unknown in all (see the job summary and code scanning)\n' \
      "$gate" "${GATE_FAILURES:-?}" "${FAILING:-?}" "${UNKNOWN:-?}"
    exit 1
    ;;
  *)
    printf '::error title=dynaudit::the run step recorded no gate result (gate-exit %s)\n' "'${GATE_EXIT:-}'"
    exit 2
    ;;
esac
