"""The report in a real browser: headless Chromium driven by Selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them as root) and the
``selenium`` package (test extra). Where Chromium cannot be installed the test is skipped with
the reason. The index page's screenshot is kept in the test's tmp dir as an artefact.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

from distillab.report import agreement, write_report
from distillab.studies import Study, resolve_targets
from distillab.sweep import ResultStore, run_sweep

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="headless Chromium needs Debian's chromium and chromium-driver (apt-get install)",
)


@pytest.fixture
def browser() -> Iterator[object]:
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(str(DRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def report(toy_registry: Study, tmp_path: Path) -> tuple[Path, ResultStore]:
    store = ResultStore(tmp_path / "results.sqlite")
    run_sweep(resolve_targets(["toy"]), store, profile="quick", show_progress=False)
    # A long unbreakable reference (a URL) must wrap, not widen the page on a phone.
    study = replace(toy_registry, reference="https://example.org/" + "x" * 300)
    return write_report(store, tmp_path, studies={"toy": study}), store


def _check_page(driver, url: str, width: int) -> list[str]:
    """Load ``url`` at ``width`` px and return its links; assert the page's own properties."""
    driver.set_window_size(width, 800)
    driver.get(url)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    scroll, viewport = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll <= viewport, f"{url} scrolls sideways at {width} px ({scroll} > {viewport})"
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.src, i.complete && i.naturalWidth > 0])"
    )
    assert all(ok for _, ok in images), images
    assert driver.find_elements("css selector", "meta[name=viewport]")
    return driver.execute_script("return Array.from(document.links).map(a => a.href)")


def test_report_pages_load_fit_and_link_in_chromium(
    browser,
    report: tuple[Path, ResultStore],
    toy_registry: Study,
    tmp_path: Path,
) -> None:
    index, store = report
    pages = [index.as_uri(), *(p.as_uri() for p in sorted((tmp_path / "report").glob("*.html")))]
    for width in (1280, 390):
        links = [link for page in pages for link in _check_page(browser, page, width)]
    for link in links:
        target, fragment = urldefrag(link)
        path = Path(urlparse(target).path)
        assert path.exists(), f"broken link {link}"
        if fragment:
            browser.get(target)
            assert browser.find_elements("id", fragment), f"no #{fragment} in {path.name}"
    browser.set_window_size(1280, 800)
    browser.get(index.as_uri())
    held, total = browser.execute_script(
        "var s = document.getElementById('summary'); return [s.dataset.held, s.dataset.total]"
    )
    (figure,) = toy_registry.figures
    lines = agreement(figure, store.rows("toy", figure.name), figure.grid["quick"])
    assert (int(held), int(total)) == (sum(line.passed for line in lines), len(lines))
    header = browser.find_elements("css selector", "#summary-table th")[2]
    header.click()  # the summary table sorts without errors
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    browser.save_screenshot(str(tmp_path / "index.png"))
    assert (tmp_path / "index.png").stat().st_size > 1000
