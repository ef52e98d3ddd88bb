"""`make setup` as a contributor runs it, in this checkout: it writes no tracked file.

Compiled catalogues are build output, not part of the repository.
"""

import os
import subprocess
from pathlib import Path

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
