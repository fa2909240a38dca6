"""report.html: one self-contained page (inline CSS, inline script, inline SVG charts; nothing fetched).

Jinja2 autoescapes every value; the page's Content-Security-Policy admits only its own style and
script (by hash) and no network at all, so a value that slipped through escaping still could not
run or load anything.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from tagwarden.engine.reporting.render import view
from tagwarden.engine.reporting.render.formatting import money, number, percent, words
from tagwarden.engine.reporting.render.interface import RenderError, ReportDict

TEMPLATE = "report.html.j2"


@dataclass(frozen=True)
class HtmlRenderer:
    name = "html"
    description = "one self-contained HTML page for the governance team (charts, drill-down, print-friendly)"
    files: tuple[str, ...] = ("report.html",)

    def render(self, report: ReportDict) -> dict[str, str]:
        if "period" not in report:
            raise RenderError("the report has no period; is it a tagwarden report dict?")
        return {"report.html": render_html(report)}


def render_html(report: ReportDict) -> str:
    environment = _environment()
    style = environment.get_template("report.css.j2").render()
    script = environment.get_template("report.js.j2").render()
    context: dict[str, Any] = {
        "report": report,
        "currency": view.currency_of(report),
        "headline": view.headline(report),
        "owner_chart": view.owner_chart(report),
        "trend_chart": view.trend_chart(report),
        "reason_chart": view.reason_chart(report),
        "accounts": view.drilldown(report),
        "organisation_cost": view.organisation_cost(report),
        "other_currencies": view.other_currencies(report),
        "items_per_owner": view.ITEMS_PER_OWNER,
        "style": Markup(style),
        "script": Markup(script),
        "csp": content_security_policy(style, script),
    }
    return environment.get_template(TEMPLATE).render(context)


def content_security_policy(style: str, script: str) -> str:
    return (
        f"default-src 'none'; style-src '{_sha256(style)}'; script-src '{_sha256(script)}'; "
        "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("tagwarden.engine.reporting.render", "templates"),
        autoescape=True,  # every template here is HTML (or CSS/JS with no values in it)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(money=money, number=number, percent=percent, words=words)
    return environment
