"""JUnit XML (the Ant/Jenkins dialect that GitLab, Jenkins and Azure DevOps read).

One test suite; one test case per resource and rule, passes included (passing cases are what
make the pass rate). Failures, as ``Report.is_failure`` counts them, get ``<failure>``; exempt
results and unknowns that are not failures get ``<skipped>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from tagwarden.engine.outputs import _common
from tagwarden.engine.results import Report, Result, Status

# Characters XML 1.0 cannot carry at all, not even escaped; a tag value may hold them. A carriage
# return survives only as a character reference, which ElementTree writes in attributes but not in
# text (where a parser turns it into a newline), so it is spelled out too.
_NOT_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


@dataclass(frozen=True)
class JunitFormat:
    name = "junit"
    description = "JUnit XML, one test case per resource and rule, for CI test reports"

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        results = _common.ordered(report.results)
        failed = sum(1 for r in results if report.is_failure(r))
        skipped = sum(1 for r in results if is_skipped(report, r))
        counts = {"tests": str(len(results)), "failures": str(failed), "errors": "0"}
        suites = ET.Element("testsuites", {"name": "tagwarden", **counts})
        suite = ET.SubElement(suites, "testsuite", {"name": "tagwarden", **counts, "skipped": str(skipped)})
        properties = ET.SubElement(suite, "properties")
        for name, value in (("policy", report.policy.name), ("policy.digest", report.policy.digest)):
            ET.SubElement(properties, "property", {"name": name, "value": xml_text(value)})
        for result in results:
            suite.append(testcase(report, result, root))
        ET.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def is_skipped(report: Report, result: Result) -> bool:
    return result.status in (Status.EXEMPT, Status.UNKNOWN) and not report.is_failure(result)


def testcase(report: Report, result: Result, root: str | None) -> ET.Element:
    resource = result.resource
    classname = _common.repo_path(resource.file, root) if resource.file else resource.provider
    name = f"{_common.resource_label(resource)} {result.rule}"
    case = ET.Element("testcase", {"classname": xml_text(classname), "name": xml_text(name)})
    if report.is_failure(result):
        outcome = ET.SubElement(case, "failure", {"type": result.severity})
    elif is_skipped(report, result):
        outcome = ET.SubElement(case, "skipped", {"type": result.status.value})
    else:
        return case
    outcome.set("message", xml_text(_common.message(result)))
    outcome.text = xml_text(details(result, root))
    return case


def details(result: Result, root: str | None) -> str:
    resource = result.resource
    fields = {
        "rule": result.rule,
        "severity": result.severity,
        "status": result.status.value,
        "reason": result.reason,
        "key": result.key,
        "value": result.value,
        "expected": result.expected,
        "depends on": ", ".join(result.depends_on) or None,
        "note": result.note,
        "resource": f"{resource.type} {_common.resource_label(resource)}",
        "location": _common.location(resource, root),
    }
    return "\n".join(f"{name}: {value}" for name, value in fields.items() if value is not None)
