"""report.html opened in headless Chromium (Debian's chromium package): what a person sees and can click.

The browser is required, not optional: .ci/run installs it, and a missing browser fails these tests.
TAGWARDEN_REPORT_SCREENSHOT=PATH also saves the screenshot there (to look at how the page reads).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import render_samples as samples

from tagwarden.engine.reporting.render.html import HtmlRenderer

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str:
    found = os.environ.get("TAGWARDEN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is not installed (apt-get install chromium); .ci/run installs it")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Visit:
    """One page of the report with everything it asked the network for, its dialogs and its console."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.url = path.as_uri()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        self.page.goto(self.url)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture(scope="module")
def visit(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Visit]:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(HtmlRenderer().render(samples.report())["report.html"], encoding="utf-8")
    opened = Visit(browser, path)
    yield opened
    opened.page.close()


def test_headline_figures_are_visible(visit: Visit) -> None:
    text = visit.page.inner_text("#headline")
    expected = (
        ("TOTAL SPEND", "$1,234,567.89"), ("ALLOCATED", "87.1\u2009%"), ("UNALLOCATED", "$146,913.57"),
        ("COMPLIANCE SCORE", "92.0\u2009%"), ("COST-WEIGHTED SCORE", "95.4\u2009%"),
        ("UNTAGGED SPEND", "$2,055.00"), ("UNMANAGED SPEND", "$150.25"),
    )  # fmt: skip
    for label, figure in expected:
        assert label in text.upper() and figure in text, (label, figure)


def test_charts_are_drawn_with_their_labels(visit: Visit) -> None:
    owners = visit.page.locator("#chart-owners svg")
    assert owners.is_visible() and owners.locator("rect.seg-direct:not(.swatch)").count() == 4
    labels = set(owners.locator("text").all_text_contents())
    assert {"cc-1000", "$666,666.67"} <= labels
    assert '" onmouseover="alert…' in labels  # a stranger's owner name, cut to fit, as text
    trend = visit.page.locator("#chart-trend svg")
    assert trend.locator("circle").count() == 8
    assert "2026-07" in trend.locator("text").all_text_contents()
    reasons = visit.page.locator("#chart-reasons svg text").all_text_contents()
    assert "no tags" in reasons and "$120,000.00" in reasons


def test_a_click_on_an_account_shows_its_owners_and_on_an_owner_its_resources(visit: Visit) -> None:
    page = visit.page
    account, owner_row = page.locator("#a0-row button"), page.locator("#a0-o1 tr.owner-row")
    resource_row = page.locator("#a0-o1-items tr.item-row").first
    assert not owner_row.is_visible() and not resource_row.is_visible()
    assert account.get_attribute("aria-expanded") == "false"
    account.click()
    assert owner_row.is_visible() and not resource_row.is_visible()
    assert account.get_attribute("aria-expanded") == "true"
    page.locator("#a0-o1 button").click()
    assert resource_row.is_visible()
    assert page.locator("#a0-o1 button").get_attribute("aria-expanded") == "true"
    account.click()  # closing the account closes the owner opened inside it
    assert not owner_row.is_visible() and not resource_row.is_visible()
    assert page.locator("#a0-o1 button").get_attribute("aria-expanded") == "false"


def test_the_drilldown_works_from_the_keyboard(visit: Visit) -> None:
    button = visit.page.locator("#a1-row button")
    button.focus()
    visit.page.keyboard.press("Enter")
    assert visit.page.locator("#a1-o0 tr.owner-row").is_visible()
    visit.page.keyboard.press("Space")
    assert not visit.page.locator("#a1-o0 tr.owner-row").is_visible()


def test_hostile_values_show_as_text_and_run_nothing(visit: Visit) -> None:
    page = visit.page
    page.locator("button[data-all='open']").click()
    named = page.locator("#drilldown tr.item-row", has_text="arn:aws:s3:::evil-bucket").locator("td").first
    assert named.is_visible() and named.inner_text().startswith(samples.SCRIPT)
    page.locator("#drilldown tr.item-row td:first-child", has_text=samples.ATTRIBUTE).first.hover()
    assert page.locator("#offenders").inner_text().count(samples.SCRIPT) == 2  # name and owner
    assert samples.HOSTILE_OWNER in page.inner_text("#drilldown")
    assert samples.ATTRIBUTE in page.inner_text("#drilldown")
    assert visit.dialogs == []
    page.locator("button[data-all='close']").click()


def test_no_request_leaves_the_page_and_nothing_is_refused(visit: Visit) -> None:
    visit.page.reload()
    assert set(visit.requests) == {visit.url}
    assert visit.console == []  # a refused load or script (Content-Security-Policy) would be reported here


def test_print_shows_owners_and_hides_the_buttons(visit: Visit) -> None:
    page = visit.page
    page.emulate_media(media="print")
    try:
        assert page.locator("#a0-o0 tr.owner-row").is_visible()
        assert not page.locator("button[data-all='open']").is_visible()
    finally:
        page.emulate_media(media="screen")


def test_screenshot(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    page.locator("#a0-row button").click()
    page.locator("#a0-o1 button").click()
    target = tmp_path / "report.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    wanted = os.environ.get("TAGWARDEN_REPORT_SCREENSHOT")
    if wanted:
        shutil.copyfile(target, wanted)
