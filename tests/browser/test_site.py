"""The rendered book as a reader sees it, page by page, in headless Chromium.

For every page in _toc.yml: it loads without console errors, every image loads, no output shows
a traceback, math is typeset, internal links resolve, the sidebar lists every chapter; and search
finds a known term. A full-page screenshot of each page goes to _build/screenshots/ (a CI artifact).
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from test_chapters import toc_files  # noqa: E402

pytestmark = pytest.mark.browser
SITE = ROOT / "_build" / "html"
PAGES = toc_files()


def _wait(driver: object, script: str, timeout: float = 30.0) -> object:
    """Poll a JavaScript expression until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(f"return ({script});")  # type: ignore[attr-defined]
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _load(driver: object, url: str) -> None:
    driver.get(url)  # type: ignore[attr-defined]
    _wait(driver, "document.readyState === 'complete'")
    # MathJax 3 resolves startup.promise once it has typeset the page.
    _wait(
        driver,
        "!window.MathJax || (MathJax.startup && MathJax.startup.document"
        " && MathJax.startup.promise && (MathJax.startup.promise.then(() => window.__mj = 1),"
        " window.__mj === 1))",
    )


@pytest.fixture(scope="module")
def visited(browser: object, site_url: str, screenshot_dir: Path) -> dict[str, dict]:
    """Visit each page once; record what the checks need and save a screenshot."""
    results: dict[str, dict] = {}
    for index, page in enumerate(PAGES):
        url = f"{site_url}/{page}.html"
        browser.get_log("browser")  # type: ignore[attr-defined]  # drop earlier pages' messages
        _load(browser, url)
        info = browser.execute_script(  # type: ignore[attr-defined]
            """
            const imgs = Array.from(document.querySelectorAll('article img'));
            const outputs = Array.from(document.querySelectorAll('.cell_output, .output'));
            return {
              title: document.title,
              broken_images: imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                                 .map(i => i.getAttribute('src')),
              n_images: imgs.length,
              tracebacks: outputs.filter(o => /Traceback \\(most recent call last\\)|Error:/
                                 .test(o.innerText) || o.querySelector('.traceback, .output.error'))
                                 .map(o => o.innerText.slice(0, 200)),
              raw_math: document.querySelectorAll('.math:not(:has(mjx-container))').length,
              math: document.querySelectorAll('.math').length,
              typeset: document.querySelectorAll('mjx-container').length,
              links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
              sidebar: Array.from(document.querySelectorAll('.bd-sidebar-primary a.reference'))
                                 .map(a => a.href),
              height: document.documentElement.scrollHeight,
            };
            """
        )
        info["console"] = [
            entry
            for entry in browser.get_log("browser")  # type: ignore[attr-defined]
            if entry.get("level") == "SEVERE"
        ]
        height = min(int(info["height"]), 16000)
        browser.set_window_size(1280, max(height, 900))  # type: ignore[attr-defined]
        time.sleep(0.2)
        name = f"{index:02d}_{page.replace('/', '_')}.png"
        browser.save_screenshot(str(screenshot_dir / name))  # type: ignore[attr-defined]
        browser.set_window_size(1280, 900)  # type: ignore[attr-defined]
        results[page] = info
    return results


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_console_errors(visited: dict, page: str) -> None:
    assert visited[page]["console"] == [], f"{page}: console errors {visited[page]['console']}"


@pytest.mark.parametrize("page", PAGES)
def test_every_image_loads(visited: dict, page: str) -> None:
    assert visited[page]["broken_images"] == [], f"{page}: images that did not load"


def _draws_figures(page: str) -> bool:
    """Whether a chapter's code makes matplotlib figures (then its page must show images)."""
    notebook = ROOT / f"{page}.ipynb"
    if not notebook.is_file():
        return False
    code = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]]
    source = "\n".join("".join(c["source"]) for c in code if c["cell_type"] == "code")
    return "plt." in source or "rnncore.viz" in source


@pytest.mark.parametrize("page", PAGES)
def test_chapters_that_draw_show_their_figures(visited: dict, page: str) -> None:
    if _draws_figures(page):
        assert visited[page]["n_images"] > 0, f"{page} draws figures, but its page shows none"


@pytest.mark.parametrize("page", PAGES)
def test_no_output_shows_an_error(visited: dict, page: str) -> None:
    assert visited[page]["tracebacks"] == [], f"{page}: outputs with errors"


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(visited: dict, page: str) -> None:
    info = visited[page]
    assert info["raw_math"] == 0, f"{page}: {info['raw_math']} math blocks were not typeset"
    if info["math"]:
        assert info["typeset"] >= 1, f"{page}: MathJax produced no output"


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(visited: dict, page: str, site_url: str) -> None:
    broken = []
    for href in visited[page]["links"]:
        if not href.startswith(site_url):
            continue
        target, fragment = urldefrag(href)
        path = SITE / unquote(urlparse(target).path).lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            broken.append(href)
            continue
        if fragment and path.suffix == ".html":
            text = path.read_text(encoding="utf-8", errors="replace")
            if not re.search(rf'id="{re.escape(unquote(fragment))}"', text):
                broken.append(href)
    assert broken == [], f"{page}: internal links that do not resolve: {broken}"


def test_sidebar_lists_every_page(visited: dict, site_url: str) -> None:
    sidebar = visited[PAGES[0]]["sidebar"]
    listed = {urlparse(urldefrag(urljoin(site_url + "/", h))[0]).path for h in sidebar}
    missing = [p for p in PAGES[1:] if f"/{p}.html" not in listed]
    assert missing == [], f"the sidebar does not list {missing}"


def test_search_finds_a_known_term(browser: object, site_url: str) -> None:
    _load(browser, f"{site_url}/search.html?q=recurrent")
    count = _wait(
        browser,
        "document.querySelectorAll('#search-results li, ul.search li').length",
        timeout=30,
    )
    assert count and int(count) > 0, "searching the book for 'recurrent' found nothing"


def test_site_loads_nothing_from_the_network() -> None:
    """Every script, stylesheet and font the pages load comes from the build (works offline)."""
    external = set()
    for html in SITE.rglob("*.html"):
        text = html.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', text):
            tag = match.group(0)
            if "<link" in tag and not re.search(r'rel="(stylesheet|preload|icon)"', tag):
                continue
            external.add(match.group(1))
    assert external == set(), f"pages load resources from the network: {sorted(external)[:10]}"
