"""Solutions folded in JupyterLab as they are in the book.

A chapter's exercise has its solution between ``{solution-start}`` and
``{solution-end}`` markers (sphinx-exercise's gated syntax), so that the
solution's code cells run, and check the answer, with the rest of the chapter.
The book folds everything between the markers into one dropdown. JupyterLab,
with jupyterlab-myst, renders each cell on its own: the Markdown of the
solution folds, but the code cells after it would show the answer. JupyterLab's
own fold for a cell is its metadata ``jupyter.source_hidden`` and
``jupyter.outputs_hidden`` (the "…" a learner clicks to open); the book's
renderer ignores both. A folded cell still shows its first line as a preview,
so a solution's code cell starts with a comment that gives nothing away.
:func:`fold_solutions` does both to exactly the code cells of the solutions;
``tests/test_folding.py`` keeps every chapter so.

Run ``python -m labsupport.folding chapters/*.ipynb`` after adding a solution.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .notebook_files import rewrite_notebooks

_START = re.compile(r"^```\{solution-start\}", re.MULTILINE)
_END = re.compile(r"^```\{solution-end\}", re.MULTILINE)
FOLDED = {"source_hidden": True, "outputs_hidden": True}
PREVIEW = "# Checking the solution\n"  # what a folded cell shows of itself


def _opens_and_closes(source: str) -> tuple[bool, bool]:
    """Whether a Markdown cell leaves a solution open, and whether it closes one first."""
    starts = [match.start() for match in _START.finditer(source)]
    ends = [match.start() for match in _END.finditer(source)]
    closes = bool(ends) and (not starts or ends[0] < starts[0])
    opens = bool(starts) and (not ends or starts[-1] > ends[-1])
    return opens, closes


def solution_code_cells(notebook: dict) -> list[int]:
    """Indices of the code cells that lie inside a gated solution.

    Raises
    ------
    ValueError
        If a solution is opened twice, closed without being opened, or never closed.

    Examples
    --------
    >>> def cell(kind, text):
    ...     return {"cell_type": kind, "source": text, "metadata": {}}
    >>> notebook = {"cells": [cell("code", "setup()"),
    ...     cell("markdown", "```{solution-start} ex\\n```\\nThe answer:"),
    ...     cell("code", "assert answer == 16"),
    ...     cell("markdown", "```{solution-end}\\n```\\nNext."), cell("code", "more()")]}
    >>> solution_code_cells(notebook)
    [2]
    """
    inside, found = False, []
    for index, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            if inside:
                found.append(index)
            continue
        if cell["cell_type"] != "markdown":
            continue
        opens, closes = _opens_and_closes(source)
        if closes and not inside:
            raise ValueError(f"cell {index}: a solution-end with no solution open")
        if closes:
            inside = False
        if opens and inside:
            raise ValueError(f"cell {index}: a solution-start inside an open solution")
        if opens:
            inside = True
    if inside:
        raise ValueError("the last solution is never closed by a solution-end")
    return found


def fold_solutions(notebook: dict) -> dict:
    """`notebook` with exactly its solutions' code cells folded (changed in place), each
    starting with a comment (:data:`PREVIEW` unless it has one)."""
    folded = set(solution_code_cells(notebook))
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        jupyter = cell["metadata"].pop("jupyter", {})
        for key in FOLDED:
            jupyter.pop(key, None)
        if index in folded:
            jupyter.update(FOLDED)
            source = "".join(cell["source"])
            if not source.startswith("#"):
                cell["source"] = (PREVIEW + source).splitlines(keepends=True)
        if jupyter:
            cell["metadata"]["jupyter"] = jupyter
    return notebook


def fold_files(paths) -> list[Path]:
    """Fold the solutions of each notebook in `paths`; return those that changed."""
    return rewrite_notebooks(paths, lambda notebook, path: fold_solutions(notebook))


if __name__ == "__main__":
    for changed in fold_files(sys.argv[1:]):
        print(f"updated {changed}")
