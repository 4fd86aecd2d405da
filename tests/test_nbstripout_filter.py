"""Outputs never reach a commit, and a learner's run does not mark notebooks modified:
``.gitattributes`` sends every notebook through the ``nbstripout`` filter, which
``make`` names in the clone's git config (Makefile target ``filter``).

The test clones this repository at HEAD, runs ``make filter`` in the clone with this
test's environment as the clone's ``.venv``, then saves every chapter with outputs and
execution counts as JupyterLab saves a notebook it ran (nbformat.write, then the
server's post-save hook from etc/jupyter/jupyter_server_config.py, which make copies
into .venv). ``git status`` must show nothing modified, while the files keep their
outputs; a notebook whose source changed must still show. In a clone where make was
not run, the same save marks every notebook modified: that is the failure the filter
prevents, and it shows the check can fail.
"""

import json
import runpy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def git(clone, *args):
    return subprocess.run(["git", "-C", str(clone), *args], check=True,
                          capture_output=True, text=True).stdout


def test_committed_notebooks_are_what_the_filter_makes_of_them():
    """Else the filter would turn a notebook into another one than the committed, and
    a learner's run would mark it modified whatever the outputs. One nbstripout run
    prints every notebook's stripped form, one after the other."""
    stripped = subprocess.run([sys.executable, "-m", "nbstripout", "--keep-id", "-t",
                               *map(str, NOTEBOOKS)], capture_output=True, text=True,
                              check=True).stdout
    for path in NOTEBOOKS:
        text = path.read_text()
        assert stripped.startswith(text), (
            f"{path.name} differs from its nbstripout form: write the output of "
            f"'.venv/bin/python -m nbstripout --keep-id -t {path.relative_to(ROOT)}' "
            "over it")
        stripped = stripped[len(text):]
    assert stripped == ""


class Log:
    def warning(self, *args):
        raise AssertionError(args)


def post_save_hook():
    """The hook the Jupyter server of .venv runs after saving, as its config sets it."""
    config = Config()
    runpy.run_path(str(ROOT / "etc" / "jupyter" / "jupyter_server_config.py"),
                   init_globals={"get_config": lambda: config})
    return config.ContentsManager.post_save_hook


def save(path, notebook):
    nbformat.write(notebook, path)
    post_save_hook()(model={"type": "notebook"}, os_path=str(path),
                     contents_manager=type("Manager", (), {"log": Log()})())


def run_as_a_learner(clone, names):
    """Save the chapters `names` of `clone` with an output and an execution count in
    each code cell, as JupyterLab does after Run All."""
    for path in (clone / "chapters" / name for name in names):
        notebook = nbformat.read(path, as_version=4)
        for count, cell in enumerate(notebook.cells, start=1):
            if cell.cell_type == "code":
                cell.execution_count = count
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                       text=f"ran cell {count}\n")]
        save(path, notebook)


def modified(clone):
    return [line[3:] for line in git(clone, "status", "--porcelain").splitlines()]


@pytest.fixture
def clone(tmp_path):
    def make(name):
        where = tmp_path / name
        subprocess.run(["git", "clone", "--quiet", f"file://{ROOT}", str(where)],
                       check=True)
        return where
    return make


def test_make_sets_up_the_filter_and_a_run_leaves_the_clone_clean(clone):
    learner = clone("learner")
    prefix = Path(sys.prefix)
    subprocess.run(["make", "-C", str(learner), "filter", f"VENV={prefix}"], check=True,
                   capture_output=True, text=True)
    assert git(learner, "config", "filter.nbstripout.clean").strip() == (
        f"{prefix}/bin/python -m nbstripout --keep-id")
    assert "filter: nbstripout" in git(learner, "check-attr", "filter",
                                       "chapters/04_convolution_arithmetic.ipynb")
    # Three chapters: each save runs the filter twice, a second or more each (every
    # committed notebook is in the filter's form, tested above).
    run_as_a_learner(learner, [path.name for path in NOTEBOOKS[:3]])
    assert modified(learner) == []
    kept = json.loads((learner / "chapters" / NOTEBOOKS[1].name).read_text())
    assert any(cell.get("outputs") for cell in kept["cells"]), "outputs were not kept"
    # What a contributor would commit: the notebook without outputs.
    assert git(learner, "diff", "--stat") == ""
    edited = learner / "chapters" / NOTEBOOKS[1].name
    notebook = nbformat.read(edited, as_version=4)
    notebook.cells[-1].source += "\n# a learner's note"
    save(edited, notebook)
    assert modified(learner) == [f"chapters/{edited.name}"]
    assert "a learner's note" in git(learner, "diff")


def test_without_make_a_run_marks_every_notebook_modified(clone):
    bare = clone("bare")
    run_as_a_learner(bare, [path.name for path in NOTEBOOKS])
    assert sorted(modified(bare)) == [f"chapters/{path.name}" for path in NOTEBOOKS]
