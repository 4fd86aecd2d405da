"""Grid search that can be trusted: reproducible, resumable, parallel, with provenance.

A grid is a dict of named value lists; a *train function* turns one cell (a dict
of values) into metrics. :func:`run_grid` trains the cells not yet in the
results file and writes each result as soon as it exists, so an interrupted run
loses at most the cells in flight and resumes where it stopped.

* **Reproducible.** A cell's seed is derived from the base seed and the cell's
  values alone (:func:`cell_seed`), so results do not depend on the order or the
  process a cell runs in: sequential, worker processes and a Dask cluster agree.
* **Safe.** Results are written atomically (a temporary file, then a rename). A
  results file made by a different configuration, or not a results file at
  all, is refused with :class:`GridFileError`, never overwritten or mixed.
* **Provenance.** The file records the configuration, every run's command,
  profile, package versions, machine and dates, and each cell's wall time.
* **Executors.** In-process by default; ``workers=N`` starts N processes; any
  ``concurrent.futures.Executor`` works, including a Dask client's
  (``Client(address).get_executor()``).
"""

from __future__ import annotations

import concurrent.futures
import datetime
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "labsupport.grid/1"


class GridFileError(ValueError):
    """A results file that cannot be used for this grid: corrupt, foreign or of another configuration."""


def cells(grid: Mapping[str, list]) -> list[dict]:
    """Every combination of the grid's values, the first name varying slowest.

    Examples
    --------
    >>> cells({"lr": [0.1, 1.0], "l2": [0.0]})
    [{'lr': 0.1, 'l2': 0.0}, {'lr': 1.0, 'l2': 0.0}]
    """
    if not grid or any(not isinstance(values, (list, tuple)) or not values for values in grid.values()):
        raise ValueError(f"grid={dict(grid)!r}: expected a dict of non-empty value lists")
    names = list(grid)
    return [dict(zip(names, values)) for values in itertools.product(*(grid[name] for name in names))]


def cell_key(params: Mapping) -> str:
    """A canonical text for a cell, the same in every process: its JSON with sorted keys."""
    return json.dumps(dict(params), sort_keys=True)


def cell_seed(base_seed: int, params: Mapping) -> int:
    """The seed of one cell: a hash of the base seed and the cell's values.

    Examples
    --------
    >>> cell = {"lr": 0.1}
    >>> cell_seed(0, cell) == cell_seed(0, dict(cell)) != cell_seed(1, cell)
    True
    """
    text = f"{int(base_seed)}|{cell_key(params)}"
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % (2**31 - 1)


DIRECTIONS = {"min": "minimised", "max": "maximised"}


def direction(metric: str) -> str:
    """Whether `metric` is minimised (``"min"``: a loss or error) or maximised (``"max"``).

    The direction follows from the metric's name: a name ending in ``loss`` or
    ``error`` is minimised, one ending in ``accuracy`` maximised. Any other name
    is refused rather than guessed.

    Raises
    ------
    ValueError
        For a metric whose direction the name does not tell.

    Examples
    --------
    >>> direction("val_accuracy"), direction("val_data_loss")
    ('max', 'min')
    """
    if not isinstance(metric, str):
        raise TypeError(f"metric={metric!r}: expected a metric's name, a str")
    name = metric.lower()
    if name.endswith(("loss", "error")):
        return "min"
    if name.endswith("accuracy"):
        return "max"
    raise ValueError(f"metric={metric!r}: its direction is unknown; expected a name ending in "
                     "'accuracy' (maximised) or in 'loss' or 'error' (minimised)")


def _is_test_metric(metric: str) -> bool:
    return metric.lower().startswith("test")


