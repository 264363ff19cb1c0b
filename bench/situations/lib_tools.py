"""Stuck with a tool: shell, git, apt, docker; failing tests; merge conflicts.

Same course as the programming errors (fail, retry, look it up, back and forth, fix), with the tools' own
habits: a failing test is rerun many times and rarely searched verbatim, a conflict opens VS Code's merge
editor, apt runs under sudo.
"""

from __future__ import annotations

from bench.situations.lib_code import FIX, search
from bench.situations.script import Need, Script, Situation, situation
from bench.situations.titles import chromium, command, firefox, google, konsole, stackoverflow, vscode

TESTS = ("explain_error", "find_fix", "review_file")


def shell_permission_denied() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    s.desk("code", "code", vscode("deploy.sh", "site"))
    s.desk("term", "gnome-terminal", "alice@laptop: ~/site")
    command(s, "./deploy.sh staging", 1)
    start = s.now
    s.wait(5)
    command(s, "bash deploy.sh staging", 4)
    s.wait(6).focus("web")
    search(s, firefox(google("rsync: failed to set times on permission denied (13) deploy script")))
    evidence = s.now
    s.scroll(8).title(firefox("rsync failed to set times: Operation not permitted (1) - Unix & Linux "
                              "Stack Exchange")).scroll(35, 0.4)
    s.focus("code").type(12, cps=2).keys("ctrl+s").focus("term")
    command(s, "bash deploy.sh staging", 15)
    fixed = s.now
    s.wait(6)
    return situation("shell_permission_denied", "shell_error", "a deploy script fails with permission errors "
                     "from rsync", s, [Need(start, evidence, fixed, FIX, "rsync: permission denied (13)")])


def shell_ssh_refused() -> Situation:
    s = Script()
    s.desk("wiki", "chromium", chromium("Lab servers – Team wiki"))
    s.desk("term", "konsole", konsole("~ : zsh"))
    command(s, "ssh pi@192.168.1.40", 3, konsole("~ : zsh"), konsole("~ : ssh"))
    start = s.now
    s.wait(4)
    command(s, "ssh -v pi@192.168.1.40", 4, konsole("~ : zsh"), konsole("~ : ssh"))
    s.scroll(8, 0.5).focus("wiki").scroll(15, 0.3).keys("ctrl+t", then=0.5).title(chromium("New Tab"), then=0.5)
    search(s, chromium(google("ssh: connect to host port 22: Connection refused raspberry pi")))
    evidence = s.now
    s.scroll(8).title(chromium("ssh connection refused on Raspberry Pi - Raspberry Pi Stack Exchange"))
    s.scroll(30, 0.4).focus("term")
    command(s, "ping -c 3 192.168.1.40", 3, konsole("~ : zsh"), konsole("~ : ping"))
    s.focus("wiki").scroll(10, 0.3).focus("term")
    command(s, "ssh pi@192.168.1.41", 25, konsole("~ : zsh"), konsole("pi@lab-pi: ~"))
    fixed = s.now - 23
    return situation("shell_ssh_refused", "shell_error", "ssh to a lab machine is refused; verbose retry, "
                     "the wiki, a search", s,
                     [Need(start, evidence, fixed, FIX, "ssh: connect to host port 22: Connection refused")])


def git_push_rejected() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("acme/site: Company website - GitHub"))
    s.desk("term", "gnome-terminal", "~/site")
    command(s, "git push", 3, "~/site")
    start = s.now
    s.wait(6)
    command(s, "git push origin main", 3, "~/site")
    s.wait(5).focus("web").keys("ctrl+t", then=0.5).title(firefox("New Tab"), then=0.5)
    search(s, firefox(google("git error: failed to push some refs to updates were rejected")))
    evidence = s.now
    s.scroll(8).title(firefox(stackoverflow("Git push error: failed to push some refs to remote", "git")))
    s.scroll(30, 0.4).focus("term")
    command(s, "git pull --rebase", 6, "~/site")
    command(s, "git push", 4, "~/site")
    fixed = s.now
    s.wait(8)
    return situation("git_push_rejected", "git_error", "git push is rejected; retry, search, pull --rebase",
                     s, [Need(start, evidence, fixed, FIX, "error: failed to push some refs")])


