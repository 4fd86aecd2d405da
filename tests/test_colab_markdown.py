"""The chapters read in Colab, which renders Markdown as CommonMark with tables and no
MyST: every word of every Markdown cell must reach the reader there. MyST's directives
and roles degrade to code blocks and literal text, which can be read; what must not
happen is text that CommonMark hides (an HTML comment, a raw HTML element, a link
reference definition) or MyST syntax that Colab shows as noise (a MyST comment line).

markdown-it-py is the CommonMark parser myst-parser itself is built on; Colab's renderer
follows the same specification."""

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

CHAPTERS = sorted((Path(__file__).parents[1] / "chapters").glob("*.ipynb"))
COMMONMARK = MarkdownIt("commonmark").enable("table")


def words(text):
    return set(re.findall(r"[A-Za-z]{3,}", text))


def visible_text(source):
    """The text a CommonMark renderer shows for `source`: inline text, code, image alt
    text, and what lies between raw HTML tags (a comment shows nothing)."""
    shown = []

    def walk(tokens):
        for token in tokens:
            if token.type in ("html_block", "html_inline"):
                without_comments = re.sub(r"<!--.*?-->", " ", token.content, flags=re.S)
                shown.append(re.sub(r"<[^>]*>", " ", without_comments))
            elif token.children:
                walk(token.children)
            elif token.content:
                shown.append(token.content)

    walk(COMMONMARK.parse(source))
    return " ".join(shown)


def prose(source):
    """`source` without what is not meant to be read: link targets, HTML tags, and the
    info string of a code fence (a language, or a MyST directive's name)."""
    without_info = re.sub(r"^(\s*(?:`{3,}|~{3,})).*$", r"\1", source, flags=re.M)
    without_targets = re.sub(r"\]\([^)]*\)", "]", without_info)
    without_comments = re.sub(r"<!--.*?-->", lambda m: m.group(0).replace("<", " <"),
                              without_targets, flags=re.S)
    return re.sub(r"<(?!!--)[^>]*>", " ", without_comments)


def markdown_cells(path):
    notebook = json.loads(path.read_text())
    return [(index, "".join(cell["source"])) for index, cell in enumerate(notebook["cells"])
            if cell["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.name)
def test_every_word_of_every_markdown_cell_reaches_a_colab_reader(path):
    for index, source in markdown_cells(path):
        hidden = words(prose(source)) - words(visible_text(source))
        assert not hidden, f"{path.name}, cell {index}: Colab hides {sorted(hidden)}"
        comments = [line for line in source.splitlines() if line.startswith("% ")]
        assert not comments, f"{path.name}, cell {index}: MyST comments show in Colab"


@pytest.mark.parametrize("source, lost", [
    ("Visible. <!-- a remark only the author should see -->", {"remark", "author"}),
    ("Text.\n\n[note]: https://example.org 'a title nobody sees'", {"title", "nobody"}),
    ("<details hidden><summary>Open</summary>kept</details>", set()),
])
def test_the_check_sees_what_commonmark_hides(source, lost):
    assert words(prose(source)) - words(visible_text(source)) >= lost
    if not lost:
        assert words(prose(source)) <= words(visible_text(source))
