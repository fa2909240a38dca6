"""A notice as text, HTML (Jinja2, autoescaped) and JSON, shared by every channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment

from tagwarden.remediations.notify.interface import Notice, NotifyError

TEXT_TEMPLATE = "notice.txt.j2"
HTML_TEMPLATE = "notice.html.j2"


def level_label(level: int) -> str:
    return "owner notice" if level <= 0 else f"escalation level {level}"


def subject_of(notice: Notice) -> str:
    """One header line: the notice's subject, escalations marked, line breaks (header injection) removed."""
    subject = " ".join(notice.subject.split())
    return f"[escalation {notice.level}] {subject}" if notice.level > 0 else subject


@cache
def _environment(templates_dir: str | None) -> SandboxedEnvironment:
    # A team's own templates (channel config "templates") come first; ours fill in what they lack.
    # Sandboxed because template folders are configuration, which may come from many hands.
    builtin = PackageLoader("tagwarden.remediations.notify", "templates")
    loader = ChoiceLoader([FileSystemLoader(templates_dir), builtin]) if templates_dir else builtin
    return SandboxedEnvironment(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _context(notice: Notice) -> dict[str, Any]:
    return {
        "notice": notice,
        "subject": subject_of(notice),
        "items": notice.items,
        "level": notice.level,
        "level_label": level_label(notice.level),
        "deadline": notice.deadline,
        "run": notice.run,
        "extra": dict(notice.extra),
        "change_count": sum(len(item.planned_changes) for item in notice.items),
    }


@dataclass(frozen=True)
class RenderedEmail:
    text: str
    html: str


def render_email(notice: Notice, templates_dir: str | None = None) -> RenderedEmail:
    if templates_dir is not None and not Path(templates_dir).is_dir():
        raise NotifyError(f"smtp channel: templates folder {templates_dir!r} does not exist")
    environment = _environment(templates_dir)
    context = _context(notice)
    try:
        return RenderedEmail(
            text=environment.get_template(TEXT_TEMPLATE).render(context),
            html=environment.get_template(HTML_TEMPLATE).render(context),
        )
    except TemplateError as error:
        raise NotifyError(f"template {_position(error)}: {error.message or error}") from error


def _position(error: TemplateError) -> str:
    """file:line of a template error; runtime errors carry it only in Jinja's rewritten traceback."""
    if isinstance(error, TemplateSyntaxError):
        return f"{error.filename or error.name}:{error.lineno}"
    where = "template"
    frame = error.__traceback__
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{frame.tb_lineno}"
        frame = frame.tb_next
    return where


def notice_json(notice: Notice) -> dict[str, Any]:
    """The notice as a plain JSON value (webhook payloads)."""
    return {
        "recipient": notice.recipient,
        "subject": notice.subject,
        "level": notice.level,
        "level_label": level_label(notice.level),
        "deadline": notice.deadline,
        "run": notice.run,
        "items": [
            {
                "resource_id": item.resource_id,
                "resource_type": item.resource_type,
                "account": item.account,
                "findings": list(item.findings),
                "planned_changes": list(item.planned_changes),
            }
            for item in notice.items
        ],
        "extra": _plain(notice.extra),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
