"""Check a built book the way a reader meets it: in a real browser.

:func:`check_book` serves a built ``_build/html`` folder on 127.0.0.1, opens
every page in Debian's headless Chromium (driven by Playwright, which downloads
no browser of its own here) and returns every :class:`Problem` it sees:

``console``
    an error in the browser console or an uncaught script error;
``resource``
    a file the page asked for that the server does not have (status >= 400);
``image``
    an image that did not load (its natural width is 0);
``alt``
    an image in a cell output without alt text (the notebook renderer's
    default, the image's own file name, says nothing of what it shows);
``math``
    a formula MathJax did not typeset, or typeset as an error;
``animation``
    a JavaScript animation whose picture does not change when stepped;
``link``
    a link inside the book (navigation included) to a missing page or anchor;
``overflow``
    an element wider than its column: a code line too long, a table or
    figure that sticks out, or a page that scrolls sideways;
``a11y``
    a critical or serious accessibility violation found by axe-core (the
    engine the best-kept Sphinx themes test theirs with), in the light or the
    dark theme: one problem per theme and rule, naming the elements.

It also saves a full-page screenshot of every page, in each theme. The tests use it twice:
on the course (no problem allowed) and on a small book broken on purpose
(each breakage must be reported), so the checker itself is tested.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# A laptop screen at which the theme gives the article its full width: the sidebar,
# the page's contents and an 88-character code line (the course's limit) fit side by side.
VIEWPORT = {"width": 1440, "height": 900}
TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong on one page: its path in the book, the kind and what was seen."""

    page: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page}: {self.kind}: {self.detail}"


def find_chromium() -> str | None:
    """Path of the Chromium executable (Debian's package installs /usr/bin/chromium)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium(test: str) -> str:
    """Chromium's path for a browser test: the test is skipped without it, except in CI,
    where it fails (`make test` installs Chromium there)."""
    import os

    import pytest

    path = find_chromium()
    if path is None:
        message = "chromium is not installed: `make test` installs it with apt-get as root"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run the {test}")
        pytest.skip(message)
    return path


def book_pages(html_dir: str | Path) -> list[str]:
    """Every HTML page of a built book, relative to `html_dir`, skipping Sphinx's
    asset folders (``_static``, ``_sources``, ``_images``, …)."""
    root = Path(html_dir)
    pages = [path.relative_to(root).as_posix() for path in root.rglob("*.html")]
    return sorted(page for page in pages if not any(part.startswith("_")
                                                    for part in page.split("/")[:-1]))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@contextmanager
def serve(html_dir: str | Path) -> Iterator[str]:
    """Serve `html_dir` on 127.0.0.1 at a free port; yield its base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Links:
    """Status of each internal URL and the ids of each page, fetched once per run."""

    def __init__(self):
        self.status: dict[str, int] = {}
        self.ids: dict[str, set[str]] = {}

    def fetch(self, url: str) -> int:
        if url not in self.status:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    body = response.read()
                    self.status[url] = response.status
                    if "html" in response.headers.get("Content-Type", ""):
                        text = body.decode("utf-8", "replace")
                        self.ids[url] = set(re.findall(r'\bid="([^"]+)"', text))
            except urllib.error.HTTPError as error:
                self.status[url] = error.code
        return self.status[url]

    def problem(self, href: str) -> str | None:
        """Why `href` (absolute, on the local server) does not resolve, or None."""
        url, _, fragment = href.partition("#")
        status = self.fetch(url)
        if status >= 400:
            return f"{href} answers {status}"
        fragment = urllib.parse.unquote(fragment)
        if fragment and url in self.ids and fragment not in self.ids[url]:
            return f"{href}: no element with id {fragment!r} on that page"
        return None


# Opens everything a reader can open (hidden inputs, solutions, dropdowns), so the
# checks and the screenshot see it all.
_EXPAND = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
}"""

_IMAGES = """async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
    setTimeout(done, 20000);
  })));
  return images.map(img => ({
    src: img.getAttribute('src') || '',
    alt: img.getAttribute('alt'),
    loaded: img.complete && img.naturalWidth > 0,
    inOutput: !!img.closest('.cell_output, .output'),
    animation: !!img.closest('.animation'),
  }));
}"""

_MATH = """async () => {
  const formulas = document.querySelectorAll('.math');
  if (formulas.length === 0) return {count: 0};
  const deadline = Date.now() + 45000;
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() > deadline) return {count: formulas.length, loaded: false};
    await new Promise(r => setTimeout(r, 100));
  }
  await MathJax.startup.promise;
  const problems = [];
  formulas.forEach(el => {
    const tex = el.textContent.trim().slice(0, 80);
    const error = el.querySelector('mjx-merror, merror, [data-mjx-error]');
    if (error) {
      problems.push(`${(error.getAttribute('data-mjx-error') || error.textContent).trim()}: ${tex}`);
    } else if (!el.querySelector('mjx-container')) {
      problems.push(`not typeset: ${tex}`);
    }
  });
  // Prose typeset as math: a stray dollar (or a line of a formula that Markdown took for a
  // list item) pairs the wrong dollars, and the words between become one long formula.
  // Text that belongs in a formula is inside \\text{} or a similar command, removed first.
  const prose = /\\b[a-z]{2,}\\s+[a-z]{2,}\\s+[a-z]{2,}\\s+[a-z]{2,}\\b/i;
  for (const item of MathJax.startup.document.math) {
    const words = item.math.replace(/\\\\(text|mathrm|textrm|textit|mbox|operatorname)\\s*\\{[^}]*\\}/g, ' ')
                           .replace(/\\\\[a-zA-Z]+/g, ' ');
    const match = words.match(prose);
    if (match) problems.push(`prose typeset as math ("${match[0].replace(/\\s+/g, ' ')}"): `
                             + item.math.trim().replace(/\\s+/g, ' ').slice(0, 80));
  }
  return {count: formulas.length, loaded: true, problems: problems};
}"""

_LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .map(a => a.href).filter(href => href.startsWith(location.origin))"""

