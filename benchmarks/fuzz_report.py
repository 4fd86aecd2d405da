"""Run the fuzz test (tests/test_fuzz.py) and print what it tried and what came back.

    .venv/bin/python benchmarks/fuzz_report.py                 # as CI runs it
    .venv/bin/python benchmarks/fuzz_report.py --examples 500  # more random examples per function

Outcomes: "returned" (a result, with no complex or object values in it), "clear
error" (ValueError/TypeError naming an argument the call changed), "limit
refused" (the same, from the memory or loop limit, with the estimate), and the
failures the test forbids: "unclear error", "other exception", "hang", "over
memory", "warning". It prints the wall time of the run as well.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTCOMES = ("returned", "clear error", "limit refused", "unclear error", "other exception", "hang", "over memory",
            "warning")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=None, help="random examples per function (default: the test's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        counts_file = Path(folder) / "counts.json"
        environment = dict(os.environ, LABSUPPORT_FUZZ_COUNTS=str(counts_file))
        if args.examples is not None:
            environment["LABSUPPORT_FUZZ_EXAMPLES"] = str(args.examples)
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "pytest", "tests/test_fuzz.py", "-q", "-p", "no:cacheprovider"],
                             cwd=ROOT, env=environment, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        report = json.loads(counts_file.read_text())
    print(run.stdout.strip().splitlines()[-1])
    counts = {name: collections.Counter(values) for name, values in report["counts"].items()}
    by_module = collections.defaultdict(collections.Counter)
    for name, values in counts.items():
        by_module[name.split(".")[0]].update(values)
    total = sum(by_module.values(), collections.Counter())
    width = max(len(outcome) for outcome in OUTCOMES)
    header = f"{'module':<14}{'functions':>10}{'inputs':>9}" + "".join(f"{o:>{width + 2}}" for o in OUTCOMES)
    print(f"fuzz test, {report['examples_per_function']} random examples per function, {seconds:.1f} s wall")
    print(header)
    for module, values in sorted(by_module.items()):
        functions = sum(1 for name in counts if name.startswith(module + "."))
        print(f"{module:<14}{functions:>10}{sum(values.values()):>9}"
              + "".join(f"{values[o]:>{width + 2}}" for o in OUTCOMES))
    print(f"{'total':<14}{len(counts):>10}{sum(total.values()):>9}" + "".join(f"{total[o]:>{width + 2}}" for o in OUTCOMES))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
