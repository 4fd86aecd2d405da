"""`make lab`'s JupyterLab, live: started from this environment as the Makefile starts
it (on 127.0.0.1, with a token; --allow-root only as root), in a fresh clone set up by
`make filter`, with the chapters in the `ci` profile.

In Chromium, as a learner: each chapter with a widget or an animation player is opened
and run (Run All); no cell fails or writes to standard error, no error reaches the
browser console, every animation player shows its picture, each control of every
widget changes what the widget shows, and the exercises render with their solutions
folded (Markdown and code). A notebook with a widget whose callback raises shows that
the check fails when it should.

Without a browser: the server serves the project's settings (windowing mode "none",
so Run All renders every output), loads jupyterlab-myst, and, when it saves a notebook
with outputs, leaves `git status` clean through its post-save hook.

`make test` copies the settings and the server configuration into .venv first
(targets LAB_SETTINGS and SERVER_CONFIG); this test reads them from this environment.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from bookcheck import VIEWPORT, require_chromium
from labcheck import (error_outputs, exercise_rendering, move_every_control, open_notebook,
                      players_without_picture, run_all)

from labsupport.folding import solution_code_cells

ROOT = Path(__file__).parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots" / "lab"
# The chapters a learner plays with: a widget, or an animation player to step through.
LIVE_CHAPTERS = sorted(path.name for path in (ROOT / "chapters").glob("*.ipynb")
                       if "labsupport.widgets import" in path.read_text()
                       or "animation_html(" in path.read_text())
PREFIX = Path(sys.prefix)
SETTINGS = PREFIX / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
SERVER_CONFIG = PREFIX / "etc" / "jupyter" / "jupyter_server_config.py"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, data=None, method=None):
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=900) as answer:
        return answer.read().decode()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("lab")
    for made, source in ((SETTINGS, "etc/jupyter/lab/settings/overrides.json"),
                         (SERVER_CONFIG, "etc/jupyter/jupyter_server_config.py")):
        assert made.read_bytes() == (ROOT / source).read_bytes(), (
            f"{made} is not {source}: run make (it copies it)")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", f"file://{ROOT}", str(clone)], check=True)
    subprocess.run(["make", "-C", str(clone), "filter", f"VENV={PREFIX}"], check=True,
                   capture_output=True)
    token, port = secrets.token_hex(16), free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={clone / 'chapters'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")  # as make lab passes it
    log = open(tmp_path / "lab.log", "w")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "user-config"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "user-settings"),
               LABSUPPORT_PROFILE="ci")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                get(f"{base}/api/status?token={token}")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "lab.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "JupyterLab did not start in 600 s"
                time.sleep(2)
        yield base, token, clone
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    path = require_chromium("live-JupyterLab test")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def learner(chromium, lab):
    """A new browser page on the lab, and the errors its console reports."""
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
    yield page, console
    context.close()


@pytest.mark.parametrize("name", LIVE_CHAPTERS)
def test_a_learner_runs_the_chapter_and_plays_with_it(learner, lab, name):
    page, console = learner
    base, token, clone = lab
    notebook = nbformat.read(clone / "chapters" / name, as_version=4)
    open_notebook(page, base, token, name)

    folded = solution_code_cells(notebook)
    shown = exercise_rendering(page, folded)
    exercises = "".join(cell.source for cell in notebook.cells).count("```{exercise}")
    assert len(shown["exercises"]) == exercises > 0, shown
    assert shown["solutions"] == [False] * exercises, shown  # each folded until opened
    assert shown["raw_myst"] == [], shown
    assert folded and shown["code_shown"] == [], shown

    prompts = run_all(page)
    assert "[ ]:" not in prompts, f"Run All stopped early: {error_outputs(page)}"
    assert error_outputs(page) == []
    assert players_without_picture(page) == []

    widgets = page.locator(".jp-OutputArea-output > .jupyter-widgets")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = name.removesuffix(".ipynb")
    if widgets.count():
        widgets.first.scroll_into_view_if_needed()
        widgets.first.screenshot(path=SCREENSHOTS / f"{stem}-before.png")
    problems, moved = move_every_control(page)
    assert moved >= widgets.count()
    assert problems == []
    if widgets.count():
        widgets.first.screenshot(path=SCREENSHOTS / f"{stem}-after.png")
    assert error_outputs(page) == []
    assert console == []


BROKEN_WIDGET = """\
import ipywidgets

slider = ipywidgets.IntSlider(value=1, min=0, max=5, description="broken")
shown = ipywidgets.Label("slider at 1")


def follow(change):
    raise RuntimeError("a callback that fails")


slider.observe(follow, names="value")
ipywidgets.VBox([slider, shown])
"""


def test_the_learners_check_fails_on_a_widget_whose_callback_raises(learner, lab):
    page, console = learner
    base, token, clone = lab
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(BROKEN_WIDGET)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = clone / "chapters" / "broken_widget.ipynb"
    nbformat.write(notebook, path)
    try:
        open_notebook(page, base, token, path.name)
        run_all(page)
        problems, moved = move_every_control(page, wait_s=5)
    finally:
        path.unlink()  # the clone stays as make left it, for the git test
    assert moved == 1
    assert problems == ["widget 1, 'broken': slid, and the output did not change in 5 s"]


def test_make_labs_jupyterlab_serves_the_settings_myst_and_keeps_git_clean(lab):
    base, token, clone = lab
    tracker = json.loads(get(f"{base}/lab/api/settings/"
                             f"@jupyterlab/notebook-extension:tracker?token={token}"))
    mode = tracker["schema"]["properties"]["windowingMode"]  # defaults + overrides
    assert mode["default"] == "none"
    assert {"const": "none", "title": "None"} in mode["oneOf"]  # a value it knows
    assert "windowingMode" not in tracker["settings"]  # no user setting hides it
    assert "jupyterlab-myst" in get(f"{base}/lab?token={token}")

    name = "04_convolution_arithmetic.ipynb"
    model = json.loads(get(f"{base}/api/contents/{name}?token={token}"))
    for count, cell in enumerate(model["content"]["cells"], start=1):
        if cell["cell_type"] == "code":
            cell["execution_count"] = count
            cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                                "text": f"ran cell {count}\n"}]
    body = json.dumps({"type": "notebook", "format": "json",
                       "content": model["content"]}).encode()
    get(f"{base}/api/contents/{name}?token={token}", data=body, method="PUT")
    saved = json.loads((clone / "chapters" / name).read_text())
    assert any(cell.get("outputs") for cell in saved["cells"]), "outputs not saved"
    status = subprocess.run(["git", "-C", str(clone), "status", "--porcelain"],
                            check=True, capture_output=True, text=True).stdout
    assert status == ""
