"""Colab's install cell (labsupport/colab.py): every chapter starts with the one
definition of it, and it works.

How the mechanism is proved, affordably: a fresh virtual environment is made from
this interpreter's base Python, without pip and without labsupport, and every other
package of the test environment (TensorFlow, Jupyter Book, pip, setuptools, ...) is
linked into its site-packages, so nothing large is copied or downloaded. This is the
situation of a Colab machine: the scientific stack is there, labsupport is not. A
script then runs, in that environment, the install cell that labsupport.colab writes
for a ``file://`` clone of this repository at its HEAD commit: once as it is outside
Colab (it must install nothing), then with ``google.colab`` in ``sys.modules``. pip
runs with ``--no-index`` and without build isolation (set through pip's own
environment variables, so the cell is the chapters' cell): every dependency must be
found installed, as in Colab, and the test reaches no network. Then each chapter's
setup cell (its imports and ``setup_notebook``) runs in the same process, and the
labsupport it imports must be the one just installed into the fresh environment.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from freshenv import OFFLINE_PIP, fresh_environment
from labsupport import colab

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def code_cells(path):
    return [cell for cell in json.loads(path.read_text())["cells"]
            if cell["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_every_chapter_starts_with_the_one_install_cell(path):
    first = code_cells(path)[0]
    assert first.get("id") == colab.CELL_ID, f"{path.name}: first code cell is not it"
    assert "".join(first["source"]) == colab.configured_cell(), (
        f"{path.name}: the install cell differs from labsupport.colab's; run "
        "python -m labsupport.colab chapters/*.ipynb")
    assert first["metadata"].get("tags") == colab.TAGS
    assert all(len(line) <= 88 for line in colab.configured_cell().splitlines())


def configured_repository():
    import yaml

    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]


def test_install_cell_names_the_configured_repository():
    repository = configured_repository()
    source = colab.configured_cell()
    assert (f"REPOSITORY, REF = {json.dumps(repository['url'] or '')}, "
            f"{json.dumps(repository['branch'])}") in source


@pytest.mark.parametrize("repository, ref", [("https://x.org/r", ""),
                                             ("https://x.org/r'", "main"),
                                             ("https://x.org/r", "main\nimport os")])
def test_install_cell_refuses_what_it_cannot_quote(repository, ref):
    with pytest.raises(ValueError, match="ref|repository"):
        colab.install_cell(repository, ref)


def run_in_colab(tmp_path, cell):
    """Run `cell` in a fresh environment, first as outside Colab, then in simulated
    Colab, then every chapter's setup cell; the finished process."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", f"file://{ROOT}",
                    str(clone)], check=True)
    head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    python = fresh_environment(tmp_path / "venv")
    install = colab.install_cell(f"file://{clone}", head)
    if cell is not None:
        install = cell(install)
    setups = {path.name: "".join(code_cells(path)[1]["source"]) for path in NOTEBOOKS}
    script = textwrap.dedent(f"""\
        import importlib.util, sys, types
        venv = {str(tmp_path / "venv")!r}
        assert importlib.util.find_spec("labsupport") is None, "labsupport is there"
        exec({install!r}, {{}})
        assert importlib.util.find_spec("labsupport") is None, "installed outside Colab"
        sys.modules["google.colab"] = types.ModuleType("google.colab")
        exec({install!r}, {{}})
        for name, setup in {setups!r}.items():
            exec(setup, {{"__name__": "__main__"}})
            print("imports of", name, "succeeded")
        import labsupport
        assert labsupport.__file__.startswith(venv), labsupport.__file__
        print("labsupport from", labsupport.__file__)
        """)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV"))}
    # pip reads these as its options; the cell itself stays the chapters' cell.
    env.update(OFFLINE_PIP, LABSUPPORT_PROFILE="ci", TF_CPP_MIN_LOG_LEVEL="3",
               MPLBACKEND="Agg")
    return subprocess.run([python, "-c", script], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=900)


def test_install_cell_installs_labsupport_in_colab_and_the_chapters_import(tmp_path):
    result = run_in_colab(tmp_path, None)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for path in NOTEBOOKS:
        assert f"imports of {path.name} succeeded" in result.stdout
    assert f"labsupport from {tmp_path / 'venv'}" in result.stdout


def test_a_cell_that_installs_nothing_fails_the_check(tmp_path):
    def install_nothing(source):
        assert "subprocess.run(" in source
        return source.replace("subprocess.run(", "(lambda *args, **kwargs: None)(")

    result = run_in_colab(tmp_path, install_nothing)
    assert result.returncode != 0
    assert "No module named 'labsupport'" in result.stderr, result.stderr[-4000:]


def test_the_books_downloads_install_from_the_commit_it_was_built_from(tmp_path):
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import course_theme
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    sources = tmp_path / "_sources" / "chapters"
    sources.mkdir(parents=True)
    for path in NOTEBOOKS[:2]:
        (sources / path.name).write_text(path.read_text())
    commit = course_theme.built_commit(ROOT)
    assert commit and len(commit) == 40
    changed = course_theme.pin_install_cells(tmp_path, commit)
    assert [path.name for path in changed] == [path.name for path in NOTEBOOKS[:2]]
    for path in changed:
        cells = code_cells(path)
        assert "".join(cells[0]["source"]) == colab.install_cell(
            configured_repository()["url"] or "", commit)
        assert cells[1:] == code_cells(ROOT / "chapters" / path.name)[1:]
