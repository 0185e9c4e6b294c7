"""axe-core's accessibility rules on every page of the built book, in headless Chromium.

axe-core comes bundled in axe-selenium-python (no network). A serious or critical violation on any
page fails; every violation found, whatever its impact, is written to
_build/screenshots/axe.json (a CI artifact), with a count by impact and rule.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from test_layout import PAGES, SITE, _load_fitted, _source_pages  # noqa: E402

pytestmark = pytest.mark.browser
FAILING = ("serious", "critical")


def _other_pages() -> list[str]:
    """Pages outside the table of contents: the package's source pages, the index, search."""
    extra = [p for p in ("genindex", "search") if (SITE / f"{p}.html").is_file()]
    return _source_pages() + extra


def _false_positive(rule: str, node: dict) -> bool:
    """A finding of axe-core 3.1.1 (the version axe-selenium-python bundles) that is its own bug.

    3.1.1 flags ``autocomplete="off"`` as an invalid value on a search field, though HTML allows
    "off" on every field; axe-core fixed it in 3.1.2 (dequelabs/axe-core#1109). Only that value
    is excused: any other autocomplete finding still counts.
    """
    return rule == "autocomplete-valid" and 'autocomplete="off"' in node["html"]


def _violations(browser: object) -> list[dict]:
    """axe-core's violations on the page loaded in ``browser``: rule, impact and the elements."""
    from axe_selenium_python import Axe

    axe = Axe(browser)
    axe.inject()
    results = axe.run()
    found = []
    for v in results["violations"]:
        nodes = [n for n in v["nodes"] if not _false_positive(v["id"], n)]
        if nodes:
            found.append(
                {
                    "rule": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "targets": [", ".join(n["target"]) for n in nodes],
                }
            )
    return found


@pytest.fixture(scope="module")
def audited(browser: object, site_url: str, screenshot_dir: Path) -> dict[str, list[dict]]:
    """Run axe-core once on each page; save what it found."""
    results = {}
    for page in PAGES + _other_pages():
        _load_fitted(browser, f"{site_url}/{page}.html")
        results[page] = _violations(browser)
    counts = Counter(
        f"{v['impact']} {v['rule']}"
        for found in results.values()
        for v in found
        for _ in v["targets"]
    )
    report = {"counts (impact rule: elements)": dict(sorted(counts.items())), "pages": results}
    (screenshot_dir / "axe.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return results


def _serious(found: list[dict]) -> list[str]:
    return [
        f"{v['impact']} {v['rule']} ({v['help']}): {v['targets'][:3]}"
        for v in found
        if v["impact"] in FAILING
    ]


@pytest.mark.parametrize("page", PAGES)
def test_no_serious_accessibility_violation(audited: dict, page: str) -> None:
    assert _serious(audited[page]) == [], f"{page}: {_serious(audited[page])}"


def test_no_serious_accessibility_violation_on_the_other_pages(audited: dict) -> None:
    others = [page for page in audited if page not in PAGES]
    assert any(page.startswith("_modules/") for page in others), "no source pages were audited"
    bad = {page: _serious(audited[page]) for page in others if _serious(audited[page])}
    assert bad == {}, f"serious or critical violations: {bad}"


def test_only_autocomplete_off_is_excused() -> None:
    off = {"html": '<input type="search" autocomplete="off">'}
    wrong = {"html": '<input type="text" autocomplete="nonsense">'}
    assert _false_positive("autocomplete-valid", off)
    assert not _false_positive("autocomplete-valid", wrong)
    assert not _false_positive("color-contrast", off)


def test_axe_finds_a_planted_violation(browser: object, site_url: str) -> None:
    """The audit can fail: an image without alternative text is a critical violation."""
    _load_fitted(browser, f"{site_url}/{PAGES[0]}.html")
    browser.execute_script(  # type: ignore[attr-defined]
        "const img = document.createElement('img'); img.src = '_static/logo.svg';"
        "document.querySelector('article').appendChild(img);"
    )
    assert any(v["rule"] == "image-alt" for v in _violations(browser))
