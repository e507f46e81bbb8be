"""The http_proxy workload's Python port (../../SPEC.md): `python http_proxy.py serve --listen ... --upstream ...`."""

import sys

from pyproxy.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
