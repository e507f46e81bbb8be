# Sourced by every tool's wrapper (impls/*/run.sh): parses SPEC.md's command line, which follows the tool's
# own path (impl.toml's command names it, so the pinned binary is visible there; `venv` for the one inside
# the --venv environment):
#   TOOL search  --root DIR --mode literal|literal_i|regex --pattern P
#   TOOL lint    --root DIR --rules shared|defaults
#   TOOL install --venv DIR --wheels DIR --requirements FILE --cache DIR
# into tool, command, root, mode, pattern, rules, venv, wheels, requirements, cache; defines mark
# (docs/implementation_protocol.md) and timed, which runs the tool between the `ready` and `done` marks.
#
# What the window holds: the tool's whole process, from fork and exec to exit, with its interpreter's or
# runtime's start-up (a Rust binary's few milliseconds, CPython's tens of milliseconds plus its imports):
# that start-up is part of what a user waits for each time the tool runs. The wrapper's own start-up (bash)
# lies before `ready`, and after `done` it only exits.

tool_dir=$(cd "$(dirname "$0")" && pwd)
tool_name=$(basename "$tool_dir")
usage_error() { echo "devtools: error: $tool_name: $*" >&2; exit 2; }

tool=${1:-}
[ $# -gt 0 ] && shift
[ -n "$tool" ] || usage_error "impl.toml's command must name the tool's executable before the SPEC arguments"
# `venv` (pip): the tool is the one inside the --venv environment.
if [ "$tool" != venv ] && [ ! -x "$tool" ]; then usage_error "$tool is not an executable; install it with ./claimbench setup"; fi
command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  search | lint | install) ;;
  *) usage_error "the commands are 'search', 'lint' and 'install' (SPEC.md), got '$command'" ;;
esac
root="" mode="" pattern="" rules="" venv="" wheels="" requirements="" cache=""
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage_error "$1 needs a value"
  case "$1" in
    --root) root=$2 ;;
    --mode) mode=$2 ;;
    --pattern) pattern=$2 ;;
    --rules) rules=$2 ;;
    --venv) venv=$2 ;;
    --wheels) wheels=$2 ;;
    --requirements) requirements=$2 ;;
    --cache) cache=$2 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift 2
done
case "$command" in
  search)
    [ -d "$root" ] || usage_error "--root '$root' is not a directory"
    case "$mode" in literal | literal_i | regex) ;; *) usage_error "--mode must be literal, literal_i or regex" ;; esac
    [ -n "$pattern" ] || usage_error "--pattern P is required" ;;
  lint)
    [ -d "$root" ] || usage_error "--root '$root' is not a directory"
    case "$rules" in shared | defaults) ;; *) usage_error "--rules must be shared or defaults" ;; esac ;;
  install)
    [ -x "$venv/bin/python" ] || usage_error "--venv '$venv' is not a virtual environment (no bin/python)"
    [ -d "$wheels" ] || usage_error "--wheels '$wheels' is not a directory"
    [ -f "$requirements" ] || usage_error "--requirements '$requirements' is not a file"
    [ -n "$cache" ] || usage_error "--cache DIR is required" ;;
esac

# Settings a tool would take from the environment (its configuration files are ignored by flags, SPEC.md):
# a ripgrep configuration file, uv's and ruff's settings (pip's PIP_* are ignored by --isolated).
unset RIPGREP_CONFIG_PATH
for variable in ${!UV_@} ${!RUFF_@}; do unset "$variable"; done

# One mark line, when the harness listens.
mark() {
  if [ -n "${CLAIMBENCH_MARK_FD:-}" ]; then printf '%s\n' "$1" >&"$CLAIMBENCH_MARK_FD"; fi
}

# timed JUDGE CMD...: runs CMD between `ready` and `done`, its stdout the answer, then exits 0 when
# `JUDGE STATUS` says the status means success (a linter's "found problems" and grep's "no match" are
# success here), else 1 with one line on stderr.
timed() {
  local judge=$1 status=0
  shift
  mark ready
  "$@" || status=$?
  mark done
  if ! "$judge" "$status"; then
    echo "devtools: error: $tool_name: $(basename "$1") failed with status $status (its stderr is above)" >&2
    exit 1
  fi
  exit 0
}

# search_flags REGEX_FLAG...: the search mode's flags into `flags`: -F for the literal modes (with -i for
# literal_i), the tool's own regex flag(s) for regex.
search_flags() {
  case "$mode" in
    literal) flags=(-F) ;;
    literal_i) flags=(-F -i) ;;
    regex) flags=("$@") ;;
  esac
}

# Judges: grep and ripgrep (0 found, 1 nothing found, 2 error), the linters (0 clean, 1 problems found),
# installers (0 only). pylint's status is a bit mask: 1 fatal and 32 usage error are failures, the rest
# says which kinds of message it printed.
found_or_not() { [ "$1" = 0 ] || [ "$1" = 1 ]; }
only_zero() { [ "$1" = 0 ]; }
pylint_status() { [ $(($1 & 33)) = 0 ] && [ "$1" -lt 64 ]; }
