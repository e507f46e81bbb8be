#!/bin/sh
# The Python port as one program, for CLAIMBENCH_HTTP_PROXY_UNDER_TEST (the reference's conformance suite
# runs `PROGRAM serve --listen ...`). PYTHON names the interpreter (default: the project's .venv).
here=$(cd "$(dirname "$0")" && pwd)
exec "${PYTHON:-$here/../../../../.venv/bin/python}" "$here/http_proxy.py" "$@"
