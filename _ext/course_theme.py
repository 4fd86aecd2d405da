"""Three adjustments to the HTML that sphinx-book-theme writes for this book.

* Binder and Colab buttons are configured in ``_config.yml`` but shown only when
  ``repository.url`` names the course's repository: they open that repository,
  and without one they could only point at the wrong place.
* sphinx-thebe registers its inline configuration script twice under Jupyter Book
  1.x, so every page declared ``const THEBE_JS_URL`` twice and logged an error.
* The theme's colour mode starts empty for a first-time visitor, which the
  theme's own script reports as an error; ``auto`` follows the reader's system.
* The notebooks a reader downloads (``_sources/**/*.ipynb``) install labsupport in
  Colab from the commit the book was built from: their install cell (see
  ``labsupport/colab.py``) names the branch in the repository, and the copy the
  book serves names the commit instead, so it keeps working after the branch moves.
* ``static/course.css``: printed results wrap at the column, and code in the
  narrower boxes (exercises, solutions, hidden inputs) is set a little smaller,
  so nothing on a page is wider than its column; links in exercises are dark
  enough to read on their tinted background.
* The bibliography's entries are the items of the list docutils wraps them in:
  docutils gives the list ``role="list"`` and each entry ``role="doc-biblioentry"``,
  a role ARIA 1.3 deprecates and a list may not hold, so screen readers (and
  axe-core) find a list without items.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

LAUNCHERS = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url",
             "jupyterlite_url", "thebe")


def _launch_buttons_need_a_repository(app, config):
    options = config.html_theme_options
    if not (options.get("repository_url") or "").strip():
        options["launch_buttons"] = {key: value for key, value in
                                     options.get("launch_buttons", {}).items()
                                     if key not in LAUNCHERS}


def _each_script_once(app, pagename, templatename, context, doctree):
    context["default_mode"] = context.get("default_mode") or "auto"
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # The same inline script arrives once with filename None and once with "".
        key = (getattr(script, "filename", script) or "",
               repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def built_commit(source_dir):
    """The commit checked out in `source_dir`, or None outside a git checkout."""
    try:
        result = subprocess.run(["git", "-C", str(source_dir), "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def pin_install_cells(html_dir, commit):
    """Point the Colab install cell of every downloadable notebook under
    `html_dir`/_sources at `commit`; the notebooks rewritten."""
    from labsupport import colab

    changed = []
    for path in sorted(Path(html_dir, "_sources").rglob("*.ipynb")):
        notebook = json.loads(path.read_text())
        for cell in notebook["cells"]:
            if cell.get("id") == colab.CELL_ID:
                source = "".join(cell["source"])
                line = next(line for line in source.splitlines()
                            if line.startswith("REPOSITORY, REF = "))
                repository = json.loads("[" + line.split("=", 1)[1] + "]")[0]
                pinned = colab.install_cell(repository, commit)
                if pinned != source:
                    cell["source"] = pinned.splitlines(keepends=True)
                    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False))
                    changed.append(path)
    return changed


def _pin_downloads(app, exception):
    if exception is None and app.builder.format == "html":
        commit = built_commit(app.srcdir)
        if commit:
            pin_install_cells(app.outdir, commit)


def _bibliography_entries_as_list_items(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and 'class="citation-list"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _course_css(app, config):
    config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    app.connect("config-inited", _course_css)
    app.add_css_file("course.css")
    app.connect("config-inited", _launch_buttons_need_a_repository)
    app.connect("build-finished", _pin_downloads)
    app.connect("html-page-context", _bibliography_entries_as_list_items)
    # Last, after the handlers that add a page's scripts (and the colour mode).
    app.connect("html-page-context", _each_script_once, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
