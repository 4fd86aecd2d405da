"""Show the package's own code in a chapter, so the book and the package cannot drift."""

from __future__ import annotations

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
