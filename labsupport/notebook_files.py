"""Rewrite the chapters' notebook files in place, in the layout they are kept in.

The layout is nbformat's and nbstripout's (one-space indentation, sorted keys, a final
newline), so that a rewrite changes only what it means to change. Used by the tools
that keep every chapter the same in one respect: :mod:`labsupport.colab` (the install
cell) and :mod:`labsupport.folding` (the folded solutions).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path


def rewrite_notebooks(paths: Iterable, change: Callable[[dict, Path], None]) -> list[Path]:
    """Apply `change(notebook, path)` to each notebook in `paths`, in place.

    Returns
    -------
    list of Path
        The notebooks whose file changed (the others are not written).
    """
    changed = []
    for path in map(Path, paths):
        text = path.read_text()
        notebook = json.loads(text)
        change(notebook, path)
        new = json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        if new != text:
            path.write_text(new)
            changed.append(path)
    return changed
