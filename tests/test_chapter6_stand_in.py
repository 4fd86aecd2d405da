"""Chapter 6 on a fresh machine: no MNIST anywhere and no network still builds, and says so.

The book and ci profiles share the data setting that matters here (``allow_stand_in``),
so the chapter is executed in the ci profile (fast) with an empty data folder, an
empty Keras cache and downloads forbidden, as `make book` would run it on a fresh
clone without a network.
"""

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from labsupport.profiles import PROFILES

CHAPTER = Path(__file__).parents[1] / "chapters" / "06_digits_and_mnist.ipynb"
BANNER = 'class="admonition warning stand-in-warning"'


def code_cells():
    return [cell for cell in nbformat.read(CHAPTER, as_version=4).cells if cell.cell_type == "code"]


def test_the_banner_cell_comes_before_any_result_of_this_pages_mnist():
    cells = code_cells()
    banner = next(i for i, cell in enumerate(cells) if "stand_in_banner(" in cell.source)
    assert "remove-input" in cells[banner].metadata.get("tags", [])
    assert "mnist_data(" in cells[banner].source  # the same (cached) data the page trains on
    uses = ("fit_mnist(", "data.x_", "data.y_", "data.mnist.source")
    uses_data = [i for i, cell in enumerate(cells) if any(use in cell.source for use in uses)]
    assert uses_data and banner < min(uses_data)  # the banner sits above every result of them


def test_the_book_profile_falls_back_like_the_ci_profile_it_is_tested_in():
    assert PROFILES["book"].allow_stand_in and PROFILES["ci"].allow_stand_in
    assert not PROFILES["full"].allow_stand_in


@pytest.fixture(scope="module")
def executed_without_data(tmp_path_factory):
    empty = tmp_path_factory.mktemp("no-data")
    keras_home = tmp_path_factory.mktemp("empty-keras")
    saved = {name: os.environ.get(name) for name in
             ("LABSUPPORT_PROFILE", "LABSUPPORT_DATA_DIR", "LABSUPPORT_OFFLINE", "KERAS_HOME")}
    os.environ.update(LABSUPPORT_PROFILE="ci", LABSUPPORT_DATA_DIR=str(empty), LABSUPPORT_OFFLINE="1",
                      KERAS_HOME=str(keras_home))
    try:  # the kernel inherits this environment
        notebook = nbformat.read(CHAPTER, as_version=4)
        NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(CHAPTER.parent)}}).execute()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return notebook


def outputs(cell, mime):
    return "".join(output.get("data", {}).get(mime, "") for output in cell.get("outputs", []))


def glued(notebook, key):
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == key:
                return output["data"]["application/papermill.record/text/plain"]
    raise KeyError(key)


def test_without_data_the_page_shows_the_banner_above_the_results(executed_without_data):
    cells = [cell for cell in executed_without_data.cells if cell.cell_type == "code"]
    banner = next(i for i, cell in enumerate(cells) if "stand_in_banner(" in cell.source)
    page = outputs(cells[banner], "text/html")
    assert BANNER in page and "Stand-in data: MNIST was not found" in page
    assert "How to get the real data" in page and "LABSUPPORT_DATA_DIR" in page
    assert not any(BANNER in outputs(cell, "text/html") for cell in cells[:banner])


def test_without_data_no_sentence_claims_mnist(executed_without_data):
    assert glued(executed_without_data, "mnist_what") == "'the stand-in (not MNIST)'"
    assert "STAND-IN, not MNIST" in glued(executed_without_data, "mnist_source")
