"""Command line: ``python -m labsupport grid digits --profile full --out data/results/digits-full.json``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .experiments import EXPERIMENTS
from .profiles import PROFILES, get_profile


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labsupport", description="Run the course's experiments.")
    commands = parser.add_subparsers(dest="command", required=True)
    grid = commands.add_parser("grid", help="run (or resume) an experiment's grid search")
    grid.add_argument("experiment", choices=sorted(EXPERIMENTS))
    grid.add_argument("--profile", choices=list(PROFILES), default="full")
    grid.add_argument("--workers", type=int, default=None, help="local worker processes (default: in-process)")
    grid.add_argument("--scheduler", default=None, help="a Dask scheduler address, e.g. tcp://host:8786")
    grid.add_argument("--out", type=Path, default=None, help="results file (default data/results/EXPERIMENT-PROFILE.json)")
    grid.add_argument("--seed", type=int, default=0)
    grid.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    from .grid import GridFileError, cells

    profile = get_profile(args.profile)
    experiment = EXPERIMENTS[args.experiment](profile)
    out = args.out or Path("data/results") / f"{experiment.name}-{profile.name}.json"
    executor, client = None, None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            parser.error("--scheduler needs Dask: pip install 'labsupport[dask]'")
        client = Client(args.scheduler)
        executor = client.get_executor()
    command = "python -m labsupport " + " ".join(sys.argv[1:] if argv is None else argv)
    try:
        results = experiment.run(out, seed=args.seed, executor=executor, workers=args.workers,
                                 progress=not args.no_progress and sys.stderr.isatty(), command=command,
                                 profile=profile.name)
    except GridFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if client is not None:
            client.close()
    print(f"{out}: {len(results.cells)} of {len(cells(experiment.grid))} cells done")
    metric = experiment.selection_metric
    if results.is_complete() and any(r["status"] == "ok" for r in results.cells.values()):
        # selection on validation; the test set is used once, for the selected cell only
        tested = experiment.test_selected(results)
        print(f"selected on {metric} ({tested['selected_direction']}): "
              f"{tested['selected_value']:.4f} at {tested['params']}")
        if tested["status"] == "ok":
            print(f"its test accuracy (trained once more on all the training data): "
                  f"{tested['metrics']['test_accuracy']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
