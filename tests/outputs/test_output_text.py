from __future__ import annotations

from tagwarden.engine.outputs.text import TextFormat, printable
from tagwarden.engine.results import Report


def test_failures_are_grouped_by_file_with_file_and_line(report: Report) -> None:
    lines = TextFormat().render(report, root="infra").splitlines()
    start = lines.index("infra/modules/network/main.tf")
    assert lines[start + 1 : start + 4] == [
        "  infra/modules/network/main.tf:12: FAIL high cost-center module.network.aws_vpc.invalid_cost_center:"
        " CostCenter 'cc-99' is not a known cost center",
        "  infra/modules/network/main.tf:25: FAIL low team module.network.aws_subnet.low_missing_team: Team is missing",
        "  infra/modules/network/main.tf:40: FAIL info description"
        " module.network.aws_route.info_missing_description: Description: missing",
    ]


def test_paths_stay_relative_to_the_checked_folder_without_a_root(report: Report) -> None:
    out = TextFormat().render(report)
    assert "  main.tf:10: FAIL high cost-center aws_s3_bucket.missing_cost_center" in out
    assert "infra/" not in out


def test_live_resources_are_grouped_by_account_and_named_by_their_id(report: Report) -> None:
    lines = TextFormat().render(report).splitlines()
    assert lines[:2] == [
        "aws 111122223333 eu-west-1",
        "  arn:aws:s3:::live-missing-owner: FAIL medium owner Owner is missing",
    ]


def test_passes_only_with_show_all(report: Report) -> None:
    assert "PASS" not in TextFormat().render(report)
    assert "  main.tf:1: PASS high cost-center aws_s3_bucket.fully_tagged" in TextFormat().render(report, show_all=True)


def test_summary_line_closes_the_output(report: Report) -> None:
    assert TextFormat().render(report).splitlines()[-1] == (
        "7 failed, 1 unknown, 1 exempt, 1 compliant of 10 evaluated (11 resources, 1 unclassified);"
        " score 10.0%; policy acme-baseline (sha256:0123456789abcdef)"
    )


def test_colour_only_when_asked(report: Report) -> None:
    assert "\x1b" not in TextFormat().render(report)
    coloured = TextFormat(color=True).render(report)
    assert "\x1b[31mFAIL\x1b[0m \x1b[31mhigh\x1b[0m cost-center" in coloured


def test_empty_report(empty: Report) -> None:
    assert TextFormat().render(empty) == (
        "No findings.\n\n0 failed, 0 unknown, 0 exempt, 0 compliant of 0 evaluated (0 resources,"
        " 0 unclassified); score 100.0%; policy acme-baseline (sha256:0123456789abcdef)\n"
    )


def test_hostile_values_cannot_break_lines_or_drive_the_terminal(hostile: Report) -> None:
    out = TextFormat(color=False).render(hostile)
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    lines = out.splitlines()
    assert lines[0] == "weird `dir`/a#b?|c.tf"
    assert lines[1].startswith("  weird `dir`/a#b?|c.tf:7: FAIL high cost-center aws_s3_bucket.hostile_tag_values:")
    assert '</script> | =HYPERLINK("http://evil.example","x")\\n::error::injected %0A' in lines[1]
    assert lines[1].endswith("\\x1b[31mred\\r\\x07' is not a known cost center")
    assert lines[2].startswith("  weird `dir`/a#b?|c.tf:7: UNKNOWN medium owner")
    assert lines[3] == ""


def test_printable_escapes_controls_and_bidi_overrides() -> None:
    assert printable("a\tb\nc\x00\x9b\u202eevil\u2069") == "a\\tb\\nc\\x00\\x9b\\u202eevil\\u2069"
    assert printable("ünïcode ✓") == "ünïcode ✓"
