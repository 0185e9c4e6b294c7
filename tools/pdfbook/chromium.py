"""Headless Chromium printing pages to PDF: Debian's `chromium` driven by `chromium-driver`.

Selenium opens each page; the DevTools command `Page.printToPDF` prints it once MathJax has
typeset it, after PREPARE_JS has applied the print stylesheet, opened collapsed solutions,
shrunk what is wider than the text column and let tall code break across pages. Pages are laid
out as they print (print media, the text column's width) from the start, so what the script
measures is what lands on paper.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
import time

PAPERS = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}  # width, height in inches
SCALE = 0.85  # of the screen layout: about 10 pt text, and a 79-column code line fits
MARGINS = {"marginTop": 0.6, "marginBottom": 0.75, "marginLeft": 0.6, "marginRight": 0.6}
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",  # no network here but the package registries
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
# Chromium writes a named destination only for an id that a link of the same page targets, so
# each id that another page links to gets a hidden link here; binding.py resolves them.
PREPARE_JS = """
const [css, anchors, tall] = arguments;
const style = document.createElement('style');
style.textContent = css;
document.head.appendChild(style);
document.querySelectorAll('details').forEach(d => { d.open = true; });
document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
const box = document.createElement('div');
box.style.display = 'none';
for (const id of anchors) {
  if (!document.getElementById(id)) continue;
  const link = document.createElement('a');
  link.href = '#' + id;
  box.appendChild(link);
}
document.body.appendChild(box);
for (const wide of document.querySelectorAll('mjx-container[display="true"], article table')) {
  const room = wide.parentElement.clientWidth;
  if (wide.scrollWidth > room) wide.style.zoom = (room / wide.scrollWidth).toFixed(3);
}
// Code is kept whole on a page (the theme's rule), unless it is tall: then it may break, rather
// than leave most of a page blank.
for (const code of document.querySelectorAll('.cell_input, div[class*="highlight"]')) {
  if (code.offsetHeight > tall) code.style.breakInside = 'auto';
}
"""
MATHJAX_READY_JS = "return !window.MathJax || !!(MathJax.startup && MathJax.startup.promise)"
MATHJAX_DONE_JS = """
const done = arguments[arguments.length - 1];
const typeset = window.MathJax ? MathJax.startup.promise : Promise.resolve();
typeset.then(() => document.fonts.ready).then(() => done(true), error => done(String(error)));
"""


class Printer:
    """One headless Chromium for the whole book; close() ends it and removes its profile."""

    def __init__(self, chromium: str, chromedriver: str, paper: tuple[float, float]) -> None:
        paths = {program: shutil.which(program) for program in (chromium, chromedriver)}
        for program, path in paths.items():
            if path is None:
                raise SystemExit(f"{program} not found: apt-get install chromium chromium-driver")
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="rnn-course-pdf-")
        options = webdriver.ChromeOptions()
        options.binary_location = paths[chromium]
        for flag in (*FLAGS, f"--user-data-dir={self.profile}"):
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service(paths[chromedriver]), options=options)
        self.driver.set_page_load_timeout(120)
        self.driver.set_script_timeout(120)
        self.paper = {"paperWidth": paper[0], "paperHeight": paper[1]}
        # the text column in CSS pixels (96 a printed inch at scale 1)
        column = (paper[0] - MARGINS["marginLeft"] - MARGINS["marginRight"]) * 96 / SCALE
        height = (paper[1] - MARGINS["marginTop"] - MARGINS["marginBottom"]) * 96 / SCALE
        self.tall = height / 4  # code taller than this may break across pages
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": int(column), "height": 1200, "deviceScaleFactor": 1, "mobile": False},
        )

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _wait(self, script: str, what: str, url: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.driver.execute_script(script):
            if time.monotonic() > deadline:
                raise SystemExit(f"{url}: {what} within {timeout:.0f} s")
            time.sleep(0.1)

    def print(self, url: str, css: str = "", anchors: set[str] = frozenset(), **options) -> bytes:
        """Open `url`, let it typeset, prepare it for print and return the PDF's bytes."""
        self.driver.get(url)
        self._wait("return document.readyState === 'complete'", "did not finish loading", url)
        self._wait(MATHJAX_READY_JS, "MathJax did not start", url)
        result = self.driver.execute_async_script(MATHJAX_DONE_JS)
        if result is not True:
            raise SystemExit(f"{url}: MathJax failed: {result}")
        self.driver.execute_script(PREPARE_JS, css, sorted(anchors), self.tall)
        settings = {"printBackground": True, "generateDocumentOutline": True, "scale": SCALE}
        settings |= MARGINS | self.paper | options
        return base64.b64decode(self.driver.execute_cdp_cmd("Page.printToPDF", settings)["data"])

    def print_html(self, document: str, **options) -> bytes:
        """Print a generated page (cover, contents, footers) at its own size (scale 1)."""
        encoded = base64.b64encode(document.encode("utf-8")).decode("ascii")
        url = f"data:text/html;charset=utf-8;base64,{encoded}"
        return self.print(url, generateDocumentOutline=False, scale=1, **options)