def git_detached_head() -> Situation:
    s = Script()
    s.desk("web", "chromium", chromium("New Tab"))
    s.desk("code", "code", vscode("checkout.ts", "shop-frontend"))
    s.desk("term", "alacritty", "~/shop-frontend")
    command(s, "git checkout 4e1d2c7", 1, "~/shop-frontend")
    s.focus("code").type(40, cps=3).keys("ctrl+s").focus("term")
    command(s, "git commit -am 'fix totals'", 1, "~/shop-frontend")
    command(s, "git push", 2, "~/shop-frontend")
    start = s.now
    s.wait(5)
    command(s, "git status", 1, "~/shop-frontend")
    s.wait(5).focus("web")
    search(s, chromium(google("git HEAD detached commit how to get changes back to branch")))
    evidence = s.now
    s.scroll(8).title(chromium(stackoverflow("How do I fix a Git detached head?", "git"))).scroll(35, 0.4)
    s.focus("term")
    command(s, "git switch -c fix-totals", 1, "~/shop-frontend")
    command(s, "git push -u origin fix-totals", 3, "~/shop-frontend")
    fixed = s.now
    s.wait(8)
    return situation("git_detached_head", "git_error", "commits made on a detached HEAD will not push", s,
                     [Need(start, evidence, fixed, FIX, "fatal: You are not currently on a branch")])


def apt_lock() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    s.desk("term", "gnome-terminal", "alice@laptop: ~")
    command(s, "sudo apt install ffmpeg", 3)
    s.type(3, cps=4).keys("Return", then=2.0)
    start = s.now
    s.wait(10)
    command(s, "sudo apt install ffmpeg", 3)
    s.focus("web")
    search(s, firefox(google("E: Could not get lock /var/lib/dpkg/lock-frontend held by process "
                             "unattended-upgr")))
    evidence = s.now
    s.scroll(8).title(firefox("Could not get lock /var/lib/dpkg/lock-frontend - Ask Ubuntu")).scroll(40, 0.4)
    s.focus("term").wait(30)
    command(s, "sudo apt install ffmpeg", 25)
    fixed = s.now
    s.wait(6)
    return situation("apt_lock", "apt_error", "apt cannot get the dpkg lock (an upgrade runs)", s,
                     [Need(start, evidence, fixed, FIX, "E: Could not get lock /var/lib/dpkg/lock-frontend")])


def apt_unable_to_locate() -> Situation:
    s = Script()
    s.desk("web", "chromium", chromium("venv — Creation of virtual environments — Python 3.12 documentation"))
    s.desk("term", "konsole", konsole("~ : bash"))
    s.scroll(15, 0.3).focus("term")
    command(s, "python3.12 -m venv .venv", 2, konsole("~ : bash"), konsole("~ : python3.12"))
    command(s, "sudo apt install python3.12-venv", 4, konsole("~ : bash"), konsole("~ : sudo"))
    start = s.now
    s.wait(5)
    command(s, "sudo apt update", 12, konsole("~ : bash"), konsole("~ : sudo"))
    command(s, "sudo apt install python3.12-venv", 4, konsole("~ : bash"), konsole("~ : sudo"))
    s.focus("web").keys("ctrl+t", then=0.5).title(chromium("New Tab"), then=0.5)
    search(s, chromium(google("E: Unable to locate package python3.12-venv ubuntu 22.04")))
    evidence = s.now
    s.scroll(8).title(chromium("Unable to locate package python3.12-venv - Ask Ubuntu")).scroll(40, 0.4)
    s.focus("term")
    command(s, "sudo add-apt-repository ppa:deadsnakes/ppa", 15, konsole("~ : bash"), konsole("~ : sudo"))
    command(s, "sudo apt install python3.12-venv", 15, konsole("~ : bash"), konsole("~ : sudo"))
    fixed = s.now
    s.wait(6)
    return situation("apt_unable_to_locate", "apt_error", "apt cannot find a package on an older release", s,
                     [Need(start, evidence, fixed, FIX, "E: Unable to locate package python3.12-venv")])


