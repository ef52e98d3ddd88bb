"""The benchmark scripts still run end to end, on a small scale.

They print figures rather than assert speeds (those are read by people, see bench/README.md);
this only checks that each script works and that its correctness lines say what they must.
"""

import re
import subprocess
import sys

from tests.servers import PROJECT_ROOT


def _run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def _figures(output: str) -> dict[str, str]:
    """'confirmed         15 (API 15, capacity 15)' -> {'confirmed': '15 (API 15, ...)'}."""
    return dict(line.split(None, 1) for line in output.splitlines() if " " in line.strip())


def test_signup_benchmark_fills_the_event_exactly_on_postgres():
    output = _run(
        "signup_benchmark.py", "--sign-ups", "40", "--threads", "8", "--workers", "2",
        "--capacity", "15",
    )  # fmt: skip
    figures = _figures(output)
    assert figures["statuses"] == "[303]"
    assert figures["5xx"] == "0"
    assert figures["confirmed"] == "15 (API 15, capacity 15)"
    assert figures["waitlisted"] == "25"
    assert figures["overbooked"] == "no"
    assert "sign-ups/s" in figures["throughput"]


def test_report_benchmark_runs_on_a_small_year():
    output = _run(
        "report_benchmark.py", "--events", "20", "--registrations", "500", "--people", "200",
        "--runs", "1",
    )  # fmt: skip
    all_centres = next(line for line in output.splitlines() if line.startswith("report, all"))
    registrations = int(re.search(r"; (\d+) registrations", all_centres).group(1))
    assert registrations > 0, output
    assert "xlsx" in all_centres


def test_checkin_benchmark_checks_each_ticket_in_once_on_postgres():
    output = _run(
        "checkin_benchmark.py", "--sequential", "20", "--scanners", "4", "--per-scanner", "5",
        "--double", "8", "--warm-up", "4", "--workers", "2", "--pace", "0",
    )  # fmt: skip
    figures = _figures(output)
    assert figures["statuses"] == "[200]"
    assert figures["5xx"] == "0"
    assert figures["results"] == "{'checked_in': 44}"
    assert figures["double-scans"] == "{'already_checked_in': 8, 'checked_in': 8} for 8 tickets"
    assert figures["attendances"] == "52 (expected 52)"
    assert "p99" in figures["sequential"]
    assert "p99" in figures["concurrent"]


def test_roster_benchmark_runs_on_a_small_country():
    output = _run(
        "roster_benchmark.py", "--certifications", "2000", "--requests", "2", "--xlsx-runs", "1"
    )
    largest = int(re.search(r"the largest municipality \(0301\) has (\d+)", output).group(1))
    assert 150 < largest < 600, output  # Zipf: about 15 % of 2000
    for label in ("roster page:", "roster page, expiring, by expiry:", "roster xlsx:"):
        assert label in output and "CPU median" in output
