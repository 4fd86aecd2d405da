"""labsupport.grid refuses malformed results files and directories, and its workers die with their parent."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from labsupport.__main__ import main as cli
from labsupport.grid import FORMAT, GridFileError, run_grid


def constant_train(params, settings, seed):
    return {"score": 1.0}


GRID = {"a": [1, 2]}
GOOD_CONFIGURATION = {"experiment": "x", "train": "x", "grid": GRID, "settings": {}, "seed": 0}


def document(**changes):
    base = {"format": FORMAT, "configuration": GOOD_CONFIGURATION, "runs": [],
            "cells": [{"params": {"a": 1}, "status": "ok", "metrics": {"score": 1.0}}]}
    base.update(changes)
    return {key: value for key, value in base.items() if value is not ...}


MALFORMED = {
    "no configuration": document(configuration=...),
    "configuration null": document(configuration=None),
    "cells a number": document(cells=5),
    "cell without params": document(cells=[{"status": "ok", "metrics": {}}]),
    "cell not an object": document(cells=[3]),
    "params of another grid": document(cells=[{"params": {"b": 1}, "status": "ok", "metrics": {}}]),
    "grid not an object": document(configuration={**GOOD_CONFIGURATION, "grid": [1, 2]}),
    "runs a string": document(runs="yesterday"),
    "test not a record": document(test=[0.99]),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_results_file_is_refused_and_left_alone(tmp_path, name):
    out = tmp_path / "results.json"
    out.write_text(json.dumps(MALFORMED[name]))
    before = out.read_bytes()
    with pytest.raises(GridFileError, match="malformed") as error:
        run_grid(constant_train, GRID, out)
    assert str(out) in str(error.value) and "expected" in str(error.value)
    assert out.read_bytes() == before


def test_a_well_formed_file_of_this_grid_still_resumes(tmp_path):
    out = tmp_path / "results.json"
    first = run_grid(constant_train, GRID, out)
    assert len(run_grid(constant_train, GRID, out).cells) == len(first.cells) == 2


def test_a_directory_as_out_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(GridFileError, match="cannot be read as a results file"):
        run_grid(constant_train, GRID, folder)
    with pytest.raises(GridFileError, match="inside a file"):
        run_grid(constant_train, GRID, folder / "keep.txt" / "r.json")
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"] and (folder / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("content", [json.dumps(MALFORMED["cells a number"]), None])
def test_the_command_line_exits_2_on_a_malformed_file_or_a_directory(tmp_path, capsys, content):
    out = tmp_path / "out"
    if content is None:
        out.mkdir()
    else:
        out.write_text(content)
    assert cli(["grid", "digits", "--profile", "ci", "--out", str(out), "--no-progress"]) == 2
    assert "error:" in capsys.readouterr().err
    assert out.is_dir() if content is None else out.read_text() == content


PARENT = """
import multiprocessing.resource_tracker as tracker
import sys
sys.path.insert(0, {folder!r})
import slow_cells
from labsupport.grid import run_grid

tracker.ensure_running()
print(tracker._resource_tracker._pid, flush=True)
run_grid(slow_cells.train, {{"a": [1, 2]}}, {out!r}, settings={{"pids": {folder!r}}}, workers=2)
"""

SLOW_CELLS = """
import os
import time
from pathlib import Path


def train(params, settings, seed):
    Path(settings["pids"], f"worker-{os.getpid()}").write_text("")
    time.sleep(300)
    return {"score": 0.0}
"""


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie has exited; only its parent has not collected it yet
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_and_the_resource_tracker_exit_when_the_parent_is_killed(tmp_path):
    (tmp_path / "slow_cells.py").write_text(textwrap.dedent(SLOW_CELLS))
    script = PARENT.format(folder=str(tmp_path), out=str(tmp_path / "r.json"))
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = []
    try:
        tracker = int(parent.stdout.readline())
        # each worker imports TensorFlow (seed_everything) before it starts its cell
        assert wait_until(lambda: len(list(tmp_path.glob("worker-*"))) == 2, 180), "workers never started a cell"
        workers = [int(path.name.split("-")[1]) for path in tmp_path.glob("worker-*")]
        assert all(alive(pid) for pid in workers + [tracker])
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert wait_until(lambda: not any(alive(pid) for pid in workers), 15), "workers outlived their parent"
        assert wait_until(lambda: not alive(tracker), 15), "the resource tracker outlived the workers"
    finally:
        parent.kill()
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
