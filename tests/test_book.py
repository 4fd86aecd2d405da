"""The whole book builds in the ci profile with warnings as errors (the build is
conftest's ``built_book``, shared with the browser test)."""

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
