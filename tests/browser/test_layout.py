"""Every page fits the reader's screen, in headless Chromium.

At a 1280 x 900 window no code input, text output, equation, table or figure scrolls sideways
(the code area holds 80 characters there; the chapters' code and printed lines fit 79 columns),
and at a 390 px phone width no page scrolls sideways (code and wide blocks may scroll inside their
own box there, but the page itself stays put). The pages checked are every page of the table of
contents and the package's source pages. What overflowed is written to
_build/screenshots/overflow.json (a CI artifact).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from test_chapters import toc_files  # noqa: E402
from test_site import _load, _wait  # noqa: E402

pytestmark = pytest.mark.browser
SITE = ROOT / "_build" / "html"
PAGES = toc_files()
# a phone's CSS width; "mobile" off, so an overflowing page is not zoomed out to fit but scrolls
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": False}

# What scrolls sideways on the page just loaded, by kind. A block "scrolls" when its content is
# wider than its box (scrollWidth > clientWidth); for each, the page reports the widest line of
# text it holds, so a failure says what to shorten.
OVERFLOW_JS = """
const article = document.querySelector('article.bd-article') || document.body;
const scrolls = el => el.scrollWidth > el.clientWidth + 1;
const describe = el => {
  const lines = (el.textContent || '').split('\\n');
  const widest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
  return {chars: widest.length, line: widest.slice(0, 100),
          excess_px: el.scrollWidth - el.clientWidth};
};
const pres = Array.from(article.querySelectorAll('pre'));
const isOutput = el => !!el.closest('.cell_output, .output');
const code = pres.filter(p => !isOutput(p));
const text = pres.filter(p => isOutput(p));
// every other box in the article that scrolls sideways: display math, table wrappers, figures
const boxes = Array.from(article.querySelectorAll('*')).filter(el =>
  !pres.includes(el) && !el.closest('pre') && scrolls(el) &&
  ['auto', 'scroll'].includes(getComputedStyle(el).overflowX));
// and anything that sticks out of the article without a scroll box of its own
const right = article.getBoundingClientRect().right;
const sticking = Array.from(article.querySelectorAll('img, svg, table, mjx-container, pre, figure'))
  .filter(el => el.getBoundingClientRect().right > right + 1 &&
          !boxes.some(b => b.contains(el)) && !pres.some(p => p.contains(el)));
const tag = el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
  ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '');
return {
  n_code: code.length, n_text: text.length,
  code: code.filter(scrolls).map(describe),
  text: text.filter(scrolls).map(describe),
  other: boxes.map(el => Object.assign(describe(el), {tag: tag(el)}))
    .concat(sticking.map(el => ({tag: tag(el), line: '', chars: 0,
       excess_px: el.getBoundingClientRect().right - right}))),
};
"""

PAGE_WIDTH_JS = """
const doc = document.documentElement;
const wide = Array.from(document.querySelectorAll('body *')).filter(el => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.right > doc.clientWidth + 1 &&
    getComputedStyle(el).position !== 'fixed';
});
// the outermost elements that stick out, to name in a failure
const outer = wide.filter(el => !wide.includes(el.parentElement)).slice(0, 5).map(el =>
  el.tagName.toLowerCase() + '.' + String(el.className || '').trim().split(/\\s+/).join('.'));
return {scroll: doc.scrollWidth, width: doc.clientWidth, sticking: outer};
"""


def _load_fitted(browser: object, url: str) -> None:
    """Load a page and wait until _static/fit_math.js has fitted its display equations."""
    _load(browser, url)
    fitted = _wait(browser, "document.documentElement.dataset.mathFitted === '1'")
    assert fitted, f"{url}: _static/fit_math.js did not run (no data-math-fitted on <html>)"


def _source_pages() -> list[str]:
    """The package's source pages (written by the build, so listed when the suite runs)."""
    return sorted(str(p.relative_to(SITE).with_suffix("")) for p in SITE.glob("_modules/**/*.html"))


@pytest.fixture(scope="module")
def measured(browser: object, site_url: str, screenshot_dir: Path) -> dict[str, dict]:
    """Each page at 1280 x 900 (what overflows) and at a phone's 390 px (the page's width)."""
    results: dict[str, dict] = {}
    pages = PAGES + _source_pages()
    for page in pages:
        _load_fitted(browser, f"{site_url}/{page}.html")
        results[page] = {"desktop": browser.execute_script(OVERFLOW_JS)}  # type: ignore[attr-defined]
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)  # type: ignore[attr-defined]
    try:
        for page in pages:
            _load_fitted(browser, f"{site_url}/{page}.html")
            width = browser.execute_script("return window.innerWidth")  # type: ignore[attr-defined]
            assert width == PHONE["width"], f"the phone emulation gave a {width} px window"
            results[page]["phone"] = browser.execute_script(PAGE_WIDTH_JS)  # type: ignore[attr-defined]
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})  # type: ignore[attr-defined]
    (screenshot_dir / "overflow.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


def _lines(blocks: list[dict]) -> str:
    return "; ".join(f"{b['chars']} chars: {b['line']!r}" for b in blocks[:5])


@pytest.mark.parametrize("page", PAGES)
def test_no_code_input_scrolls_sideways(measured: dict, page: str) -> None:
    wide = measured[page]["desktop"]["code"]
    assert wide == [], f"{page}: {len(wide)} code inputs scroll sideways at 1280 px: {_lines(wide)}"


@pytest.mark.parametrize("page", PAGES)
def test_no_text_output_scrolls_sideways(measured: dict, page: str) -> None:
    wide = measured[page]["desktop"]["text"]
    assert wide == [], (
        f"{page}: {len(wide)} text outputs scroll sideways at 1280 px: {_lines(wide)}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_no_equation_table_or_figure_scrolls_sideways(measured: dict, page: str) -> None:
    wide = measured[page]["desktop"]["other"]
    shown = [(b["tag"], round(b["excess_px"])) for b in wide]
    assert wide == [], f"{page}: blocks wider than the page at 1280 px (tag, px): {shown}"


@pytest.mark.parametrize("page", PAGES)
def test_the_page_does_not_scroll_sideways_on_a_phone(measured: dict, page: str) -> None:
    phone = measured[page]["phone"]
    assert phone["scroll"] <= phone["width"], (
        f"{page} is {phone['scroll']} px wide in a {phone['width']} px phone window: "
        f"{phone['sticking']}"
    )


def test_the_package_source_pages_fit(measured: dict) -> None:
    bad = {
        page: {"code": len(m["desktop"]["code"]), "phone_px": m["phone"]["scroll"]}
        for page, m in measured.items()
        if page not in PAGES
        and (m["desktop"]["code"] or m["phone"]["scroll"] > m["phone"]["width"])
    }
    assert len(measured) > len(PAGES), "no package source pages were found in the site"
    assert bad == {}, f"source pages that scroll sideways: {bad}"