_OVERFLOW = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
  }
  const column = document.querySelector('article') || document.querySelector('main') || document.body;
  const right = column.getBoundingClientRect().right;
  const describe = el => {
    if (el.tagName === 'PRE') {
      const longest = el.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '');
      return `code line of ${longest.length} characters: ${longest.trim().slice(0, 60)}`;
    }
    return `<${el.tagName.toLowerCase()} class="${el.className}">`;
  };
  column.querySelectorAll('pre, table, img, .animation, mjx-container, .cell_output > *').forEach(el => {
    const box = el.getBoundingClientRect();
    if (box.width === 0) return;  // not displayed
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible'
        && el.tagName !== 'IMG') {
      problems.push(`${describe(el)} is ${el.scrollWidth}px wide in ${el.clientWidth}px`);
    } else if (box.right > right + 1) {
      problems.push(`${describe(el)} sticks out of the column by ${Math.round(box.right - right)}px`);
    }
  });
  return problems;
}"""

_ANIMATIONS = """async () => {
  const pause = () => new Promise(r => setTimeout(r, 20));
  const results = [];
  for (const box of document.querySelectorAll('.animation')) {
    const img = box.querySelector('img');
    const button = name => box.querySelector(`button[onclick$=".${name}()"]`);
    const first = button('first_frame'), next = button('next_frame'), last = button('last_frame');
    if (!img || !first || !next || !last) { results.push('controls missing'); continue; }
    // The player is built just after load; wait for it to show a frame.
    for (let i = 0; i < 250 && !img.getAttribute('src'); i++) await pause();
    const pauseButton = button('pause_animation');
    if (pauseButton) pauseButton.click();
    const slider = box.querySelector('input[type=range]');
    const frames = slider ? Number(slider.max) + 1 : 2;
    first.click(); await pause();
    const start = img.src, seen = new Set([start]);
    // Step through the frames one by one (two frames may be alike), then jump to the end.
    for (let i = 1; i < Math.min(frames, 60); i++) { next.click(); await pause(); seen.add(img.src); }
    last.click(); await pause(); seen.add(img.src);
    first.click(); await pause();
    if (!start) results.push('shows no frame');
    else if (seen.size < 2) results.push('stepping through its frames never changes the picture');
    else if (img.src !== start) results.push('the first-frame button does not return to the start');
    else results.push(null);
  }
  return results;
}"""


# The severities that fail a page; axe's "moderate" and "minor" are advice.
A11Y_IMPACTS = ("critical", "serious")

# preload: false, because axe's own fetch of the style sheets resolves the theme's
# @import against the page instead of the style sheet and asks for a /basic.css that
# is not there; the sheets it would read serve one rule only, css-orientation-lock.
_AXE_RUN = """async impacts => {
  const results = await axe.run(document, {resultTypes: ['violations'], preload: false});
  return results.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(node => node.target.join(' ')),
  }));
}"""


def _axe_script() -> str:
    """axe-core's browser bundle, from the axe-playwright-python wheel (the lock pins it)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def accessibility(page, theme: str, axe_script: str) -> list[tuple[str, str]]:
    """axe-core's critical and serious violations on the open page, as (kind, detail)."""
    page.evaluate(axe_script)
    found = []
    for violation in page.evaluate(_AXE_RUN, list(A11Y_IMPACTS)):
        targets = violation["targets"]
        shown = ", ".join(targets[:3]) + (f" and {len(targets) - 3} more" if len(targets) > 3
                                          else "")
        found.append(("a11y", f"{theme}: {violation['id']} ({violation['impact']}, "
                              f"{len(targets)} elements): {violation['help']}: {shown}"))
    return found


def _browser_own(url: str) -> bool:
    """The browser asks every site for /favicon.ico by itself; the book never links it."""
    return urllib.parse.urlsplit(url).path == "/favicon.ico"


