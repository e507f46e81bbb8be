"""Adds up JUnit XML reports from ctest and pytest and prints one closing line:
'tests: N passed, N failed, N skipped'. Exits 1 when anything failed or a report is missing."""

import sys
import xml.etree.ElementTree as ET


def count(path: str) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0) or suite.get("disabled", 0))
    return total - failed - skipped, failed, skipped


def main(paths: list[str]) -> int:
    passed = failed = skipped = 0
    for path in paths:
        try:
            p, f, s = count(path)
        except (OSError, ET.ParseError) as error:
            print(f"claimbench: test report {path} is missing or unreadable: {error}", file=sys.stderr)
            failed += 1
            continue
        passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
