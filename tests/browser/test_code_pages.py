"""The package's code as a reader meets it in the built book, in headless Chromium.

The package map lists every module that has ``__all__`` with all its names; following a module's
source link opens a page that shows that module's code, and following a name's link lands on its
definition. The chapters' included listings show the functions they name and fit the page.
(test_site.py runs the checks every page gets, the map included: console, images, links, sidebar.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urldefrag

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from test_package_map import modules_with_all  # noqa: E402
from test_site import _load, _wait  # noqa: E402

pytestmark = pytest.mark.browser
EXPECTED = modules_with_all()
# chapter -> the functions it includes from the package, in page order
INCLUDES = {
    "chapters/02_rnn_architecture": ["rnn_step_forward", "rnn_step_backward"],
    "chapters/03_bptt": ["rnn_backward_steps"],
    "chapters/05_lstm_gru": [
        "lstm_step_forward",
        "lstm_step_backward",
        "gru_step_forward",
        "gru_step_backward",
    ],
}


def _severe(browser: object) -> list[dict]:
    return [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def rows(browser: object, site_url: str) -> list[dict]:
    """The map's rows as the page shows them: module, source link, names and their links."""
    _load(browser, f"{site_url}/package_map.html")
    return browser.execute_script(  # type: ignore[attr-defined]
        """
        return Array.from(document.querySelectorAll('tr.package-map-module')).map(tr => {
          const source = tr.cells[0].querySelector('a.package-map-source');
          return {
            id: tr.id,
            module: source ? source.innerText.trim() : tr.cells[0].innerText.trim(),
            href: source ? source.href : null,
            names: Array.from(tr.cells[1].querySelectorAll('code')).map(c => c.innerText.trim()),
            links: Array.from(tr.cells[1].querySelectorAll('a')).map(
              a => [a.innerText.trim(), a.href]),
          };
        });
        """
    )


def test_the_map_lists_every_public_module_and_name(rows: list[dict]) -> None:
    listed = {row["module"]: row["names"] for row in rows}
    assert sorted(listed) == sorted(EXPECTED), (
        "the map does not list exactly the modules with __all__"
    )
    for module, names in EXPECTED.items():
        assert listed[module] == names, f"{module}: the map lists {listed[module]}"


def test_every_module_has_a_source_link(rows: list[dict], site_url: str) -> None:
    missing = [row["module"] for row in rows if not (row["href"] or "").startswith(site_url)]
    assert missing == [], f"modules without a link to their source: {missing}"


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_the_source_link_opens_the_module_code(
    browser: object, rows: list[dict], module: str
) -> None:
    row = next(r for r in rows if r["module"] == module)
    browser.get_log("browser")  # type: ignore[attr-defined]
    _load(browser, row["href"])
    shown = browser.execute_script(  # type: ignore[attr-defined]
        "const pre = document.querySelector('.package-source pre');"
        "return {title: document.querySelector('.package-source h1').innerText,"
        " code: pre ? pre.textContent : ''};"
    )
    assert module in shown["title"]
    path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        path = ROOT.joinpath(*module.split("."), "__init__.py")
    assert shown["code"].strip() == path.read_text(encoding="utf-8").strip()
    assert _severe(browser) == [], f"console errors on the source page of {module}"


def test_clicking_a_module_opens_its_source(browser: object, site_url: str) -> None:
    from selenium.webdriver.common.by import By

    _load(browser, f"{site_url}/package_map.html")
    link = browser.find_element(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, "tr#map-rnncore-nn-rnn a.package-map-source"
    )
    browser.execute_script("arguments[0].scrollIntoView()", link)  # type: ignore[attr-defined]
    link.click()
    _wait(browser, "document.readyState === 'complete'")
    code = browser.execute_script(  # type: ignore[attr-defined]
        "return document.querySelector('.package-source pre').textContent"
    )
    assert "def rnn_step_forward(" in code


def test_a_name_link_lands_on_its_definition(
    browser: object, rows: list[dict], site_url: str
) -> None:
    row = next(r for r in rows if r["module"] == "rnncore.nn.rnn")
    href = dict(row["links"])["rnn_step_forward"]
    assert urldefrag(href)[1] == "rnn_step_forward"
    _load(browser, href)
    block = browser.execute_script(  # type: ignore[attr-defined]
        "const el = document.getElementById('rnn_step_forward');"
        "const box = el.getBoundingClientRect();"
        "return {text: el.textContent, top: box.top, height: window.innerHeight};"
    )
    assert block["text"].lstrip().startswith("def rnn_step_forward(")
    assert 0 <= block["top"] < block["height"], "the definition is not scrolled into view"


@pytest.mark.parametrize("page", sorted(INCLUDES))
def test_chapters_show_the_package_code_within_the_page(
    browser: object, site_url: str, page: str
) -> None:
    _load(browser, f"{site_url}/{page}.html")
    blocks = browser.execute_script(  # type: ignore[attr-defined]
        """
        return Array.from(document.querySelectorAll('div.package-code pre')).map(pre => ({
          text: pre.textContent, scroll: pre.scrollWidth, width: pre.clientWidth}));
        """
    )
    shown = [b["text"].split("(", 1)[0].removeprefix("def ").strip() for b in blocks]
    assert shown == INCLUDES[page], f"{page} shows {shown}"
    wide = [name for name, b in zip(shown, blocks, strict=True) if b["scroll"] > b["width"] + 1]
    assert wide == [], f"{page}: included code scrolls sideways at 1280 px: {wide}"
