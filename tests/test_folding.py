"""Solutions fold in JupyterLab: every code cell inside a chapter's gated solution, and
no other, carries JupyterLab's fold (labsupport.folding), checked against the markers."""

import copy
import json
from pathlib import Path

import pytest

from labsupport.folding import FOLDED, PREVIEW, fold_solutions, solution_code_cells

CHAPTERS = sorted((Path(__file__).parents[1] / "chapters").glob("*.ipynb"))


def cell(kind, text, metadata=None):
    return {"cell_type": kind, "source": text, "metadata": metadata or {}}


START, END = "```{solution-start} ex\n:class: dropdown\n```\n", "```{solution-end}\n```\n"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.name)
def test_each_chapter_folds_exactly_its_solutions_code(path):
    notebook = json.loads(path.read_text())
    assert fold_solutions(copy.deepcopy(notebook)) == notebook, (
        f"run: python -m labsupport.folding {path.relative_to(path.parents[1])}")
    folded = [index for index, each in enumerate(notebook["cells"])
              if each["metadata"].get("jupyter", {}).get("source_hidden")]
    assert folded == solution_code_cells(notebook)
    for index in folded:  # JupyterLab previews a folded cell by its first line
        assert "".join(notebook["cells"][index]["source"]).startswith("#"), index
    if "solution-start" in path.read_text():
        assert folded, f"{path.name} has solutions but no code cell in one"


def test_the_cells_between_the_markers_are_found_across_several_cells():
    notebook = {"cells": [
        cell("code", "before()"),
        cell("markdown", "An exercise.\n" + START + "The reasoning."),
        cell("code", "check_one()"), cell("raw", "ignored"), cell("code", "check_two()"),
        cell("markdown", END + "Between.\n" + START + "Second."),
        cell("code", "check_three()"),
        cell("markdown", END), cell("code", "after()")]}
    assert solution_code_cells(notebook) == [2, 4, 6]


def test_a_solution_in_one_markdown_cell_folds_no_code():
    notebook = {"cells": [cell("markdown", START + "All here.\n" + END),
                          cell("code", "after()")]}
    assert solution_code_cells(notebook) == []


@pytest.mark.parametrize("sources, message", [
    ([END], "no solution open"),
    ([START, START], "inside an open solution"),
    ([START], "never closed"),
])
def test_unbalanced_markers_are_refused(sources, message):
    with pytest.raises(ValueError, match=message):
        solution_code_cells({"cells": [cell("markdown", text) for text in sources]})


def test_folding_unfolds_stray_cells_and_keeps_other_metadata():
    notebook = {"cells": [
        cell("code", "stray()", {"jupyter": dict(FOLDED), "tags": ["hide-input"]}),
        cell("markdown", START),
        cell("code", "answer()", {"jupyter": {"other": 1}}),
        cell("markdown", END)]}
    fold_solutions(notebook)
    assert notebook["cells"][0]["metadata"] == {"tags": ["hide-input"]}
    assert notebook["cells"][2]["metadata"] == {"jupyter": {"other": 1, **FOLDED}}
    assert notebook["cells"][0]["source"] == "stray()"  # unfolded cells are left as they are
    assert notebook["cells"][2]["source"] == [PREVIEW, "answer()"]
    fold_solutions(notebook)  # a second fold changes nothing
    assert notebook["cells"][2]["source"] == [PREVIEW, "answer()"]
