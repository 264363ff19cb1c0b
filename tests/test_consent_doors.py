"""Consent covers every door: each listener and recorder beyond the defaults is an opt-in (consent screen,
terminal prompt, the study's privacy record), `--accept-defaults` opens no listening socket even when the config
turns the endpoints on, and an opt-in switched on in the config after consent stays off until agreed to."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

from assistant.core.config import default_config
from assistant.core.consent import LISTENERS, OPT_INS, Consent, privacy_record
from tests.conftest import REPO, run_cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_ports(pid: int) -> set[int]:
    """TCP ports process `pid` listens on (its socket inodes in /proc/net/tcp{,6}, state LISTEN)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _config_with_endpoints(home: Path) -> int:
    port = _free_port()
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.yaml").write_text(yaml.safe_dump({"collectors": {
        "browser_endpoint": {"enabled": True}, "activitywatch_api": {"enabled": True, "port": port}}}))
    return port


def _ports_while_running(home: Path, *args: str, seconds: float = 25) -> tuple[set[int], str]:
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--headless", "--no-model", "--for",
                             f"{seconds:g}s", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "PROACTIVE_HOME": str(home), "DISPLAY": ""})
    lines = []
    try:
        for line in proc.stdout:  # the parts are listed once everything has started
            lines.append(line)
            if line.strip().startswith("data:"):
                break
        time.sleep(1.0)
        ports = listening_ports(proc.pid)
    finally:
        proc.terminate()
        rest, _ = proc.communicate(timeout=30)
    return ports, "".join(lines) + (rest or "")


def test_every_listener_and_recorder_is_an_opt_in() -> None:
    for key in ("collectors.activitywatch_api.enabled", "collectors.browser_endpoint.enabled",
                "collectors.clipboard.enabled", "collectors.clipboard.record_text", "collectors.input.record_text",
                "collectors.input.evdev", "assist.read_files", "assist.use_clipboard"):
        assert key in OPT_INS
    assert set(LISTENERS) <= set(OPT_INS)


def test_accept_defaults_opens_no_socket_even_with_the_endpoints_on_in_the_config(home: Path) -> None:
    _config_with_endpoints(home)
    ports, out = _ports_while_running(home, "--accept-defaults")
    assert ports == set(), out
    assert "Consent recorded (--accept-defaults: the defaults, no opt-ins)" in out


def test_an_opt_in_switched_on_after_consent_stays_off_until_agreed(home: Path) -> None:
    assert run_cli("consent", "--accept-defaults", home=home).returncode == 0
    port = _config_with_endpoints(home)
    ports, out = _ports_while_running(home)
    assert ports == set(), out
    assert "opt-ins: off (on in the config but not agreed to" in out
    assert "`proactive consent --opt-in" in out and "--opt-in collectors.activitywatch_api.enabled" in out
    agreed = run_cli("consent", "--opt-in", "collectors.activitywatch_api.enabled", home=home)
    assert agreed.returncode == 0, agreed.stderr
    ports, out = _ports_while_running(home)
    assert ports == {port}, out  # the ActivityWatch endpoint, and still not the browser endpoint


def test_the_privacy_record_says_what_is_in_force() -> None:
    cfg = default_config().with_overrides({"collectors.activitywatch_api.enabled": True,
                                           "collectors.browser_endpoint.enabled": True})
    agreed = Consent(time=0.0, text_version="2", via="flag",
                     opt_ins={"collectors.activitywatch_api.enabled": True})
    record = privacy_record(cfg, agreed)
    assert record["collectors.activitywatch_api.enabled"] is True
    assert record["collectors.browser_endpoint.enabled"] is False  # on in the config, never agreed to
    assert record["listeners"] == ["activitywatch_api"] and set(OPT_INS) <= set(record)
    out = run_cli("consent", "--show", "--json", home=Path(os.environ["PROACTIVE_HOME"]))
    assert set(OPT_INS) <= set(json.loads(out.stdout)["in_force"])
