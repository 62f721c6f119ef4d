"""The ``taosarrow`` console script: ``taosarrow serve [--host H] [--port P] …``."""

from __future__ import annotations

import argparse
import sys
import time
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="taosarrow", description="taosarrow tools")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the embedded TDengine-compatible server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=6041, help="0 = any free port")
    serve.add_argument("--user", default="root")
    serve.add_argument("--password", default="taosdata")
    serve.add_argument("--block-rows", type=int, default=4096)
    args = parser.parse_args(argv)

    from .testing import LocalServer

    server = LocalServer(args.host, args.port, args.user, args.password, args.block_rows)
    print(server.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
