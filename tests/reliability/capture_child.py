"""A helper process for the capture kill test: quick captures in a loop, with a store write
(which merges the inbox and removes it) every few captures, printing each capture's text
once its id is known.

    python capture_child.py WORKSPACE START
"""

from __future__ import annotations

import sys
from pathlib import Path

from workos_tui.core.capture import capture
from workos_tui.core.store import Store

MERGE_EVERY = 4


def main() -> None:
    path, i = Path(sys.argv[1]), int(sys.argv[2])
    while True:
        text = f"capture {i}"
        if capture(path, [(text, [f"sub of {i}"])]) is None:
            print(f"refused {i}", flush=True)
            sys.exit(3)
        print(text, flush=True)
        i += 1
        if i % MERGE_EVERY == 0:
            text = f"store {i}"
            Store(path).add_backlog_item(text)
            print(text, flush=True)
            i += 1


if __name__ == "__main__":
    main()
