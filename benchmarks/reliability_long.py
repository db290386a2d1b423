"""The long reliability suite: `pytest tests/reliability --long` (200 SIGKILLs in the kill
loop, 100 in the quick-capture loop, ten 60-item runs at 30% faults + 10% invalid outputs, a
longer three-writer concurrency run, 1,500 hypothesis examples per property), then a table
of the figures the tests recorded: kills survived, faults injected, inputs tried.

    python benchmarks/reliability_long.py
    python benchmarks/reliability_long.py -k kill_loop     # one part only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = [
    "kills survived",
    "kills mid-write",
    "transactions committed (kill loop)",
    "kills survived (quick capture)",
    "captures checked after kills",
    "disk faults injected",
    "model faults injected",
    "delegates run under faults",
    "concurrent writes checked",
    "hypothesis inputs tried",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default=None, help="pytest -k expression")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        figures_file = Path(tmp) / "figures.json"
        env = {**os.environ, "WORKOS_RELIABILITY_FIGURES": str(figures_file)}
        cmd = [sys.executable, "-m", "pytest", "tests/reliability", "--long", "-q"]
        if args.k:
            cmd += ["-k", args.k]
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=ROOT, env=env)
        elapsed = time.perf_counter() - start
        figures = json.loads(figures_file.read_text()) if figures_file.exists() else {}
    names = [n for n in ORDER if n in figures] + sorted(set(figures) - set(ORDER))
    width = max([len(n) for n in names] + [6])
    print()
    print(f"{'figure':<{width}}  {'value':>8}")
    print(f"{'-' * width}  {'-' * 8}")
    for name in names:
        print(f"{name:<{width}}  {figures[name]:>8}")
    print(f"{'wall time (s)':<{width}}  {elapsed:>8.0f}")
    print("result: " + ("passed" if result.returncode == 0 else f"FAILED ({result.returncode})"))
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
