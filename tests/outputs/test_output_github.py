from __future__ import annotations

from dataclasses import replace

from tagwarden.engine.outputs.github import GithubFormat, escape_data, escape_property
from tagwarden.engine.results import Report, UnknownMode


def commands(report: Report) -> list[tuple[str, str]]:
    """(command, address) for each annotation."""
    out = GithubFormat().render(report)
    return [(line[2 : line.index(" ")], line.split("::", 2)[2].split(": ")[0]) for line in out.splitlines()]


def test_levels_by_severity_and_status(report: Report) -> None:
    assert commands(report) == [
        ("error", "arn:aws:s3:::live-missing-owner"),  # a "::" in the message is data to the runner
        ("error", "broken.tf"),
        ("error", "aws_s3_bucket.missing_cost_center"),
        ("warning", "aws_instance.owner_known_after_apply"),
        ("warning", "custom_widget.unclassified_type"),
        ("error", 'aws_sqs_queue.for_each_missing_owner["orders"]'),
        ("error", "module.network.aws_vpc.invalid_cost_center"),
        ("warning", "module.network.aws_subnet.low_missing_team"),
        ("notice", "module.network.aws_route.info_missing_description"),
    ]


def test_an_unknown_that_fails_is_annotated_by_its_severity(report: Report) -> None:
    levels = dict((address, command) for command, address in commands(replace(report, unknown_mode=UnknownMode.FAIL)))
    assert levels["aws_instance.owner_known_after_apply"] == "error"


def test_annotation_points_at_the_repository_path(report: Report) -> None:
    lines = GithubFormat().render(report, root="infra").splitlines()
    assert lines[6] == (
        "::error file=infra/modules/network/main.tf,line=12,title=tagwarden cost-center (high%2C fail)"
        "::module.network.aws_vpc.invalid_cost_center: CostCenter 'cc-99' is not a known cost center"
    )


def test_live_resources_have_no_file_property(report: Report) -> None:
    assert GithubFormat().render(report).splitlines()[0] == (
        "::error title=tagwarden owner (medium%2C fail)::arn:aws:s3:::live-missing-owner: Owner is missing"
    )


def test_nothing_to_say_is_empty(empty: Report) -> None:
    assert GithubFormat().render(empty) == ""


def test_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_hostile_values_cannot_issue_commands(hostile: Report) -> None:
    out = GithubFormat().render(hostile, root="infra")
    lines = out.splitlines()
    assert len(lines) == 2 and all(line.startswith("::") for line in lines)
    assert lines[0].startswith(
        "::error file=infra/weird `dir`/a#b?|c.tf,line=7,title=tagwarden cost-center (high%2C fail)::"
    )
    assert "%0A::error::injected %250A" in lines[0]
    assert lines[0].endswith("\x1b[31mred%0D\x07' is not a known cost center")
    assert lines[1].startswith(
        "::warning file=infra/weird `dir`/a#b?|c.tf,line=7,title=tagwarden owner (medium%2C unknown)::"
    )


def test_file_names_are_escaped_as_properties(report: Report) -> None:
    odd = replace(report.results[2], resource=replace(report.results[2].resource, file="a,b:c.tf"))
    out = GithubFormat().render(replace(report, results=[odd]))
    assert out.startswith("::error file=a%2Cb%3Ac.tf,line=10,")
