"""Drive a live JupyterLab the way a learner does, in Debian's headless Chromium.

The learner's path is ``make lab``, open a chapter, *Run All*, then play with it.
These helpers take that path with Playwright on a JupyterLab started by the test
(see ``test_live_lab.py``) and say what a learner would have seen go wrong:

* :func:`open_notebook` and :func:`run_all`: open a chapter and run every cell
  from the *Run* menu, waiting until the kernel has finished;
* :func:`error_outputs`: every error or standard-error output in the notebook;
* :func:`move_every_control`: each slider and drop-down of every widget moved
  once, and whether the widget's output (its text and pictures, not the
  controls' own read-outs) changed;
* :func:`players_without_picture`: the animation players that show no frame;
* :func:`exercise_rendering`: whether jupyterlab-myst rendered the exercises and
  folded their solutions, Markdown and code.
"""

from __future__ import annotations

import time

# Run All ends when no input prompt shows "[*]" and none is still waiting "[ ]".
_PROMPTS = """() => Array.from(document.querySelectorAll(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')).map(p => p.innerText.trim())"""

_ERRORS = """() => Array.from(document.querySelectorAll(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
  .map(e => e.innerText.trim().slice(0, 400))"""

# The controls a learner moves, and how each is found inside a widget.
_CONTROLS = ".widget-slider, .widget-dropdown"

# What a widget shows, without its controls: the text and pictures of everything else.
_SHOWN = """root => {
  const copy = root.cloneNode(true);
  copy.querySelectorAll('""" + _CONTROLS + """').forEach(control => control.remove());
  const pictures = Array.from(copy.querySelectorAll('img')).map(img => img.getAttribute('src') || '');
  return copy.textContent.replace(/\\s+/g, ' ').trim() + '|' + pictures.join('|');
}"""

# The outermost widget of each widget output (a box of controls and outputs).
_WIDGET_ROOTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output > .jupyter-widgets"


def open_notebook(page, base: str, token: str, name: str, timeout_s: float = 300) -> None:
    """Open notebook `name` (relative to the server's root) and wait for its kernel."""
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}", timeout=timeout_s * 1000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout_s * 1000)
    wait_for_kernel(page, timeout_s)
    # jupyterlab-myst renders the Markdown (into div.myst) after the notebook opens: wait until every
    # Markdown cell has its rendering and the text has stopped changing.
    page.wait_for_function("""() => {
      const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell');
      const rendered = document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell .myst');
      return rendered.length === cells.length;
    }""", timeout=timeout_s * 1000)
    length = None
    while length != (length := page.evaluate("() => document.body.innerText.length")):
        time.sleep(1)


def run_all(page, timeout_s: float = 600) -> list[str]:
    """*Run* > *Run All Cells*; wait until every cell ran or one failed.

    Returns the prompts of the code cells afterwards (``[3]:``, or ``[ ]:`` for a
    cell that never ran because an earlier one failed).

    Raises
    ------
    TimeoutError
        If a cell is still running after `timeout_s` seconds.
    """
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    deadline = time.monotonic() + timeout_s
    page.wait_for_function(f"() => ({_PROMPTS})().some(p => p.includes('*'))",
                           timeout=60_000)
    while True:
        prompts = page.evaluate(_PROMPTS)
        if not any("*" in prompt for prompt in prompts):
            return prompts
        if time.monotonic() > deadline:
            raise TimeoutError(f"Run All still running after {timeout_s} s")
        time.sleep(1)


def error_outputs(page) -> list[str]:
    """The text of every error and standard-error output of the open notebook."""
    return page.evaluate(_ERRORS)


def _shown(root) -> str:
    return root.evaluate(_SHOWN)


def _move(control) -> str:
    """Move one control one notch, as a learner would; return what was done."""
    handle = control.locator(".noUi-handle")
    if handle.count():
        handle.first.focus()
        before = handle.first.get_attribute("aria-valuenow")
        control.page.keyboard.press("ArrowRight")
        if handle.first.get_attribute("aria-valuenow") == before:  # at its maximum
            control.page.keyboard.press("ArrowLeft")
        return "slid"
    select = control.locator("select")
    options = select.locator("option").all_text_contents()
    chosen = select.input_value()
    index = next(i for i, option in enumerate(options) if option == chosen)
    select.select_option(index=(index + 1) % len(options))
    return "chose another option"


def move_every_control(page, wait_s: float = 10) -> tuple[list[str], int]:
    """Move each control of every widget on the page once, in order.

    Returns
    -------
    problems : list of str
        One per control after whose move the widget's output did not change
        within `wait_s` seconds.
    moved : int
        How many controls were moved.
    """
    problems, moved = [], 0
    roots = page.locator(_WIDGET_ROOTS)
    for r in range(roots.count()):
        root = roots.nth(r)
        root.scroll_into_view_if_needed()
        controls = root.locator(_CONTROLS)
        for c in range(controls.count()):
            control = controls.nth(c)
            label = control.locator(".widget-label").first.text_content() or f"control {c}"
            before = _shown(root)
            how = _move(control)
            moved += 1
            deadline = time.monotonic() + wait_s
            while _shown(root) == before:
                if time.monotonic() > deadline:
                    problems.append(f"widget {r + 1}, {label.strip()!r}: {how}, and the "
                                    f"output did not change in {wait_s:g} s")
                    break
                time.sleep(0.1)
            wait_for_kernel(page)  # every update of this move drawn before the next
    return problems, moved


def wait_for_kernel(page, timeout_s: float = 120) -> None:
    """Wait until the notebook's kernel is idle."""
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) "
                           ".jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=timeout_s * 1000)


def players_without_picture(page) -> list[int]:
    """Numbers (from 1) of the animation players whose frame has no size on screen."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
      '.jp-NotebookPanel:not(.lm-mod-hidden) .animation')).map((player, index) => {
        const img = player.querySelector('img');
        return img && img.getAttribute('src') && img.getBoundingClientRect().width > 0 ? 0 : index + 1;
      }).filter(number => number > 0)""")


def exercise_rendering(page, solution_cells) -> dict:
    """How the open notebook shows its exercises in JupyterLab.

    `solution_cells` are the indices of the code cells inside solutions
    (:func:`labsupport.folding.solution_code_cells`). Returns a dict: ``exercises``
    (rendered exercise titles), ``solutions`` (the solutions' folds, ``True``
    where open), ``raw_myst`` (Markdown cells whose rendering still shows directive
    or role syntax), ``code_shown`` (indices of solution code cells whose source is
    visible).
    """
    return page.evaluate("""solutionCells => {
      const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
      const text = Array.from(panel.querySelectorAll('.jp-MarkdownCell .myst'))
        .map(cell => cell.innerText);
      const exercises = text.flatMap(t => t.match(/Exercise \\d+/g) || []);
      const solutions = Array.from(panel.querySelectorAll('.jp-MarkdownCell details'))
        .filter(d => /Solution/.test(d.querySelector('summary')?.innerText || ''))
        .map(d => d.open);
      const raw = text.filter(t => /```\\{|^:class:|\\{(cite|glue)[:a-z]*\\}`/m.test(t))
        .map(t => t.slice(0, 120));
      const cells = Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell'));
      const shown = solutionCells.filter(i => !cells[i].querySelector('.jp-InputPlaceholder'));
      return {exercises, solutions, raw_myst: raw, code_shown: shown, cells: cells.length};
    }""", list(solution_cells))
