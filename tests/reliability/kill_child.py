"""The kill loop's victim: applies large transactions to a workspace until it is killed.

    python kill_child.py WORKSPACE LOG

Waits for a line on stdin (so the parent can start it early and pay the imports ahead),
prints `ready` once the workspace is open, then loops: transaction n rewrites every bulk task's description to "txn n", sets T1's
title to "txn n" and adds one task "added n". After each commit it appends n to LOG.
"""

from __future__ import annotations

import sys

from workos_tui.core.models import Task
from workos_tui.core.store import Store

BULK = 60


def main() -> None:
    path, log = sys.argv[1], sys.argv[2]
    sys.stdin.readline()
    store = Store(path)
    tasks = {t.id: t for t in store.tasks()}
    if not tasks:
        with store.transaction("txn 0"):
            store.put(Task(title="txn 0"))
            for i in range(BULK):
                store.put(Task(title=f"bulk {i}", description="txn 0"))
        tasks = {t.id: t for t in store.tasks()}
    n = int(tasks["T1"].title.split()[1])
    print("ready", flush=True)
    with open(log, "a", encoding="utf-8") as out:
        print(f"start {n}", file=out, flush=True)
        while True:
            n += 1
            with store.transaction(f"txn {n}"):
                store.update_task("T1", title=f"txn {n}")
                for t in store.tasks():
                    if t.title.startswith("bulk "):
                        store.update_task(t.id, description=f"txn {n} " + "x" * 200)
                store.put(Task(title=f"added {n}", tags=[f"n{n}"]))
            print(n, file=out, flush=True)


if __name__ == "__main__":
    main()
