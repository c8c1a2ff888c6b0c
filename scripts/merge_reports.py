"""One set of reports from a split run (`./test.sh --splits N --group K` on N machines).

    python scripts/merge_reports.py reports/

reads every reports/*/junit.xml (one folder a group, e.g. as CI's download-artifact leaves
them), writes reports/junit.xml with all of their test suites and reports/index.html with one
line a group and a link to its own report.html (pytest-html reports do not merge). Prints the
totals; exits 1 if a group failed or none was found. Standard library only.
"""
import html
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

COUNTS = ("tests", "failures", "errors", "skipped")


def merge(root):
    merged = ET.Element("testsuites")
    rows = []
    for junit in sorted(root.glob("*/junit.xml")):
        tree = ET.parse(junit).getroot()
        suites = [tree] if tree.tag == "testsuite" else list(tree.iter("testsuite"))
        group = junit.parent.name
        totals = {name: sum(int(s.get(name, 0)) for s in suites) for name in COUNTS}
        totals["time"] = sum(float(s.get("time", 0)) for s in suites)
        for suite in suites:
            suite.set("name", f"{suite.get('name', 'pytest')} ({group})")
            merged.append(suite)
        report = junit.parent / "report.html"
        rows.append((group, totals, report.relative_to(root).as_posix() if report.exists() else None))
    for name in COUNTS:
        merged.set(name, str(sum(t[name] for _, t, _ in rows)))
    merged.set("time", f"{sum(t['time'] for _, t, _ in rows):.3f}")
    ET.ElementTree(merged).write(root / "junit.xml", encoding="utf-8", xml_declaration=True)
    (root / "index.html").write_text(_index(rows), encoding="utf-8")
    return merged, rows


def _index(rows):
    lines = []
    for group, t, report in rows:
        link = f'<a href="{html.escape(report)}">{html.escape(group)}</a>' if report else html.escape(group)
        cells = "".join(f"<td>{t[name]}</td>" for name in COUNTS)
        lines.append(f"<tr><td>{link}</td>{cells}<td>{t['time']:.1f}</td></tr>")
    head = "".join(f"<th>{name}</th>" for name in ("group", *COUNTS, "seconds"))
    return ("<!doctype html><meta charset='utf-8'><title>Test reports</title>"
            f"<h1>Test reports, {len(rows)} groups</h1><table><tr>{head}</tr>{''.join(lines)}</table>\n")


def main(argv):
    root = Path(argv[1] if len(argv) > 1 else "reports")
    merged, rows = merge(root)
    if not rows:
        print(f"no */junit.xml under {root}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{merged.get(name)} {name}" for name in COUNTS)
    print(f"{len(rows)} groups: {summary}; {root / 'junit.xml'}, {root / 'index.html'}")
    return 1 if int(merged.get("failures")) or int(merged.get("errors")) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
