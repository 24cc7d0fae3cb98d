"""scripts/system-packages: what make setup and CI run before the tests (Chromium, CJK fonts,
gettext). Quick and silent when everything is there; without root it never installs, it stops
with the one command to run."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system-packages"


def run(**env):
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / SCRIPT.name
        shutil.copy(SCRIPT, script)
        command = ["bash", str(script)]
        if os.geteuid() == 0:
            # As an ordinary user, who cannot install: the script must say what to run instead.
            # (A copy in a folder that user can read: the checkout may be under /root.)
            Path(folder).chmod(0o755)
            script.chmod(0o755)
            command = ["runuser", "-u", "nobody", "--", *command]
        return subprocess.run(
            command,
            cwd="/",
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )


def test_with_everything_present_it_does_nothing_quickly():
    started = time.monotonic()
    result = run()
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert time.monotonic() - started < 5


def test_without_root_a_missing_browser_stops_with_the_command_to_run():
    result = run(SERVTRADE_CHROMIUM="/nonexistent/chromium")
    assert result.returncode == 1
    assert "need these system packages: chromium" in result.stderr
    assert "sudo sh -c 'apt-get update && apt-get install -y chromium'" in result.stderr
