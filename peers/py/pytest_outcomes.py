"""pytest plugin: one JSON line per test phase that ran, for tests/moto_aws_verified.rs.

Loaded with `-p pytest_outcomes` (this folder on PYTHONPATH); writes to the file named by
PYTEST_OUTCOMES_FILE. A line is {"nodeid", "when", "outcome", "duration", "longrepr"}, where
"when" is "collect", "setup", "call" or "teardown" and "longrepr" is pytest's own text of a
failure (traceback and captured output), empty for a pass. Collection errors are reported too, so
a test file that no longer imports fails the Rust test instead of silently running nothing.
"""

import json
import os

_PATH = os.environ["PYTEST_OUTCOMES_FILE"]


def _write(record):
    with open(_PATH, "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


def pytest_runtest_logreport(report):
    # Every phase is written: a test passes only when none of its phases failed.
    text = report.longreprtext if report.failed else ""
    for title, content in report.sections if report.failed else ():
        text += f"\n----- {title} -----\n{content}"
    _write(
        {
            "nodeid": report.nodeid,
            "when": report.when,
            "outcome": report.outcome,
            "duration": report.duration,
            "longrepr": text,
        }
    )


def pytest_collectreport(report):
    if report.failed:
        _write(
            {
                "nodeid": report.nodeid,
                "when": "collect",
                "outcome": "failed",
                "duration": 0.0,
                "longrepr": report.longreprtext,
            }
        )
