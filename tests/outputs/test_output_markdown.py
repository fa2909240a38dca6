from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tagwarden.engine.outputs.markdown import MarkdownFormat, code, escape
from tagwarden.engine.results import Report, UnknownMode

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def test_headline_then_summary_table_then_failures(report: Report) -> None:
    out = MarkdownFormat().render(report, root="infra")
    assert out.startswith("### ❌ tagwarden: 7 failures\n\n| Resources | Evaluated |")
    assert out.index("| 11 | 10 | 1 | 7 | 1 | 1 | 1 | 10.0% |") < out.index("#### Failures")


def test_a_clean_run_has_a_passing_headline_and_no_failure_section(empty: Report) -> None:
    assert MarkdownFormat().render(empty) == (
        "### ✅ tagwarden: no failures\n\n"
        "| Resources | Evaluated | Compliant | Failed | Unknown | Exempt | Unclassified | Score |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| 0 | 0 | 0 | 0 | 0 | 0 | 0 | 100.0% |\n\n"
        "Policy `acme-baseline` (`sha256:0123456789abcdef`)\n"
    )


def test_failures_are_grouped_by_file(report: Report) -> None:
    out = MarkdownFormat().render(report, root="infra")
    section = out[out.index("**`infra/modules/network/main.tf`**") :]
    assert section.splitlines()[2:7] == [
        "| Line | Severity | Rule | Resource | Tag | Message |",
        "| ---: | --- | --- | --- | --- | --- |",
        "| 12 | high | `cost-center` | `module.network.aws_vpc.invalid_cost_center` | `CostCenter` |"
        " CostCenter 'cc-99' is not a known cost center |",
        "| 25 | low | `team` | `module.network.aws_subnet.low_missing_team` | `Team` | Team is missing |",
        "| 40 | info | `description` | `module.network.aws_route.info_missing_description` | `Description` |"
        " Description: missing |",
    ]


def test_unknowns_are_listed_only_when_they_fail(report: Report) -> None:
    assert "owner_known_after_apply" not in MarkdownFormat().render(report)
    failing = MarkdownFormat().render(replace(report, unknown_mode=UnknownMode.FAIL))
    assert failing.startswith("### ❌ tagwarden: 8 failures")
    assert "`aws_instance.owner_known_after_apply`" in failing


def test_rows_are_capped_with_a_count_of_the_rest(report: Report) -> None:
    out = MarkdownFormat(max_rows=2).render(report)
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert len([row for row in rows if "`" in row]) == 2
    assert "\n\n…and 5 more failures.\n" in out


def test_default_cap_is_fifty(report: Report) -> None:
    many = replace(report, results=[report.results[2]] * 60)
    out = MarkdownFormat().render(many)
    assert out.count("`aws_s3_bucket.missing_cost_center`") == 50
    assert "…and 10 more failures." in out


def test_hostile_values_cannot_break_the_table_or_inject_markup(hostile: Report) -> None:
    out = MarkdownFormat().render(hostile, root="infra")
    rows = [line for line in out.splitlines() if line.startswith("| 7 |")]
    assert len(rows) == 1, "a newline in a value must not end the row"
    assert len(UNESCAPED_PIPE.findall(rows[0])) == 7
    assert "<script>" not in out and "[link](" not in out and "@octocat" not in out
    assert "\x1b" not in out and "\r" not in out
    assert "**``infra/weird `dir`/a#b?|c.tf``**" in out


def test_escape_and_code_spans() -> None:
    assert escape("a|b<c>`d`\n*e* [f](g) @h &amp; $x$") == (
        "a\\|b\\<c\\>\\`d\\`\\\\n\\*e\\* \\[f\\](g) @\u2060h \\&amp; \\$x\\$"
    )
    assert code("x|y") == "`x\\|y`"
    assert code("a `b` c", in_table=False) == "``a `b` c``"
    assert code("`edge`", in_table=False) == "`` `edge` ``"
    assert code("line\nbreak", in_table=False) == "`line\\nbreak`"


def test_renders_to_the_text_it_was_given(hostile: Report) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(MarkdownFormat().render(hostile))
    assert "<script>" not in html and "<a " not in html
    cells = re.findall(r"<td>(.*?)</td>", html, flags=re.S)
    assert cells[3] == "<code>=cmd|' /C calc'!A0</code>"
    message = cells[4].replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    assert message == (
        'CostCenter \'<script>alert(1)</script> | =HYPERLINK("http://evil.example","x")\\n'
        "::error::injected %0A `tick` @\u2060octocat [link](http://evil.example) \\x1b[31mred\\r\\x07'"
        " is not a known cost center"
    )
