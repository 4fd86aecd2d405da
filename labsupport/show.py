"""Show the package's own code in a chapter, so the book and the package cannot drift."""

from __future__ import annotations

import html
import inspect


def show_source(*objects):
    """Display the source of functions or classes as a highlighted code block.

    Returns an IPython Markdown object; the book renders it as a Python block.

    Examples
    --------
    >>> from labsupport.activations import relu
    >>> "def relu" in show_source(relu).data
    True
    """
    from IPython.display import Markdown

    blocks = [inspect.getsource(obj).rstrip() for obj in objects]
    return Markdown("```python\n" + "\n\n\n".join(blocks) + "\n```")


def _inline_code(text: str) -> str:
    """Escape `text` for HTML and turn its `backticked` spans into <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if index % 2 else part for index, part in enumerate(parts))


class StandInBanner:
    """A warning admonition saying that the results below come from a stand-in.

    It renders as the book theme's own warning admonition (the same HTML that
    Sphinx writes for ``{warning}``), as plain text in a terminal, and as a
    Markdown quote elsewhere.
    """

    def __init__(self, note):
        self.note = note

    def title(self) -> str:
        return f"Stand-in data: {self.note.dataset} was not found, so this page does not show it"

    def paragraphs(self) -> list[str]:
        note = self.note
        return [
            f"Every {note.dataset} figure and number below this box comes from a stand-in, "
            f"{note.description}, not from {note.dataset}: they show that the code runs, "
            f"not what {note.dataset} gives.",
            f"What was missing: {note.missing}",
            f"How to get the real data: {note.how_to_get}",
        ]

    def _repr_html_(self) -> str:
        first, _, how = self.paragraphs()
        # the loader's message is a list of files, checksums and places: kept as lines,
        # and allowed to wrap anywhere so that a long checksum cannot overflow the box
        missing = html.escape(self.note.missing)
        body = (f"<p>{_inline_code(first)}</p><p>What was missing:</p>"
                f'<pre style="white-space: pre-wrap; overflow-wrap: anywhere">{missing}</pre>'
                f"<p>{_inline_code(how)}</p>")
        return (f'<div class="admonition warning stand-in-warning" role="note">'
                f'<p class="admonition-title">{html.escape(self.title())}</p>{body}</div>')

    def _repr_markdown_(self) -> str:
        text = "\n\n".join([f"**Warning: {self.title()}**", *self.paragraphs()])
        return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())

    def __repr__(self) -> str:
        return "\n".join([f"WARNING: {self.title()}", *self.paragraphs()])


def stand_in_banner(data):
    """The page's warning when `data` is a stand-in, else None (nothing is shown).

    Call it in the cell just above the first result that uses the data.

    Parameters
    ----------
    data : object with a ``stand_in`` attribute
        A dataset from :mod:`labsupport.datasets` (its ``stand_in`` is a
        :class:`~labsupport.datasets.StandIn` note, or None for the real data).

    Examples
    --------
    >>> from labsupport.datasets import mnist_stand_in
    >>> banner = stand_in_banner(mnist_stand_in("mnist: not found"))
    >>> print(repr(banner).splitlines()[0])
    WARNING: Stand-in data: MNIST was not found, so this page does not show it
    >>> 'class="admonition warning' in banner._repr_html_()
    True
    """
    note = getattr(data, "stand_in", None)
    return StandInBanner(note) if note else None
