#!/usr/bin/env bash
# Shared by the action's scripts (sourced by install.sh, run.sh, gate.sh;
# never run on its own): what the runner reads from a step must say only
# what the action means.
#
# The runner acts on workflow commands in every line a step prints, on
# standard output and on standard error: a line that starts (after blanks)
# with `::NAME ...::`, and a line that holds `##[NAME ...]` anywhere. A line
# ends at LF, CR or CRLF. So:
#   - the data and properties of the action's own commands are escaped as
#     GitHub documents it (annotate);
#   - log lines go through `shown`, so an input cannot start a line or
#     hold `##[`;
#   - whatever another program prints (dynaudit, gh, cargo) runs with
#     workflow commands stopped (`::stop-commands::TOKEN` ... `::TOKEN::`,
#     TOKEN random per call), its standard error joined to its standard
#     output so that the runner reads it between the two (quarantine);
#   - $GITHUB_OUTPUT values go through set_output.

# A fresh random token: 32 hex digits from /dev/urandom.
random_token() {
  local token
  token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  if [ "${#token}" -ne 32 ]; then
    printf '::error title=dynaudit::cannot read random bytes from /dev/urandom\n'
    exit 2
  fi
  printf '%s' "$token"
}

# The data of a workflow command: % CR LF escaped.
escape_data() {
  local s=$1
  s=${s//'%'/%25}
  s=${s//$'\r'/%0D}
  s=${s//$'\n'/%0A}
  printf '%s' "$s"
}

# A property value of a workflow command: also : and , escaped.
escape_property() {
  local s
  s=$(escape_data "$1")
  s=${s//:/%3A}
  s=${s//,/%2C}
  printf '%s' "$s"
}

# annotate LEVEL TITLE MESSAGE: an `error`, `warning` or `notice`
# annotation.
annotate() {
  printf '::%s title=%s::%s\n' "$1" "$(escape_property "$2")" "$(escape_data "$3")"
}

# A value for a log line: escaped like command data, and `[` as %5B, so
# that it can neither end the line nor hold a `##[` command.
shown() {
  local s
  s=$(escape_data "$1")
  printf '%s' "${s//'['/%5B}"
}

# Whether a value holds a control character (a line break, tab, escape).
has_control() {
  case "$1" in
    *[[:cntrl:]]*) return 0 ;;
  esac
  return 1
}

# quarantine COMMAND [ARG...]: runs a command with the runner's workflow
# commands stopped, and returns its exit status. Its standard error goes to
# standard output: one stream, so the runner reads all of it after the stop
# and before the resume (a line break first, in case its output did not end
# with one). The token is random per call, so what the command prints cannot
# resume commands itself.
quarantine() {
  local token status=0
  token=$(random_token)
  printf '::stop-commands::%s\n' "$token"
  "$@" 2>&1 || status=$?
  printf '\n::%s::\n' "$token"
  return "$status"
}

# set_output NAME VALUE: appends one output to $GITHUB_OUTPUT, as NAME=VALUE,
# or, for a value with a line break, as NAME<<DELIMITER with a random
# delimiter that the value does not hold.
set_output() {
  local delimiter
  case "$2" in
    *$'\n'* | *$'\r'*)
      delimiter="dynaudit_$(random_token)"
      case "$2" in
        *"$delimiter"*)
          annotate error dynaudit "an output value holds its own random delimiter"
          exit 2
          ;;
      esac
      printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >>"$GITHUB_OUTPUT"
      ;;
    *) printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT" ;;
  esac
}
