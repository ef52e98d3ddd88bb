"""`make setup`, `make run` and `make outbox` as a contributor runs them, in this checkout.

`make run` serves on HOST:PORT and every link it hands out (pages, calendar files, the
mails `make outbox` writes) must point there; none of them may write a tracked file
(compiled catalogues are build output, not part of the repository).
"""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.servers import SignUpClient

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = "usht_events/translations/en/LC_MESSAGES/messages.mo"


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


def _tracked_files_state() -> dict:
    """Each tracked file's modification time, and what `git status` says of the checkout."""
    names = filter(None, _git("ls-files", "-z").split("\0"))
    times = {name: (REPO / name).stat().st_mtime_ns for name in names if (REPO / name).exists()}
    return {"mtimes": times, "status": _git("status", "--porcelain")}


def _make_env(**extra: str) -> dict:
    # Whatever the outer shell (or an outer `make test`) set must not decide the result.
    hidden = {"BASE_URL", "HOST", "PORT", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "FLASK_APP"}
    return {k: v for k, v in os.environ.items() if k not in hidden} | extra


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dry_run_line(target: str, command: str, *args: str, env: dict) -> str:
    result = subprocess.run(
        ["make", "-n", target, *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if command in line]
    return line


def test_compiled_catalogues_are_ignored_not_tracked():
    assert _git("ls-files", "*.mo") == ""
    assert _git("check-ignore", CATALOGUE).strip() == CATALOGUE


def test_make_setup_writes_no_tracked_file():
    before = _tracked_files_state()
    result = subprocess.run(
        ["make", "setup"], cwd=REPO, env=_make_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (REPO / CATALOGUE).stat().st_size > 0, "make setup compiled no catalogue"
    after = _tracked_files_state()
    rewritten = [name for name, mtime in after["mtimes"].items() if before["mtimes"][name] != mtime]
    assert rewritten == []
    assert after["status"] == before["status"]


@pytest.mark.parametrize(
    ("args", "environment", "expected"),
    [
        (("PORT=5101",), {}, "http://127.0.0.1:5101"),
        ((), {"PORT": "5102", "HOST": "localhost"}, "http://localhost:5102"),
        (("PORT=5101", "BASE_URL=https://kurs.example.no"), {}, "https://kurs.example.no"),
        (("PORT=5101",), {"BASE_URL": "https://kurs.example.no"}, "https://kurs.example.no"),
    ],
)
@pytest.mark.parametrize(
    ("target", "command"), [("run", " run --host "), ("outbox", " outbox send ")]
)
def test_make_run_and_its_worker_get_a_base_url_from_host_and_port(
    target, command, args, environment, expected
):
    line = _dry_run_line(target, command, *args, env=_make_env(**environment))
    assert f"BASE_URL='{expected}' " in line


def test_make_run_on_another_port_links_to_that_port(tmp_path, smtp_sink):
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _make_env(
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite'}",
        MAIL_SERVER=smtp_sink.host,
        MAIL_PORT=str(smtp_sink.port),
    )
    before = _tracked_files_state()
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            ["make", "run"],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        _wait_until_serving(server, base_url, log_path)
        events = requests.get(f"{base_url}/api/v1/events", timeout=30).json()["events"]
        assert events, "seed-demo published no upcoming event"
        assert events[0]["url"] == f"{base_url}/events/{events[0]['id']}"
        calendar = requests.get(f"{base_url}/events/{events[0]['id']}.ics", timeout=30).text
        links = re.findall(r"https?://[^\s/]+", calendar.replace("\r\n ", ""))
        assert links and set(links) == {base_url}
        mail = _sign_up_and_run_the_worker(base_url, events, env, smtp_sink)
        assert f"{base_url}/r/" in mail
        assert f"{base_url}/t/" in mail
        assert ":5000" not in mail
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)
    after = _tracked_files_state()
    assert [n for n, t in after["mtimes"].items() if before["mtimes"][n] != t] == []
    assert after["status"] == before["status"]


def _sign_up_and_run_the_worker(base_url: str, events: list, env: dict, smtp_sink) -> str:
    """Take a free seat on an event open to Fredrikstad; `make outbox` writes and sends the
    confirmation; return its text."""
    event = next(
        e
        for e in events
        if e["registration_state"] == "open"
        and e["eligible_municipalities"] in ([], ["3107"])
        and e["seats_per_municipality"] is None
        and (e["seats_left"] is None or e["seats_left"] > 0)
    )
    client = SignUpClient(base_url, event["id"])
    try:
        assert client.load_form() == 200
        assert client.submit("kari.nordmann@example.no", "3107").status_code == 303
    finally:
        client.close()
    worker = subprocess.run(
        ["make", "outbox", "OUTBOX_ARGS="], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    (message,) = smtp_sink.wait_for(1)
    return message.get_body(preferencelist=("plain",)).get_content()


def _wait_until_serving(server: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.poll() is None, f"make run exited:\n{log_path.read_text(errors='replace')}"
        try:
            if requests.get(f"{base_url}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError(f"make run did not serve:\n{log_path.read_text(errors='replace')}")
