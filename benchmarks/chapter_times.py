"""Measure each chapter's wall time per profile, as the book build runs it.

Each notebook is executed start to finish in a fresh kernel (nbclient, as myst-nb
does) with ``LABSUPPORT_PROFILE`` set; the wall time includes the kernel's start and
the imports. The figures are merged into ``data/chapter-times.json`` (a chapter
measured again replaces its old row; other rows stay), which "How to use this
book" displays. Run it on a quiet machine:

    .venv/bin/python benchmarks/chapter_times.py                      # every chapter
    .venv/bin/python benchmarks/chapter_times.py chapters/05_*.ipynb  # one chapter
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).parents[1]
RESULTS = ROOT / "data" / "chapter-times.json"
PROFILES = ("ci", "book")


def wall_time(path: Path, profile: str) -> float:
    """Seconds to execute the notebook at `path` in `profile`."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    os.environ["LABSUPPORT_PROFILE"] = profile
    client = NotebookClient(notebook, timeout=1800, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to time (default: chapters/*.ipynb)")
    parser.add_argument("--profile", action="append", choices=PROFILES,
                        help="profile to time in (repeatable; default: ci and book)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    profiles = args.profile or list(PROFILES)

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"chapters": {}}
    for path in notebooks:
        row = results["chapters"].setdefault(path.resolve().relative_to(ROOT).as_posix(), {})
        for profile in profiles:
            seconds = wall_time(path, profile)
            row[profile] = round(seconds, 1)
            # A shared machine slows every figure down: keep how busy it was.
            row[f"{profile}_load"] = round(os.getloadavg()[0], 1)
            print(f"{path.name:45s} {profile:5s} {seconds:7.1f} s  "
                  f"(load average {row[f'{profile}_load']})", flush=True)
        row["measured"] = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        results["machine"] = (f"{platform.system()} {platform.machine()}, "
                              f"{os.cpu_count()} cores, Python {platform.python_version()}")
        RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")  # each row kept


if __name__ == "__main__":
    main()