def _versions() -> dict:
    # from the installed distributions: importing TensorFlow only to ask its version is slow and noisy
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for name in ("labsupport", "numpy", "scipy", "scikit-learn", "tensorflow", "keras"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            pass
    return versions


def _machine() -> dict:
    return {"system": platform.system(), "machine": platform.machine(), "processor": platform.processor(),
            "cpus": os.cpu_count(), "host": socket.gethostname()}


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _describe(train: Callable) -> str:
    return f"{train.__module__}:{train.__qualname__}"


@dataclass
class GridResults:
    """A results file: configuration, provenance of every run, and the finished cells."""

    path: Path
    configuration: dict
    runs: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)  # cell_key -> record
    test: dict | None = None  # the selected cell's one test (see final_test)

    @classmethod
    def load(cls, path) -> "GridResults":
        """Read a results file, refusing anything that is not one.

        Raises
        ------
        GridFileError
            If the file is not valid JSON or not a ``labsupport.grid`` results file.
        """
        path = Path(path)
        try:
            document = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise GridFileError(f"{path} is not a readable results file ({error}): expected JSON written by "
                                "labsupport.grid; move it away or delete it") from None
        except OSError as error:  # a directory, no permission, ...
            raise GridFileError(f"{path} cannot be read as a results file ({error.strerror or error}): expected "
                                "a file path; choose another --out") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise GridFileError(f"{path} is not a labsupport.grid results file: expected format {FORMAT!r}; "
                                "choose another --out or move the file away")
        problem = _malformed(document)
        if problem:
            raise GridFileError(f"{path} claims format {FORMAT!r} but is malformed ({problem}): expected a file "
                                "written by labsupport.grid; move it away or delete it")
        records = document.get("cells", [])
        return cls(path, document["configuration"], document.get("runs", []),
                   {cell_key(record["params"]): record for record in records}, document.get("test"))

    def save(self) -> None:
        """Write the file atomically: readers see the old or the new version, never half of one."""
        document = {"format": FORMAT, "configuration": self.configuration, "runs": self.runs,
                    "cells": list(self.cells.values())}
        if self.test is not None:
            document["test"] = self.test
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w") as stream:
                json.dump(document, stream, indent=1, allow_nan=False, default=_json_value)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    @property
    def grid(self) -> dict:
        return self.configuration["grid"]

    def records(self) -> list[dict]:
        """Finished cells in grid order."""
        return [self.cells[cell_key(params)] for params in cells(self.grid) if cell_key(params) in self.cells]

    def is_complete(self) -> bool:
        return len(self.cells) == len(cells(self.grid))

    @property
    def selects_on_test(self) -> bool:
        """Whether this file was made by the notes' method: every cell measured on the test set.

        Such a file (the course keeps one, ``digits-full-v1.json``) is a
        counter-example: choosing its best cell by test accuracy makes that
        figure optimistic. Files made by :func:`run_grid` with a train function
        that reports validation metrics hold one test record, ``test``, only.
        """
        return any(_is_test_metric(name) for record in self.cells.values() for name in record["metrics"])

    @property
    def method(self) -> str:
        """A label for how the file's cells were measured, for display."""
        if self.selects_on_test:
            return ("the notes' method, kept as a counter-example: every cell measured on "
                    "the test set, so the best of them is an optimistic figure")
        return "selected on validation, the chosen cell tested once"

    def table(self, metric: str, rows: str, cols: str):
        """A ``len(grid[rows]) x len(grid[cols])`` array of `metric`; NaN where diverged or missing.

        Raises
        ------
        ValueError
            For a test metric of a file made by the validation method: its one test
            record is ``test``, and per-cell test figures would invite choosing on
            them. Only a test-selected counter-example (:attr:`selects_on_test`)
            has per-cell test figures to show.
        """
        import numpy as np

        if _is_test_metric(metric) and not self.selects_on_test:
            raise ValueError(f"metric={metric!r}: {self.path.name} selects on validation and tests "
                             "one cell once; its test figure is results.test, and there are no "
                             "per-cell test figures to tabulate")
        table = np.full((len(self.grid[rows]), len(self.grid[cols])), np.nan)
        for record in self.cells.values():
            value = record["metrics"].get(metric)
            if value is not None:
                i = self.grid[rows].index(record["params"][rows])
                j = self.grid[cols].index(record["params"][cols])
                table[i, j] = value
        return table

    def status_table(self, rows: str, cols: str):
        """The status of every cell ("ok", "diverged", or "" if not run), laid out like :meth:`table`."""
        import numpy as np

        table = np.full((len(self.grid[rows]), len(self.grid[cols])), "", dtype=object)
        for record in self.cells.values():
            table[self.grid[rows].index(record["params"][rows]), self.grid[cols].index(record["params"][cols])] = record["status"]
        return table

    def best(self, metric: str) -> dict:
        """The finished, non-diverged cell with the best `metric`: the smallest loss, the highest accuracy.

        `metric` is the selection criterion, always named by the caller: a
        validation metric, never a test metric (selecting on the test set makes
        its figure optimistic), or a training metric to study training. Its
        direction follows from its name (:func:`direction`). A loss compared
        across penalty weights must be the data loss alone; the digits grid
        reports it as ``val_data_loss``.

        Raises
        ------
        ValueError
            If `metric` is a test metric, its direction is unknown, or no finished
            cell reports it (the message lists the metrics the cells report).
        """
        if _is_test_metric(metric):
            raise ValueError(f"metric={metric!r}: selecting on the test set biases the test figure; "
                             "select on a validation metric such as 'val_accuracy'")
        sign = 1 if direction(metric) == "max" else -1
        finished = [r for r in self.cells.values() if r["status"] == "ok" and r["metrics"].get(metric) is not None]
        if not finished:
            reported = sorted({name for r in self.cells.values() if r["status"] == "ok" for name in r["metrics"]})
            raise ValueError(f"metric={metric!r}: no finished cell reports it; they report {reported}")
        return max(finished, key=lambda record: sign * record["metrics"][metric])