def check_page(page, url: str, name: str, links: _Links,
               screenshot: Path | None = None, axe_script: str | None = None
               ) -> list[Problem]:
    """Every problem on one page, opened in the Playwright `page` at `url` (in the light
    theme; :func:`check_dark_page` checks the dark one)."""
    seen: list[tuple[str, str]] = []

    def console(message):
        source = message.location.get("url", "")
        if message.type == "error" and not _browser_own(source):
            seen.append(("console", f"{message.text} ({source})"))

    def response(answer):
        if answer.status >= 400 and not _browser_own(answer.url):
            seen.append(("resource", f"{answer.url} answers {answer.status}"))

    page.on("console", console)
    page.on("pageerror", lambda error: seen.append(("console", f"uncaught: {error}")))
    page.on("response", response)
    page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
    page.evaluate(_EXPAND)

    for image in page.evaluate(_IMAGES):
        label = image["src"][:100] or "(no src)"
        if not image["loaded"]:
            seen.append(("image", f"{label} did not load"))
        if image["inOutput"]:
            alt = (image["alt"] or "").strip()
            default = bool(image["src"]) and alt == image["src"]
            if not alt or default:
                what = "animation" if image["animation"] else "image"
                seen.append(("alt", f"{what} {label} has no alt text"))

    math = page.evaluate(_MATH)
    if math["count"] and not math["loaded"]:
        seen.append(("math", f"MathJax never started; {math['count']} formulas untypeset"))
    for problem in math.get("problems", []):
        seen.append(("math", problem))

    for index, result in enumerate(page.evaluate(_ANIMATIONS), start=1):
        if result:
            seen.append(("animation", f"animation {index}: {result}"))

    for href in sorted(set(page.evaluate(_LINKS))):
        problem = links.problem(href)
        if problem:
            seen.append(("link", problem))

    for problem in page.evaluate(_OVERFLOW):
        seen.append(("overflow", problem))

    seen += accessibility(page, "light", axe_script or _axe_script())

    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True, timeout=TIMEOUT_MS)
    return [Problem(name, kind, detail) for kind, detail in dict.fromkeys(seen)]


def check_dark_page(page, url: str, name: str, axe_script: str,
                    screenshot: Path | None = None) -> list[Problem]:
    """The accessibility problems of one page in the dark theme (the page's `page` comes
    from a context whose reader chose the dark mode); its screenshot, if asked for."""
    page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
    page.evaluate(_EXPAND)
    page.evaluate(_IMAGES)  # every image loaded, so its contrast is the one a reader sees
    page.evaluate(_MATH)
    theme = page.evaluate("() => document.documentElement.dataset.theme")
    if theme != "dark":
        return [Problem(name, "a11y", f"dark: the page shows the {theme!r} theme when the "
                                      "reader chose the dark one")]
    seen = accessibility(page, "dark", axe_script)
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True, timeout=TIMEOUT_MS)
    return [Problem(name, kind, detail) for kind, detail in dict.fromkeys(seen)]


def check_book(html_dir: str | Path, screenshots: str | Path | None = None,
               chromium: str | None = None) -> list[Problem]:
    """Open every page of the book built in `html_dir`; return every problem found.

    Parameters
    ----------
    html_dir : path
        A built book's ``_build/html`` folder.
    screenshots : path, optional
        Folder for full-page PNGs of each page, in the light theme
        (``chapters/01_x.html`` becomes ``chapters/01_x.png``) and the dark one
        (``chapters/01_x.dark.png``); none is saved when omitted.
    chromium : str, optional
        The browser executable; by default the ``chromium`` on the PATH.

    Returns
    -------
    list of Problem
        Empty when every page passes every check.

    Raises
    ------
    FileNotFoundError
        If `html_dir` has no HTML page, or no Chromium can be found.
    """
    from playwright.sync_api import sync_playwright

    names = book_pages(html_dir)
    if not names:
        raise FileNotFoundError(f"html_dir={str(html_dir)!r}: no HTML page in it; build the book")
    chromium = chromium or find_chromium()
    if not chromium:
        raise FileNotFoundError("chromium: not found on the PATH; apt-get install chromium")
    problems: list[Problem] = []
    links = _Links()
    axe_script = _axe_script()

    def shot(name, suffix):
        return Path(screenshots) / Path(name).with_suffix(suffix) if screenshots else None

    with serve(html_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            # Each theme as a reader who chose it in the theme's switcher has it (the
            # theme keeps the choice in localStorage), whatever the system's setting.
            light, dark = (browser.new_context(viewport=VIEWPORT, color_scheme=mode)
                           for mode in ("light", "dark"))
            for context, mode in ((light, "light"), (dark, "dark")):
                context.add_init_script(f"localStorage.setItem('mode', '{mode}');")
            for name in names:
                page = light.new_page()
                try:
                    problems += check_page(page, base + name, name, links,
                                           shot(name, ".png"), axe_script)
                finally:
                    page.close()
                page = dark.new_page()
                try:
                    problems += check_dark_page(page, base + name, name, axe_script,
                                                shot(name, ".dark.png"))
                finally:
                    page.close()
        finally:
            browser.close()
    return problems
