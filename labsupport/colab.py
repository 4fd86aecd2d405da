"""The first code cell of every chapter: in Google Colab, install labsupport.

A chapter opened in Colab starts in a machine that has TensorFlow, NumPy and the
rest, but not this course's package, so ``import labsupport`` would stop it. The
cell this module writes installs labsupport from the course's repository (the
``repository`` section of ``_config.yml``) when, and only when, the notebook runs
in Colab (``"google.colab" in sys.modules``) and labsupport cannot be imported;
anywhere else (the book's build, nbval, ``make lab``, Binder) it does nothing.

This module is the one definition of that cell: :func:`install_cell` writes its
source, :func:`write_install_cells` puts it first in each chapter (run
``python -m labsupport.colab chapters/*.ipynb`` after changing ``_config.yml``),
and ``tests/test_colab_cell.py`` checks that every chapter holds it unchanged.
The cell must run before labsupport exists, so it is plain Python that imports
nothing of this package.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .notebook_files import rewrite_notebooks

CELL_ID = "colab-install"
TAGS = ["remove-cell"]  # the book's readers do not need it; Colab ignores tags
ROOT = Path(__file__).resolve().parents[1]

_TEMPLATE = '''\
# Google Colab only: install labsupport, the course's package, from the course's
# repository at the version of this notebook. Anywhere else this does nothing.
import importlib.util
import subprocess
import sys

REPOSITORY, REF = {repository}, {ref}
if "google.colab" in sys.modules and importlib.util.find_spec("labsupport") is None:
    if not REPOSITORY:
        raise RuntimeError("_config.yml's repository.url is empty: this copy of the "
                           "course names no repository to install labsupport from.")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    f"labsupport @ git+{{REPOSITORY}}@{{REF}}"], check=True)
    importlib.invalidate_caches()'''


def install_cell(repository: str, ref: str) -> str:
    """Source of the cell that installs labsupport in Colab.

    Parameters
    ----------
    repository : str
        Git URL of the course's repository (``https://...`` or ``file://...``);
        empty when the course names none, and then the cell raises in Colab.
    ref : str
        Branch, tag or commit to install from.

    Returns
    -------
    str
        The cell's source, lines at most 88 characters.

    Raises
    ------
    TypeError
        If `repository` or `ref` is not a string.
    ValueError
        If `ref` is empty, or either holds a quote, a newline or an ``@``.

    Example
    -------
    >>> source = install_cell("https://example.org/course.git", "main")
    >>> 'REPOSITORY, REF = "https://example.org/course.git", "main"' in source
    True
    """
    for name, value in (("repository", repository), ("ref", ref)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {type(value).__name__} "
                            f"{value!r}")
        if any(char in value for char in "'\"\n@"):
            raise ValueError(f"{name} must be a git URL or ref without quotes, "
                             f"newlines or '@', got {value!r}")
    if not ref:
        raise ValueError("ref must name a branch, tag or commit, got ''")
    return _TEMPLATE.format(repository=json.dumps(repository.strip()),
                            ref=json.dumps(ref.strip()))


def configured_cell(config: str | Path = ROOT / "_config.yml") -> str:
    """The install cell for the repository and branch ``_config.yml`` names.

    Parameters
    ----------
    config : str or Path
        The book's ``_config.yml``.

    Returns
    -------
    str
        ``install_cell(repository.url, repository.branch)``.

    Raises
    ------
    ValueError
        If the file has no ``repository`` section with ``url`` and ``branch``.

    Example
    -------
    >>> "google.colab" in configured_cell()
    True
    """
    import yaml

    settings = yaml.safe_load(Path(config).read_text()) or {}
    repository = settings.get("repository") or {}
    if "url" not in repository or not repository.get("branch"):
        raise ValueError(f"{config} needs repository.url and repository.branch, got "
                         f"{repository!r}")
    return install_cell(repository["url"] or "", str(repository["branch"]))


def write_install_cells(paths, source: str | None = None) -> list[Path]:
    """Make `source` the first code cell of each notebook in `paths`.

    A cell with id ``colab-install`` is replaced; otherwise one is inserted before
    the first code cell. Every other cell is left as it is.

    Parameters
    ----------
    paths : iterable of str or Path
        Notebooks (``.ipynb``).
    source : str, optional
        The cell's source; by default :func:`configured_cell`.

    Returns
    -------
    list of Path
        The notebooks that changed.

    Raises
    ------
    ValueError
        If a notebook has no code cell, or its install cell is not its first code cell.
    """
    source = configured_cell() if source is None else source
    cell = {"cell_type": "code", "execution_count": None, "id": CELL_ID,
            "metadata": {"tags": list(TAGS)}, "outputs": [],
            "source": source.splitlines(keepends=True)}

    def install(notebook, path):
        cells = notebook["cells"]
        code = [index for index, each in enumerate(cells) if each["cell_type"] == "code"]
        if not code:
            raise ValueError(f"{path} has no code cell to put the install cell before")
        ids = [index for index, each in enumerate(cells) if each.get("id") == CELL_ID]
        if ids and ids[0] != code[0]:
            raise ValueError(f"{path}: cell {CELL_ID!r} is not the first code cell")
        if ids:
            cells[ids[0]] = cell
        else:
            cells.insert(code[0], cell)

    return rewrite_notebooks(paths, install)


if __name__ == "__main__":
    for changed in write_install_cells(sys.argv[1:]):
        print(f"updated {changed}")