def docker_socket_permission() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("Install Docker Engine on Ubuntu | Docker Docs"))
    s.desk("code", "code", vscode("compose.yaml", "metrics"))
    s.desk("term", "gnome-terminal", "~/metrics")
    command(s, "docker compose up", 2, "~/metrics")
    start = s.now
    s.wait(6)
    command(s, "docker compose up -d", 2, "~/metrics")
    s.focus("web").keys("ctrl+t", then=0.5).title(firefox("New Tab"), then=0.5)
    search(s, firefox(google("permission denied while trying to connect to the Docker daemon socket at "
                             "unix:///var/run/docker.sock")))
    evidence = s.now
    s.scroll(8).title(firefox("Linux post-installation steps for Docker Engine | Docker Docs"))
    s.scroll(35, 0.4).focus("term")
    command(s, "newgrp docker", 1, "~/metrics")
    command(s, "docker compose up -d", 20, "~/metrics")
    fixed = s.now
    s.focus("code").type(20, cps=3)
    return situation("docker_socket_permission", "docker_error", "docker compose is denied the daemon socket",
                     s, [Need(start, evidence, fixed, FIX, "permission denied ... /var/run/docker.sock")])


def docker_port_allocated() -> Situation:
    s = Script()
    s.desk("web", "chromium", chromium("New Tab"))
    s.desk("term", "konsole", konsole("orders : zsh"))
    command(s, "docker run -p 5432:5432 postgres:16", 4, konsole("orders : zsh"), konsole("orders : docker"))
    start = s.now
    s.wait(5)
    command(s, "docker ps", 1, konsole("orders : zsh"), konsole("orders : docker"))
    command(s, "docker run -p 5432:5432 postgres:16", 4, konsole("orders : zsh"), konsole("orders : docker"))
    s.focus("web")
    search(s, chromium(google("docker Bind for 0.0.0.0:5432 failed: port is already allocated")))
    evidence = s.now
    s.scroll(8).title(chromium(stackoverflow("Docker - Bind for 0.0.0.0:5432 failed: port is already "
                                             "allocated", "postgresql"))).scroll(35, 0.4)
    s.focus("term")
    command(s, "sudo systemctl stop postgresql", 3, konsole("orders : zsh"), konsole("orders : sudo"))
    command(s, "docker run -p 5432:5432 postgres:16", 20, konsole("orders : zsh"), konsole("orders : docker"))
    fixed = s.now - 16
    return situation("docker_port_allocated", "docker_error", "a container cannot bind a port a local "
                     "postgres holds", s, [Need(start, evidence, fixed, FIX, "port is already allocated")])


def pytest_assertion() -> Situation:
    s = Script()
    s.desk("term", "gnome-terminal", "~/billing")
    s.desk("test", "code", vscode("test_invoice.py", "billing"))
    s.type(40, cps=3).keys("ctrl+s").focus("term")
    command(s, "pytest tests/test_invoice.py", 5, "~/billing")
    start = s.now
    s.scroll(10, 0.5).focus("test", vscode("invoice.py", "billing")).type(20, cps=2).keys("ctrl+s")
    s.focus("term")
    command(s, "pytest tests/test_invoice.py", 5, "~/billing")
    evidence = s.now
    s.scroll(8, 0.5).focus("test").type(15, cps=2).keys("ctrl+s").focus("term")
    command(s, "pytest tests/test_invoice.py -x -vv", 5, "~/billing")
    s.scroll(8, 0.5).focus("test").type(20, cps=2).keys("ctrl+s").focus("term")
    command(s, "pytest tests/test_invoice.py", 5, "~/billing")
    fixed = s.now
    s.focus("test").type(25, cps=3)
    return situation("pytest_assertion", "failing_tests", "a unit test keeps failing; edit and rerun four times",
                     s, [Need(start, evidence, fixed, TESTS, "test_total fails with an AssertionError")])


def jest_snapshot_ci() -> Situation:
    s = Script()
    s.desk("term", "gnome-terminal", "alice@laptop: ~/web")
    s.desk("code", "code", vscode("Button.tsx", "web"))
    s.desk("ci", "firefox", firefox("Pipeline #4411 · acme / web · GitLab"))
    s.scroll(6).title(firefox("test-unit (#88213) · Jobs · acme / web · GitLab"))
    start = s.now
    s.scroll(20, 0.4).focus("term")
    command(s, "npx jest Button", 8)
    evidence = s.now
    s.scroll(8, 0.5).focus("code").type(15, cps=2).keys("ctrl+s").focus("term")
    command(s, "npx jest Button", 8)
    s.focus("ci").keys("ctrl+t", then=0.5).title(firefox("New Tab"), then=0.5)
    search(s, firefox(google("jest snapshot test fails on CI but passes locally")))
    s.scroll(8).title(firefox(stackoverflow("Jest snapshot tests failing in CI but passing locally",
                                            "reactjs"))).scroll(30, 0.4)
    s.focus("term")
    command(s, "TZ=UTC npx jest Button", 8)
    s.focus("code").type(15, cps=2).keys("ctrl+s").focus("term")
    command(s, "npx jest", 15)
    fixed = s.now
    s.wait(6)
    return situation("jest_snapshot_ci", "failing_tests", "a snapshot test fails on CI; reproduce locally, "
                     "search, pin the time zone", s,
                     [Need(start, evidence, fixed, TESTS, "test-unit job fails on a Button snapshot")])