def _malformed(document: dict) -> str | None:
    """What is wrong with a document that claims the results format, or None if nothing is."""
    configuration = document.get("configuration")
    if not isinstance(configuration, dict):
        return f"configuration is {type(configuration).__name__}, not an object"
    grid = configuration.get("grid")
    if not isinstance(grid, dict) or not grid or not all(isinstance(v, list) and v for v in grid.values()):
        return "configuration.grid is not an object of non-empty value lists"
    runs = document.get("runs", [])
    if not isinstance(runs, list) or not all(isinstance(run, dict) for run in runs):
        return "runs is not a list of objects"
    records = document.get("cells", [])
    if not isinstance(records, list):
        return f"cells is {type(records).__name__}, not a list"
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            return f"cells[{index}] is not an object"
        if not isinstance(record.get("params"), dict):
            return f"cells[{index}] has no params object"
        if not isinstance(record.get("metrics"), dict) or not isinstance(record.get("status"), str):
            return f"cells[{index}] lacks metrics or status"
        if set(record["params"]) != set(grid):
            return f"cells[{index}].params names {sorted(record['params'])}, not the grid's {sorted(grid)}"
    test = document.get("test")
    if test is not None and not (isinstance(test, dict) and isinstance(test.get("params"), dict)
                                 and isinstance(test.get("metrics"), dict)):
        return "test is not a cell record with params and metrics"
    return None


