"""A helper process for the concurrency test: `workos add` N times, each a fresh Store
(exactly what N separate `workos add` invocations do), then prints "done".

    python cli_add_loop.py WORKSPACE N PREFIX
"""

from __future__ import annotations

import sys

from workos_tui import cli


def main() -> None:
    db, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    for i in range(n):
        code = cli.main(["add", f"{prefix} {i}", "--db", db])
        if code != 0:
            print(f"failed {i}", flush=True)
            sys.exit(code)
    print("done", flush=True)


if __name__ == "__main__":
    main()