def cargo_test_float() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    s.desk("term", "konsole", konsole("geo : zsh"))
    s.desk("code", "code", vscode("distance.rs", "geo"))
    s.type(35, cps=3).keys("ctrl+s").focus("term")
    command(s, "cargo test", 15, konsole("geo : zsh"), konsole("geo : cargo"))
    start = s.now
    s.scroll(8, 0.5).focus("code").type(12, cps=2).keys("ctrl+s").focus("term")
    command(s, "cargo test distance", 10, konsole("geo : zsh"), konsole("geo : cargo"))
    s.focus("web")
    search(s, firefox(google("rust assert_eq f64 fails 0.30000000000000004 approx compare")))
    evidence = s.now
    s.scroll(8).title(firefox(stackoverflow("How to compare floating point numbers in Rust tests?",
                                            "rust"))).scroll(30, 0.4)
    s.focus("code").type(15, cps=2).keys("ctrl+s").focus("term")
    command(s, "cargo test", 15, konsole("geo : zsh"), konsole("geo : cargo"))
    fixed = s.now
    s.focus("code").type(15, cps=3)
    return situation("cargo_test_float", "failing_tests", "a float comparison fails in cargo test", s,
                     [Need(start, evidence, fixed, TESTS + ("find_example",), "assert_eq on f64 fails")])


def rebase_conflict_vscode() -> Situation:
    s = Script()
    s.desk("term", "gnome-terminal", "~/shop")
    s.desk("code", "code", vscode("models.py", "shop"))
    s.focus("term")
    command(s, "git rebase main", 3, "~/shop")
    start = s.now
    command(s, "git status", 1, "~/shop")
    s.wait(4).focus("code", vscode("Merging: settings.py", "shop"))
    evidence = s.now
    s.scroll(15, 0.5).type(20, cps=2).focus("term").wait(4).focus("code").scroll(10, 0.4).type(25, cps=2)
    s.keys("ctrl+s").focus("term")
    command(s, "git add settings.py", 1, "~/shop")
    command(s, "git rebase --continue", 3, "~/shop")
    fixed = s.now
    s.focus("code", vscode("settings.py", "shop")).type(20, cps=3)
    return situation("rebase_conflict_vscode", "merge_conflict", "a rebase stops on a conflict in settings.py; "
                     "VS Code's merge editor", s,
                     [Need(start, evidence, fixed, FIX + ("review_file",), "CONFLICT (content) in settings.py")])


def merge_conflict_lockfile() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    s.desk("vim", "xterm", "alice@laptop: ~/web")
    command(s, "git merge feature/login", 3)
    start = s.now
    command(s, "vim package.json", 1)
    s.title("package.json + (~/web) - VIM").scroll(10, 0.5).type(20, cps=2)
    s.keys("Escape", "colon", "w", "q", "Return").title("alice@laptop: ~/web")
    command(s, "git status", 1)
    s.focus("web")
    search(s, firefox(google("resolve package-lock.json merge conflict")))
    evidence = s.now
    s.scroll(8).title(firefox(stackoverflow("How do I resolve a merge conflict in package-lock.json?",
                                            "npm"))).scroll(35, 0.4)
    s.focus("vim")
    command(s, "git checkout --theirs package-lock.json", 1)
    command(s, "npm install", 15)
    command(s, "git commit", 2)
    fixed = s.now
    s.wait(8)
    return situation("merge_conflict_lockfile", "merge_conflict", "a merge conflicts in package.json and the "
                     "lock file; vim, a search", s,
                     [Need(start, evidence, fixed, FIX + ("review_file",), "merge conflict in package-lock.json")])


SITUATIONS = (shell_permission_denied, shell_ssh_refused, git_push_rejected, git_detached_head, apt_lock,
              apt_unable_to_locate, docker_socket_permission, docker_port_allocated, pytest_assertion,
              jest_snapshot_ci, cargo_test_float, rebase_conflict_vscode, merge_conflict_lockfile)
