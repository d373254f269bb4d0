"""``--output-format junit``: JUnit XML, for the test dashboards of CI services.

One test suite per file with findings, one failing test case per finding (named after
its code and position); a clean run is one passing test case, so dashboards show that
aiolint ran.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Dict, List

from ..diagnostics import Diagnostic
from ..runner import Report
from .names import json_path, quoted_path

# Characters XML 1.0 cannot hold, even escaped (compiled by ``re`` when first used: a run seldom writes XML).
_NOT_XML = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def xml_text(text: str) -> str:
    """Text XML can hold: undecodable bytes of file names (surrogates) and control characters spelled out."""
    text = json_path(text)  # a byte of a name that is not UTF-8 becomes \xNN
    return re.sub(_NOT_XML, lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                  else f"\\u{ord(m.group()):04x}", text)


def render(report: Report, **_: object) -> str:
    import xml.etree.ElementTree as ET  # only for this format

    by_file: Dict[str, List[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        by_file[d.path].append(d)
    count = len(report.diagnostics)
    suites = ET.Element("testsuites", name="aiolint", tests=str(max(count, 1)), failures=str(count), errors="0")
    if not by_file:
        suite = ET.SubElement(suites, "testsuite", name="aiolint", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="no findings", classname="aiolint")
    for path, found in by_file.items():
        name = xml_text(path)
        suite = ET.SubElement(suites, "testsuite", name=name, tests=str(len(found)), failures=str(len(found)),
                              errors="0")
        for d in found:
            case = ET.SubElement(suite, "testcase", name=f"{d.code} at {d.line}:{d.column}", classname=name,
                                 file=name, line=str(d.line))
            failure = ET.SubElement(case, "failure", message=xml_text(d.message), type=d.code)
            failure.text = xml_text(f"{quoted_path(path)}:{d.line}:{d.column}: {d.code} {d.message}")
    ET.indent(suites) if hasattr(ET, "indent") else None
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