def _json_value(value):
    """numpy scalars and arrays as plain JSON numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _clean_metrics(metrics: Mapping) -> dict:
    clean = {}
    for name, value in metrics.items():
        value = _json_value(value) if hasattr(value, "tolist") else value
        clean[name] = None if isinstance(value, float) and not math.isfinite(value) else value
    return clean


def run_cell(train: Callable, params: dict, seed: int, settings: dict) -> dict:
    """Train one cell in this process with its own seed; return its record.

    The train function returns a dict of metrics and may set ``"status"`` to
    ``"diverged"``. Non-finite metrics are stored as null.
    """
    from .reproducibility import seed_everything

    seed_everything(seed)
    start = time.perf_counter()
    metrics = dict(train(dict(params), dict(settings), seed))
    status = metrics.pop("status", "ok")
    return {"params": dict(params), "seed": seed, "status": status,
            "metrics": _clean_metrics(metrics),
            "seconds": round(time.perf_counter() - start, 3), "finished": _now(),
            "worker": f"{socket.gethostname()}:{os.getpid()}"}


def run_cells_together(batched: Callable, todo: list, seed: int, settings: dict) -> list[dict]:
    """Train the cells `todo` in one computation with `batched(cells, settings, seeds)`
    (a train function's ``batched`` attribute); return their records.

    The records are those :func:`run_cell` writes, each cell's ``seconds`` its share
    of the whole. They are saved when all the cells have finished: an interrupted run
    trains them again.
    """
    from .reproducibility import seed_everything

    seeds = [cell_seed(seed, params) for params in todo]
    seed_everything(seeds[0])
    start = time.perf_counter()
    every = batched([dict(params) for params in todo], dict(settings), seeds)
    share = round((time.perf_counter() - start) / len(todo), 3)
    records = []
    for params, seed_of_cell, metrics in zip(todo, seeds, every):
        metrics = dict(metrics)
        status = metrics.pop("status", "ok")
        records.append({"params": dict(params), "seed": seed_of_cell, "status": status,
                        "metrics": _clean_metrics(metrics), "seconds": share,
                        "finished": _now(), "worker": f"{socket.gethostname()}:{os.getpid()}"})
    return records


def configuration(train: Callable, grid: Mapping, settings: Mapping, seed: int, experiment: str | None = None,
                  version: int = 0) -> dict:
    """What makes two runs the same experiment: the train function and its version, grid, settings and seed."""
    return json.loads(json.dumps({"experiment": experiment or _describe(train), "train": _describe(train),
                                  "version": int(version),
                                  "grid": {name: list(values) for name, values in grid.items()},
                                  "settings": dict(settings), "seed": int(seed)}, default=_json_value))


def _open(out: Path, config: dict) -> GridResults:
    if any(parent.exists() and not parent.is_dir() for parent in out.parents):
        raise GridFileError(f"{out} is inside a file, not a directory: expected a path in a directory; "
                            "choose another --out")
    if not out.exists():
        return GridResults(out, config)
    results = GridResults.load(out)
    if results.configuration != config:
        differing = sorted(key for key in set(config) | set(results.configuration)
                           if config.get(key) != results.configuration.get(key))
        raise GridFileError(
            f"{out} holds results of another configuration (differs in: {', '.join(differing)}): "
            "refusing to mix them; choose another --out, or move the file away to start over"
        )
    return results


def _exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """In a worker process: exit as soon as `parent` is gone (a killed run must not leave workers behind).

    A worker blocked in a long training step never reads the pool's queues, so
    it would not notice on its own; this daemon thread polls the parent pid.
    """

    def watch():
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(interval)

    threading.Thread(target=watch, name="labsupport-parent-watchdog", daemon=True).start()


def run_grid(train: Callable, grid: Mapping[str, list], out, *, settings: Mapping | None = None, seed: int = 0,
             experiment: str | None = None, executor: concurrent.futures.Executor | None = None,
             workers: int | None = None, progress: bool = False, command: str | None = None,
             profile: str | None = None, version: int = 0) -> GridResults:
    """Train every cell of `grid` not yet in `out`, writing each result as it finishes.

    Parameters
    ----------
    train : callable ``train(params, settings, seed) -> dict``
        A module-level function (worker processes import it by name). If it has a
        ``batched(cells, settings, seeds) -> list of dict`` attribute, the cells
        trained in this process (no executor, no workers) are trained together
        by it, in one computation.
    grid : dict of name -> list of values
    out : path
        The JSON results file; created, or resumed when it holds this configuration.
    settings : dict, optional
        Everything else the train function needs (epochs, batch size, ...); part
        of the configuration.
    seed : int
        Base seed; each cell's seed is ``cell_seed(seed, params)``.
    executor : concurrent.futures.Executor, optional
        Where cells run (a Dask client's ``get_executor()`` for a cluster).
    workers : int, optional
        Start this many local worker processes when no executor is given.
    progress : bool
        Show a tqdm progress bar on the terminal.
    command, profile : str, optional
        Recorded in the provenance.
    version : int
        The train function's version, part of the configuration: bumping it
        makes files written by the older code be refused rather than resumed.

    Returns
    -------
    GridResults

    Raises
    ------
    GridFileError
        If `out` exists but is corrupt, foreign, or of another configuration.
    """
    from tqdm.auto import tqdm

    settings = dict(settings or {})
    config = configuration(train, grid, settings, seed, experiment, version)
    results = _open(Path(out), config)
    todo = [params for params in cells(grid) if cell_key(params) not in results.cells]
    if workers is not None and workers < 1:
        raise ValueError(f"workers={workers!r}: expected a positive number of processes")
    owned = None
    if executor is None and workers and workers > 1:
        # spawn, not fork: TensorFlow's threads do not survive a fork
        owned = executor = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_exit_with_parent,
            initargs=(os.getpid(),))
    together = executor is None and getattr(train, "batched", None) is not None and len(todo) > 1
    run = {"command": command or " ".join(sys.argv), "profile": profile, "started": _now(),
           "executor": type(executor).__name__ if executor else
           ("in-process, all cells in one computation" if together else "in-process"),
           "cells_to_train": len(todo),
           "versions": _versions(), "machine": _machine()}
    results.runs.append(run)
    results.save()
    bar = tqdm(total=len(todo), disable=not progress, desc=config["experiment"], unit="cell")
    start = time.perf_counter()

    def record(cell_record):
        results.cells[cell_key(cell_record["params"])] = cell_record
        results.save()
        bar.update(1)

    try:
        if together:
            for cell_record in run_cells_together(train.batched, todo, seed, settings):
                record(cell_record)
        elif executor is None:
            for params in todo:
                record(run_cell(train, params, cell_seed(seed, params), settings))
        else:
            futures = [executor.submit(run_cell, train, params, cell_seed(seed, params), settings) for params in todo]
            for future in concurrent.futures.as_completed(futures):
                record(future.result())
    finally:
        bar.close()
        run["finished"] = _now()
        run["wall_seconds"] = round(time.perf_counter() - start, 2)
        run["cells_trained"] = len([params for params in todo if cell_key(params) in results.cells])
        results.save()
        if owned is not None:
            owned.shutdown(wait=True, cancel_futures=True)
    return results


class RetestError(ValueError):
    """A second test of a results file, which the file refuses: its test set has been used."""


def final_test(results: GridResults, evaluate: Callable, metric: str) -> dict:
    """Test the cell that `metric` selects, once, and record the result in the file.

    The grid's train function reports training and validation metrics only, so
    nothing can be selected on the test set. Once the grid is complete, the best
    cell on `metric` (a validation metric) is handed to `evaluate`, which trains
    it again with the cell's own seed (on all the training data, validation part
    included) and measures it on the test set. The record is stored in the
    results file, once: calling again with the same metric and evaluation
    returns it without testing again, and any other test (another metric,
    hence possibly another cell, or another evaluation) is refused, the file
    unchanged. A new test needs a new results file.

    Parameters
    ----------
    results : GridResults
        A complete grid.
    evaluate : callable ``evaluate(params, settings, seed) -> dict``
        Module-level, like a train function; returns test metrics.
    metric : str
        The selection metric, as for :meth:`GridResults.best`.

    Returns
    -------
    dict
        A cell record (params, seed, status, metrics, seconds, ...) plus
        ``selected_on``, ``selected_direction`` and ``selected_value``.

    Raises
    ------
    ValueError
        If the grid is not complete, `metric` is a test metric or of unknown
        direction, or the file was made by the notes' method (every cell tested).
    RetestError
        If the file already holds a test that this call would not repeat.
    """
    if results.selects_on_test:
        raise ValueError(f"{results.path}: every cell of this file was measured on the test set "
                         "(the notes' method); it has no unused test set left to test a choice on")
    if not results.is_complete():
        done, total = len(results.cells), len(cells(results.grid))
        raise ValueError(f"{results.path}: {done} of {total} cells done; "
                         "the selection and its test need the complete grid")
    best = results.best(metric)
    done = results.test
    if done is not None:
        if (done["params"] == best["params"] and done.get("selected_on") == metric
                and done.get("evaluate") == _describe(evaluate)):
            return done
        raise RetestError(
            f"{results.path} already holds its one test: {done.get('selected_on')!r} selected "
            f"{done['params']}, tested with {done.get('evaluate')}; refusing a second test "
            f"(metric={metric!r} selects {best['params']}, evaluate={_describe(evaluate)}): a test set "
            "that has been looked at cannot test another choice fairly. A new test needs a new "
            "results file (run the grid again with another --out)")
    settings = results.configuration["settings"]
    record = run_cell(evaluate, best["params"], best["seed"], settings)
    record.update(selected_on=metric, selected_direction=direction(metric),
                  selected_value=best["metrics"][metric], evaluate=_describe(evaluate))
    results.test = record
    results.save()
    return record
