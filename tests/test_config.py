"""Config: commented defaults on first run, every problem named with file, line, key and expectation."""

from __future__ import annotations

import yaml

from assistant.core import config, paths
from tests.conftest import run_cli


def test_first_run_writes_commented_defaults(home):
    cfg = config.load()
    text = paths.config_path().read_text()
    assert "# At most this many suggestions are shown per hour." in text
    assert yaml.safe_load(text)["policy"]["max_proposals_per_hour"] == 4
    assert cfg["collectors.afk.timeout_seconds"] == 180.0
    assert oct(paths.config_path().stat().st_mode & 0o777) == "0o600"


def write(home, text: str):
    path = paths.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_each_problem_is_named_precisely(home):
    path = write(home, "policy:\n  max_per_hour: 3\n  stall_seconds: lots\nprivacy:\n"
                       "  exclude_apps: ['(unclosed']\nmodel:\n  backend: gpt\ncolectors: {}\n")
    _, problems = config.check_file(path)
    messages = [str(p) for p in problems]
    assert messages[0] == (f"{path}:2: policy.max_per_hour: unknown key (expected one of: "
                           "cooldown_after_ignore_minutes, cooldown_after_reject_minutes, max_proposals_per_hour, "
                           "min_gap_seconds, stall_seconds, switch_repeat); did you mean "
                           "'policy.max_proposals_per_hour'?")
    assert messages[1] == f"{path}:3: policy.stall_seconds: expected a number >= 1, got 'lots'"
    assert messages[2].startswith(f"{path}:5: privacy.exclude_apps: expected a valid regular expression, "
                                  "got '(unclosed'")
    assert messages[3] == f"{path}:7: model.backend: expected one of 'llama', 'openai', got 'gpt'"
    assert messages[4].startswith(f"{path}:8: colectors: unknown key") and "did you mean 'collectors'" in messages[4]
    assert len(problems) == 5


def test_wrong_types_and_bounds(home):
    path = write(home, "collectors:\n  window:\n    enabled: 'yes'\n  afk:\n    timeout_seconds: 0\n"
                       "judge:\n  threshold: 1.5\n")
    _, problems = config.check_file(path)
    assert [str(p) for p in problems] == [
        f"{path}:3: collectors.window.enabled: expected true or false, got 'yes'",
        f"{path}:5: collectors.afk.timeout_seconds: expected a number >= 1, got 0",
        f"{path}:7: judge.threshold: expected a number between 0 and 1, got 1.5",
    ]


def test_yaml_syntax_error_names_the_line(home):
    path = write(home, "policy:\n  max_proposals_per_hour: [1, 2\n")
    _, problems = config.check_file(path)
    assert len(problems) == 1 and str(problems[0]).startswith(f"{path}:")
    assert "invalid YAML" in str(problems[0])


def test_partial_file_keeps_other_defaults(home):
    write(home, "policy:\n  max_proposals_per_hour: 2\n")
    cfg = config.load()
    assert cfg["policy.max_proposals_per_hour"] == 2
    assert cfg["policy.min_gap_seconds"] == 60.0


def test_config_check_reports_all_problems_and_run_refuses(home):
    write(home, "policy:\n  max_per_hour: 3\nmodel:\n  backend: gpt\n")
    result = run_cli("config", "check", home=home)
    assert result.returncode == 2
    assert "2 problem(s)" in result.stderr
    assert "policy.max_per_hour: unknown key" in result.stderr and "model.backend" in result.stderr
    result = run_cli("run", "--accept-defaults", "--headless", "--for", "1s", home=home)
    assert result.returncode == 2
    assert "is invalid" in result.stderr and "model.backend: expected one of" in result.stderr


def test_config_check_ok_and_path(home):
    result = run_cli("config", "check", home=home)
    assert result.returncode == 0 and "OK" in result.stdout
    assert run_cli("config", "path", home=home).stdout.strip() == str(home / "config" / "config.yaml")
