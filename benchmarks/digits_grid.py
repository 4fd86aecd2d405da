"""The digits grid two ways, on this machine, in one run: the lecture notes' plain loop and labsupport.grid.

    .venv/bin/python benchmarks/digits_grid.py                      # results of the grid into a temporary file
    .venv/bin/python benchmarks/digits_grid.py --out data/results/digits-full.json
    .venv/bin/python benchmarks/digits_grid.py --record data/digits-grid-benchmark.json

The plain loop is the notes' code with today's Keras: for each of the 7 x 7
(learning rate, L2) cells, a fresh model, ``fit(epochs=100, batch_size=100)``,
``evaluate``. The grid is the project's command line, ``python -m labsupport grid
digits --profile full --workers 1``, timed from the outside (start-up and the final
test's refit included).
Both use the same data (split and preprocessing). Prints both wall times, their ratio (target <= 1/10)
and both test accuracies: the loop's is the notes' figure, the best test accuracy of
all cells (selected on test, so optimistic); the grid's is the test accuracy of the
cell chosen on validation, trained again on all the training data and tested once.

With one worker (the default) the grid trains every cell in one computation
(labsupport.batched_training); --workers 2 times the worker processes instead.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import labsupport
from labsupport.experiments import digits_experiment, digits_split
from labsupport.profiles import get_profile


def plain_loop(profile, settings: dict) -> tuple[float, float, dict]:
    """The notes' loop: returns wall seconds, best test accuracy and where it was."""
    labsupport.seed_everything(0)
    import keras

    x_train, x_test, y_train, y_test = digits_split(settings["train_fraction"], settings["split_seed"],
                                                    settings["inputs"])
    y_train, y_test = keras.utils.to_categorical(y_train, 10), keras.utils.to_categorical(y_test, 10)
    best, where = -1.0, None
    start = time.perf_counter()
    for eta in profile.digits_learning_rates:
        for lmbd in profile.digits_l2s:
            model = keras.Sequential([
                keras.Input((8, 8, 1)),
                keras.layers.Conv2D(10, (3, 3), padding="same", activation="relu",
                                    kernel_regularizer=keras.regularizers.l2(lmbd)),
                keras.layers.MaxPooling2D(pool_size=(2, 2)),
                keras.layers.Flatten(),
                keras.layers.Dense(50, activation="relu", kernel_regularizer=keras.regularizers.l2(lmbd)),
                keras.layers.Dense(10, activation="softmax", kernel_regularizer=keras.regularizers.l2(lmbd)),
            ])
            model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(learning_rate=eta),
                          metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=profile.digits_epochs, batch_size=100, verbose=0)
            accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
            if accuracy > best:
                best, where = accuracy, {"learning_rate": eta, "l2": lmbd}
            print(f"  loop cell lr={eta:g} l2={lmbd:g}: test accuracy {accuracy:.4f} "
                  f"({time.perf_counter() - start:.0f} s so far)", flush=True)
    return time.perf_counter() - start, best, where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="where the grid writes (default: a temporary file)")
    parser.add_argument("--record", type=Path, default=None,
                        help="also write the figures to this JSON file (the appendix shows "
                             "data/digits-grid-benchmark.json)")
    args = parser.parse_args()
    profile = get_profile(args.profile)
    out = args.out or Path(tempfile.mkdtemp()) / "digits.json"
    if out.exists():
        sys.exit(f"{out} exists: the benchmark times a fresh run; choose another --out")

    command = [sys.executable, "-m", "labsupport", "grid", "digits", "--profile", profile.name,
               "--workers", str(args.workers), "--out", str(out), "--no-progress"]
    print("grid:", " ".join(command[1:]), flush=True)
    start = time.perf_counter()
    subprocess.run(command, check=True)
    grid_seconds = time.perf_counter() - start
    results = json.loads(out.read_text())
    tested = results["test"]  # the validation-selected cell, tested once
    diverged = sum(cell["status"] == "diverged" for cell in results["cells"])

    print("plain loop (the notes' code):", flush=True)
    loop_seconds, loop_best, loop_where = plain_loop(profile, digits_experiment(profile).settings)

    print(f"\n{len(results['cells'])} cells, {profile.digits_epochs} epochs each, profile {profile.name}")
    print(f"plain loop : {loop_seconds:8.1f} s ({loop_seconds / len(results['cells']):.2f} s per cell); "
          f"best test accuracy of all cells (selected on test) {loop_best:.4f} at {loop_where}")
    print(f"grid       : {grid_seconds:8.1f} s with {args.workers} workers, {diverged} cells stopped as diverged; "
          f"test accuracy of the cell chosen on validation {tested['metrics']['test_accuracy']:.4f} "
          f"at {tested['params']}")
    print(f"ratio grid/loop = {grid_seconds / loop_seconds:.3f} (target <= 0.10); results in {out}")
    if args.record:
        run = results["runs"][0]
        args.record.write_text(json.dumps({
            "command": " ".join(["benchmarks/digits_grid.py", *sys.argv[1:]]),
            "finished": run["finished"], "machine": run["machine"], "versions": run["versions"],
            "profile": profile.name, "workers": args.workers, "cells": len(results["cells"]),
            "epochs": profile.digits_epochs, "loop_seconds": round(loop_seconds, 1),
            "grid_seconds": round(grid_seconds, 1), "diverged": diverged,
            "loop_best_test_accuracy": loop_best, "loop_best_params": loop_where,
            "selected_params": tested["params"], "selected_on": tested["selected_on"],
            "selected_value": tested["selected_value"],
            "test_accuracy": tested["metrics"]["test_accuracy"]}, indent=1) + "\n")
        print(f"figures in {args.record}")



if __name__ == "__main__":
    main()
