"""The built wheel runs on its own: installed into a fresh virtualenv, away from the checkout.

Templates, static files, compiled translations, the OpenAPI file and the migrations live at
the repository root or beside the code; this checks that a non-editable install carries every
one of them. pip's cache is used, so only the first run downloads the dependencies.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from markupsafe import escape

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"Listening at: (http://\S+)")
SECRET_KEY = "wheel-test-secret-key-that-is-long-enough-for-anything"

pytestmark = pytest.mark.wheel


def _run(command: list, cwd: Path, env: dict | None = None, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _copy_sources(target: Path) -> None:
    """Copy what a fresh clone would hold (tracked and new, unignored files), nothing built."""
    listing = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO
    )
    for name in filter(None, listing.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A wheel built from the sources, installed with its dependencies into a new venv."""
    work = tmp_path_factory.mktemp("wheel")
    sources, dist, venv = work / "src", work / "dist", work / "venv"
    _copy_sources(sources)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, sources], cwd=work)
    (wheel,) = dist.glob("usht_events-*.whl")
    _run([sys.executable, "-m", "venv", venv], cwd=work)
    # No byte-compiling of every dependency at install: Python compiles what it imports.
    pip_install = ("install", "--quiet", "--no-compile", "--disable-pip-version-check")
    _run([venv / "bin" / "python", "-m", "pip", *pip_install, wheel], cwd=work)
    hidden = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "FLASK_APP", "BASE_URL"}
    env = {key: value for key, value in os.environ.items() if key not in hidden}
    env |= {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": f"sqlite:///{work / 'installed.sqlite'}",
        "SECRET_KEY": SECRET_KEY,
    }
    home = work / "home"
    home.mkdir()
    return {"bin": venv / "bin", "env": env, "cwd": home}


@pytest.fixture(scope="module")
def served(installed) -> str:
    """`flask db upgrade`, `seed-demo`, then gunicorn serving the installed package."""
    bin_, env, cwd = installed["bin"], installed["env"], installed["cwd"]
    _run([bin_ / "flask", "--app", "usht_events", "db", "upgrade"], cwd=cwd, env=env)
    _run([bin_ / "flask", "--app", "usht_events", "seed-demo"], cwd=cwd, env=env)
    log_path = cwd / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                *(bin_ / "gunicorn", "--workers", "1", "--bind", "127.0.0.1:0"),
                *("--no-control-socket", "usht_events:create_app()"),
            ],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        yield _wait_for_url(server, log_path)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait_for_url(server: subprocess.Popen, log_path: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log = log_path.read_text(errors="replace")
        assert server.poll() is None, f"gunicorn exited:\n{log}"
        if match := LISTENING.search(log):
            url = match.group(1)
            try:
                if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                    return url
            except requests.RequestException:
                pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer:\n{log_path.read_text(errors='replace')}")


def test_the_installed_package_is_the_one_that_runs(installed):
    where = _run(
        [installed["bin"] / "python", "-c", "import usht_events; print(usht_events.__file__)"],
        cwd=installed["cwd"],
        env=installed["env"],
    )
    assert Path(where.strip()).is_relative_to(installed["bin"].parent)


def test_installed_wheel_serves_calendar_event_page_spec_and_static_files(served):
    calendar = requests.get(f"{served}/", timeout=30)
    assert calendar.status_code == 200
    assert "Kurs og arrangementer" in calendar.text
    events = requests.get(f"{served}/api/v1/events", timeout=30).json()["events"]
    assert events, "seed-demo published no upcoming event"
    event = requests.get(f"{served}/events/{events[0]['id']}", timeout=30)
    assert event.status_code == 200
    assert str(escape(events[0]["title"])) in event.text
    spec = requests.get(f"{served}/api/v1/openapi.json", timeout=30)
    assert spec.status_code == 200
    assert spec.json()["openapi"].startswith("3.")
    stylesheet = requests.get(f"{served}/static/css/app.css", timeout=30)
    assert stylesheet.status_code == 200
    assert stylesheet.headers["Content-Type"].startswith("text/css")


def test_installed_wheel_speaks_english(served):
    page = requests.get(f"{served}/?lang=en", timeout=30)
    assert page.status_code == 200
    assert "Courses and events" in page.text
    assert "Kurs og arrangementer" not in page.text
