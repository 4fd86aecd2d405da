"""The rendered book in headless Chromium: every page of the course passes every check
of :mod:`bookcheck`, and a small book broken on purpose shows that each check fails."""

import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from bookcheck import book_pages, check_book, require_chromium

ROOT = Path(__file__).parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"

# What is left of the problems the course had when the browser test arrived, per page
# and kind: a ceiling that may only come down. A page not listed here must have none.
# _build/screenshots/problems.txt lists every problem after every run.
KNOWN: dict[tuple[str, str], int] = {}  # none left: every page passes every check


@pytest.fixture(scope="module")
def chromium():
    return require_chromium("browser test")


def test_every_page_of_the_book_passes_in_a_browser(built_book, chromium):
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # no picture of a page that is gone
    problems = check_book(built_book, SCREENSHOTS, chromium)
    # The known problems too, so that what is left to fix can be read after any run.
    (SCREENSHOTS / "problems.txt").write_text("".join(f"{p}\n" for p in problems))
    counts = Counter((problem.page, problem.kind) for problem in problems)
    over = {key: count for key, count in counts.items() if count > KNOWN.get(key, 0)}
    report = "\n".join(str(p) for p in problems if (p.page, p.kind) in over)
    assert not over, f"{over}\n{report}"
    for page in book_pages(built_book):
        assert (SCREENSHOTS / page).with_suffix(".png").stat().st_size > 10_000, page


def test_notebook_pages_offer_their_notebook_and_no_launch_button_without_a_repository(
        built_book):
    notebooks = sorted(ROOT.glob("chapters/*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        name = notebook.relative_to(ROOT).with_suffix(".html")
        page = (built_book / name).read_text()
        assert f'href="../_sources/{name.with_suffix(".ipynb").as_posix()}"' in page, name
        assert (built_book / "_sources" / name.with_suffix(".ipynb")).is_file(), name
        assert "mybinder.org" not in page and "colab.research.google.com" not in page, name


# The scratch book: a clean page, a page with one of each breakage, and a notebook page
# whose stored outputs hold a frozen animation and a figure without alt text.
CONFIG = f"""\
title: Scratch
only_build_toc_files: true
execute:
  execute_notebooks: "off"
parse:
  myst_enable_extensions: [dollarmath]
sphinx:
  local_extensions:
    course_theme: {ROOT / "_ext"}
  extra_extensions: [sphinx-mathjax-offline]
repository:
  url: https://github.com/example/course
  branch: main
launch_buttons:
  binderhub_url: https://mybinder.org
"""
TOC = """\
format: jb-book
root: index
chapters:
  - file: broken
  - file: outputs
"""
INDEX = """\
# A clean page

The area of a circle is $\\pi r^2$, and [the broken page](broken.md) follows.

```python
print("a short line")
```
"""
WIDE_LINE = "x = [" + ", ".join(str(n) for n in range(60)) + "]"
BROKEN = f"""\
# A broken page

<img src="missing.png" alt="a picture that is not there">

<img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==">

<p style="color: #c8c8c8">Text too faint to read on a white page.</p>

$$\\frac{{1}}{{2$$

$$x^{{2}}}}$$

A stray dollar: one book costs $5 and the other one costs $6 today.

<a href="nowhere.html">a page that does not exist</a> and
<a href="index.html#no-such-section">a section that does not exist</a>.

```python
{WIDE_LINE}
```
"""


def _outputs_notebook():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure
    from matplotlib.animation import FuncAnimation

    from labsupport.animate import animation_html

    def animation(moving):
        fig, ax = plt.subplots(figsize=(2, 2))
        (dot,) = ax.plot([0], [0], "o")
        ax.set_xlim(0, 3)
        frames = FuncAnimation(fig, lambda i: dot.set_xdata([i if moving else 0]), frames=3)
        plt.close(fig)
        return frames

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    png = print_figure(fig, "png")
    plt.close(fig)
    import base64

    figure = {"image/png": base64.b64encode(png).decode(), "text/plain": "<Figure>"}

    def cell(data, metadata=None):
        return nbformat.v4.new_code_cell(
            "...", metadata=metadata or {},
            outputs=[nbformat.v4.new_output("display_data", data=data)])

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Outputs"),
        cell({"text/html": animation_html(animation(True), alt="a dot moves right").data}),
        cell({"text/html": animation_html(animation(False), alt="a dot stays").data}),
        cell(figure, {"mystnb": {"image": {"alt": "a line falls from left to right"}}}),
        cell(figure),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook


@pytest.fixture(scope="module")
def scratch_book(tmp_path_factory):
    source = tmp_path_factory.mktemp("scratch")
    for name, text in {"_config.yml": CONFIG, "_toc.yml": TOC, "index.md": INDEX,
                       "broken.md": BROKEN}.items():
        (source / name).write_text(textwrap.dedent(text))
    nbformat.write(_outputs_notebook(), source / "outputs.ipynb")
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return source / "_build" / "html"


def test_the_checker_reports_each_breakage_and_nothing_else(scratch_book, chromium,
                                                            tmp_path):
    problems = check_book(scratch_book, tmp_path / "shots", chromium)
    by_page = {}
    for problem in problems:
        by_page.setdefault(problem.page, []).append(problem)
    report = "\n".join(map(str, problems))

    assert "index.html" not in by_page, report
    broken = {problem.kind: problem.detail for problem in by_page["broken.html"]}
    assert set(broken) == {"image", "resource", "console", "math", "link", "overflow",
                           "a11y"}, report
    assert "missing.png" in broken["image"] and "missing.png" in broken["resource"]
    links = [p.detail for p in by_page["broken.html"] if p.kind == "link"]
    assert any("nowhere.html answers 404" in link for link in links), report
    assert any("'no-such-section'" in link for link in links), report
    assert "code line of" in broken["overflow"], report
    # axe-core: the image without alt text in both themes, the faint text in the light
    # theme only (it is light grey, readable on the dark page).
    rules = sorted(p.detail.split(" (")[0] for p in by_page["broken.html"] if p.kind == "a11y")
    assert rules == ["dark: image-alt", "light: color-contrast", "light: image-alt"], report
    formulas = [p.detail for p in by_page["broken.html"] if p.kind == "math"]
    assert any(formula.startswith("not typeset") for formula in formulas), report
    assert any("Extra close brace" in formula for formula in formulas), report
    assert any(formula.startswith('prose typeset as math ("and the other one")')
               for formula in formulas), report

    outputs = [(problem.kind, problem.detail) for problem in by_page["outputs.html"]]
    assert len(outputs) == 2, report
    assert ("animation", "animation 2: stepping through its frames never changes the picture") \
        in outputs, report
    assert outputs[0][0] == "alt" and outputs[0][1].startswith("image "), report

    for page in ("index.html", "broken.html", "outputs.html"):
        assert (tmp_path / "shots" / page).with_suffix(".png").is_file(), page
        assert (tmp_path / "shots" / page).with_suffix(".dark.png").is_file(), page


def test_launch_buttons_appear_once_a_repository_is_configured(scratch_book):
    page = (scratch_book / "outputs.html").read_text()
    assert "https://mybinder.org/v2/gh/example/course/main" in page
    assert 'href="_sources/outputs.ipynb"' in page
