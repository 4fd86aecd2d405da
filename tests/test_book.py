"""The whole book builds in the ci profile with warnings as errors (the build is
conftest's ``built_book``, shared with the browser test)."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for entry in toc.get("chapters", []):
        files.append(entry["file"])
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part["chapters"]]
    return [Path(name).with_suffix("") for name in files]


def test_every_toc_entry_has_a_page(built_book):
    for name in toc_files():
        assert (built_book / name).with_suffix(".html").is_file(), name


def test_chapter_one_renders_math_figures_and_solutions(built_book):
    page = (built_book / "chapters" / "01_dense_to_convolution.html").read_text()
    assert "math notranslate" in page and "mathjax" in page.lower()
    assert page.count("<img") >= 4
    assert "solution" in page and "dropdown" in page
    assert "Traceback" not in page and "output stderr" not in page


def test_chapter_eight_figures_carry_their_alt_text(built_book):
    page = (built_book / "chapters" / "08_inside_a_trained_cnn.html").read_text()
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) >= 7
    for tag in images:
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and len(alt.group(1)) > 40, tag[:200]


def test_build_page_shows_each_notebooks_status_and_the_versions_used(built_book):
    from importlib.metadata import version

    page = (built_book / "chapters" / "99_build.html").read_text()
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        if notebook.stem != "99_build":  # the table is made while this page is written
            assert f"chapters/{notebook.stem}" in page, notebook.name
    for package in ("tensorflow", "keras", "jupyter-book", "sphinx", "myst-nb"):
        assert f"<td><p>{package}</p></td>\n<td><p>{version(package)}</p></td>" in page, package


def test_how_to_page_gives_each_chapters_wall_time_and_every_data_file(built_book):
    from labsupport.datasets import MNIST_NPZ

    page = (built_book / "chapters" / "00_how_to_use.html").read_text()
    measured = json.loads((ROOT / "data" / "chapter-times.json").read_text())["chapters"]
    for notebook, seconds in measured.items():
        if (ROOT / notebook).is_file() and "ci" in seconds:
            name = Path(notebook).stem
            assert f"<td><p>{name}</p></td>\n<td class=\"text-right\"><p>{seconds['ci']:.0f} s" \
                in page, name
    assert MNIST_NPZ.filename in page and "t10k-labels-idx1-ubyte.gz" in page
    # The example warning, made by the package, and the command for a Dask cluster.
    assert "Stand-in data: MNIST was not found" in page and "tcp://host:8786" in page


def test_chapter_seven_labels_its_data_and_describes_its_figures(built_book):
    page = (built_book / "chapters" / "07_cifar10.html").read_text()
    notebook = json.loads((ROOT / "chapters" / "07_cifar10.ipynb").read_text())
    alts = [cell["metadata"]["mystnb"]["image"]["alt"] for cell in notebook["cells"]
            if "mystnb" in cell.get("metadata", {})]
    assert len(alts) >= 8
    rendered = re.findall(r'<img[^>]*alt="([^"]*)"', page)
    for alt in alts:  # every figure's alt text reaches its <img>
        assert alt.replace('"', "&quot;") in rendered, alt
    assert "stand-in-warning" in page  # the ci build has no CIFAR-10: the page says so
    # no cell failed or wrote to stderr (a docstring's doctest may show "Traceback")
    assert "output traceback" not in page and "output stderr" not in page
