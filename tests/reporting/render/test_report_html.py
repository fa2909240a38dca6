"""report.html as text: escaping of strangers' values, no external reference, figures as a person reads them."""

from __future__ import annotations

import html
import re

import pytest
import render_samples as samples

from tagwarden.engine.reporting.render import view
from tagwarden.engine.reporting.render.html import HtmlRenderer
from tagwarden.engine.reporting.render.interface import RenderError


def html_of(report: dict) -> str:
    return HtmlRenderer().render(report)["report.html"]


@pytest.fixture(scope="module")
def page() -> str:
    return html_of(samples.report())


def test_hostile_values_are_escaped_everywhere(page: str) -> None:
    assert "<script>alert" not in page
    assert page.count("<script>") == 1  # our own, at the end
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '" onmouseover=' not in page
    assert "&#34; onmouseover=&#34;alert(2)" in page
    # every attribute value is quoted and none of them holds an unescaped quote from a stranger
    assert not re.search(r"<[^>]*\sonmouseover=", page)


def test_no_reference_leaves_the_file(page: str) -> None:
    markup_only = page.replace("http://www.w3.org/2000/svg", "")
    assert not re.search(r"""(?:src|href|action|poster|srcset)\s*=""", markup_only, re.IGNORECASE)
    assert "url(" not in markup_only and "@import" not in markup_only
    assert "http://evil.example/" in markup_only  # the tag value, shown as text
    assert not re.search(r"""<(?:link|img|iframe|object|embed|base)\b""", markup_only, re.IGNORECASE)


def test_content_security_policy_admits_only_the_page_itself(page: str) -> None:
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    content = html.unescape(policy.group(1))  # the browser reads the attribute unescaped
    assert "default-src 'none'" in content
    assert "unsafe-inline" not in content
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", content)


def test_headline_figures_are_formatted(page: str) -> None:
    for text in ("$1,234,567.89", "87.1\u2009%", "$146,913.57", "92.0\u2009%", "95.4\u2009%", "$2,055.00", "$150.25"):
        assert text in page, text


def test_open_period_says_how_to_close_it(page: str) -> None:
    assert "tagwarden period close 2026-10" in page
    assert 'class="badge open"' in page


def test_closed_period_shows_the_audit_record_and_hash() -> None:
    page = html_of(samples.closed_report())
    assert 'class="badge closed"' in page
    assert "Audit record <b>#17</b>" in page
    assert "sha256:" + "cd" * 32 in page
    assert "finops@example.org" in page


def test_accruals_adjustments_and_other_currencies(page: str) -> None:
    assert "$80.00" in page and "run rate of the last 7 invoiced days" in page
    assert "\u2212$12.00" in page  # a negative adjustment with a real minus sign
    assert "€5,000.00" in page


def test_policy_digest_scan_and_scope_are_named() -> None:
    page = html_of(samples.report(scope={"owner": "cc-1000"}))
    assert "acme-baseline" in page and "sha256:" + "ab" * 32 in page
    assert "Scan <b>#12</b>" in page
    assert "owner <b>cc-1000</b>" in page


def test_a_report_without_billing_or_trend_still_renders() -> None:
    page = html_of(samples.report(allocation=None, trend=[], shadow={}, accruals=None, adjustments=[]))
    assert "no billing data" in page
    assert "No earlier periods yet." in page
    assert "No allocated spend." in page


def test_long_owner_lists_are_cut_and_point_to_the_csv() -> None:
    items = [dict(samples.PROD_WEB[0], id=f"i-{n}", cost=float(n)) for n in range(view.ITEMS_PER_OWNER + 5)]
    owner = {"owner": "cc-big", "cost": 1.0, "resources": len(items), "score": 100.0, "items": items}
    page = html_of(samples.report(drilldown=[{"account": "1", "name": "a", "cost": 1.0, "resources": 1,
                                                "score": 1.0, "owners": [owner]}]))  # fmt: skip
    assert page.count('class="item-row"') == view.ITEMS_PER_OWNER
    assert "and 5 more resources with less spend (5 of them listed in report.csv)" in page
    assert ">i-4<" not in page and f">i-{view.ITEMS_PER_OWNER + 4}<" in page  # the most expensive are kept


def test_drilldown_buttons_control_existing_groups(page: str) -> None:
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    controlled = [name for value in re.findall(r'aria-controls="([^"]*)"', page) for name in value.split()]
    assert controlled and all(name in ids for name in controlled)
    assert page.count('aria-expanded="false"') == len(re.findall(r"<button[^>]*data-toggle=", page))


def test_not_a_report_dict_is_refused() -> None:
    with pytest.raises(RenderError, match="no period"):
        HtmlRenderer().render({"tagwarden": "1"})
