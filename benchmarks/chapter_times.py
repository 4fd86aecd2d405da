"""Measure each chapter's wall time per profile, as the book build runs it.

Each notebook is executed start to finish in a fresh kernel (nbclient, as myst-nb
does) with ``LABSUPPORT_PROFILE`` set; the wall time includes the kernel's start and
the imports. The figures are merged into ``data/chapter-times.json`` (a chapter
measured again replaces its old row; other rows stay), which "How to use this
book" displays.

Each profile is timed in two data states, since a chapter that trains on MNIST
costs more on the real 60,000 images than on the stand-in: without any data (no
data folder, an empty Keras cache, no download: the labelled stand-ins; columns
``ci`` and ``book``) and, with ``--data-dir``, on the real data in that folder
(columns ``ci_real`` and ``book_real``). Run it on a quiet machine:

    .venv/bin/python benchmarks/chapter_times.py --data-dir ../shared/datasets
    .venv/bin/python benchmarks/chapter_times.py chapters/05_*.ipynb  # one chapter
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).parents[1]
RESULTS = ROOT / "data" / "chapter-times.json"
PROFILES = ("ci", "book")


def data_state(data_dir: Path | None) -> None:
    """Point the loaders at `data_dir`, or at nothing at all (the stand-ins)."""
    os.environ["LABSUPPORT_OFFLINE"] = "1"
    if data_dir is None:
        os.environ.pop("LABSUPPORT_DATA_DIR", None)
        os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="empty-keras-")
    else:
        os.environ["LABSUPPORT_DATA_DIR"] = str(data_dir.resolve())


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
    parser.add_argument("--data-dir", type=Path,
                        help="a folder with the real datasets: time each profile on them "
                             "too (columns ci_real, book_real)")
    parser.add_argument("--only-real", action="store_true",
                        help="with --data-dir, time on the real data only")
    args = parser.parse_args(argv)
    if args.data_dir is not None and not args.data_dir.is_dir():
        parser.error(f"--data-dir {args.data_dir}: no such folder")
    if args.only_real and args.data_dir is None:
        parser.error("--only-real needs --data-dir")
    states = [] if args.only_real else [("", None)]
    if args.data_dir is not None:
        states.append(("_real", args.data_dir))
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    profiles = args.profile or list(PROFILES)

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"chapters": {}}
    for path in notebooks:
        row = results["chapters"].setdefault(path.resolve().relative_to(ROOT).as_posix(), {})
        for suffix, data_dir in states:
            data_state(data_dir)
            for profile in profiles:
                column = profile + suffix
                seconds = wall_time(path, profile)
                row[column] = round(seconds, 1)
                # A shared machine slows every figure down: keep how busy it was.
                row[f"{column}_load"] = round(os.getloadavg()[0], 1)
                print(f"{path.name:45s} {column:9s} {seconds:7.1f} s  "
                      f"(load average {row[f'{column}_load']})", flush=True)
        row["measured"] = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        results["machine"] = (f"{platform.system()} {platform.machine()}, "
                              f"{os.cpu_count()} cores, Python {platform.python_version()}")
        RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")  # each row kept


if __name__ == "__main__":
    main()
