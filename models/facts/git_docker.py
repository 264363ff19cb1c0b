"""Git and Docker errors: the tool's own advice for its well-known messages, with the facts of this machine.

The fixes are the ones git and Docker print themselves next to these messages (git's hints, Docker's
post-install documentation); each command's flags are checked against `git <sub> -h` / `docker <sub> --help`
by models.facts.commands before it is shown.
"""

from __future__ import annotations

import grp
import os
import platform
import re
from collections.abc import Callable

from models.facts.evidence import Evidence
from models.facts.sheet import FactSheet
from models.facts.tools import Tools

Rule = tuple[re.Pattern[str], Callable[[FactSheet, re.Match[str], Evidence, Tools], None]]


def _steps(*steps: tuple[str, str]) -> Callable[[FactSheet, re.Match[str], Evidence, Tools], None]:
    def build(sheet: FactSheet, m: re.Match[str], ev: Evidence, tools: Tools) -> None:
        groups = {k: v for k, v in m.groupdict().items() if v}
        for text, command in steps:
            try:
                sheet.step(text.format(**groups), command.format(**groups), "git's own advice for this message.")
            except KeyError:
                continue
    return build


def _not_a_repo(sheet: FactSheet, m: re.Match[str], ev: Evidence, tools: Tools) -> None:
    sheet.add("git looked for a .git folder here and in every parent folder and found none.", "the error text")
    sheet.step("Run git inside the repository's folder (cd there first), or start a repository here:", "git init",
               "no folder above the current one is a git repository.")


def _behind(sheet: FactSheet, m: re.Match[str], ev: Evidence, tools: Tools) -> None:
    sheet.add("The remote branch has commits that your local branch does not have.", "the error text")
    sheet.step("Bring in the remote commits first:", "git pull --rebase", "git rejects a push that would drop "
               "the remote's commits.")
    sheet.step("Then push again:", "git push", "")


GIT_RULES: list[Rule] = [
    (re.compile(r"(?i)not a git repository"), _not_a_repo),
    (re.compile(r"(?i)please tell me who you are|unable to auto-detect email address|empty ident name"),
     _steps(("Tell git your e-mail address:", 'git config --global user.email "you@example.com"'),
            ("and your name:", 'git config --global user.name "Your Name"'))),
    (re.compile(r"(?i)(?:current branch|branch) ['\"]?(?P<branch>[\w./-]+)['\"]? has no upstream branch"),
     _steps(("Push and set the upstream branch:", "git push --set-upstream origin {branch}"))),
    (re.compile(r"(?i)updates were rejected|non-fast-forward|failed to push some refs|\(fetch first\)"), _behind),
    (re.compile(r"(?i)refusing to merge unrelated histories"),
     _steps(("If the two histories really belong together, merge them explicitly:",
             "git pull --allow-unrelated-histories"))),
    (re.compile(r"(?i)local changes to the following files would be overwritten|please commit your changes or "
                r"stash them"),
     _steps(("Put your changes aside:", "git stash"), ("bring in the other changes:", "git pull"),
            ("and take your changes back:", "git stash pop"))),
    (re.compile(r"(?i)(?:CONFLICT \([^)]*\):\s*)?merge conflict in (?P<file>\S+)|fix conflicts and then commit|"
                r"CONFLICT \("),
     _steps(("See which files conflict:", "git status"),
            (("Edit {file} to keep the right lines (remove the <<<<<<< ======= >>>>>>> markers), then mark it "
             "resolved:"), "git add {file}"),
            ("Finish the merge:", "git commit"), ("Or give up this merge:", "git merge --abort"))),
    (re.compile(r"(?i)remote (?P<remote>[\w-]+) already exists"),
     _steps(("Point the existing remote at the new address:", "git remote set-url {remote} <url>"))),
    (re.compile(r"(?i)dubious ownership in repository at ['\"]?(?P<path>[^'\"\s]+)"),
     _steps(("If you trust that folder, mark it safe:", "git config --global --add safe.directory {path}"))),
    (re.compile(r"(?i)permission denied \(publickey\)"),
     _steps(("Check which key the server accepts:", "ssh -T git@github.com"),
            ("If you have no key yet, make one and add its .pub file to your account:",
             'ssh-keygen -t ed25519 -C "you@example.com"'))),
    (re.compile(r"(?i)pathspec ['\"](?P<name>[^'\"]+)['\"] did not match any file"),
     _steps(("Fetch the remote branches, then list them:", "git fetch --all"), ("", "git branch -a"))),
    (re.compile(r"(?i)src refspec (?P<branch>[\w./-]+) does not match any"),
     _steps(("See the name of your branch (there is no commit on '{branch}' yet):", "git branch --show-current"),
            ("Commit something first if the repository is empty:", "git commit"))),
    (re.compile(r"(?i)you are in ['\"]detached HEAD['\"] state|HEAD detached"),
     _steps(("Keep your work on a new branch:", "git switch -c <new-branch>"))),
]


def _docker_socket(sheet: FactSheet, m: re.Match[str], ev: Evidence, tools: Tools) -> None:
    sock = "/var/run/docker.sock"
    try:
        st = os.stat(sock)
        group = grp.getgrgid(st.st_gid).gr_name
        sheet.add(f"{sock} belongs to group `{group}`.", "the file system")
        mine = {grp.getgrgid(g).gr_name for g in os.getgroups()}
        in_group = group in mine
        sheet.add(f"Your session is {'in' if in_group else 'not in'} group `{group}`.", "id -nG")
        if in_group:
            sheet.step("Log out and back in (or run `newgrp docker`) so the group takes effect.", "", "")
            return
    except (OSError, KeyError):
        sheet.add(f"There is no {sock} on this computer.", "the file system")
        group = "docker"
    sheet.step(f"Add yourself to group {group} (Docker's post-install step), then log out and back in:",
               f"sudo usermod -aG {group} $USER", "only root and that group may use the socket.")


def _docker_daemon(sheet: FactSheet, m: re.Match[str], ev: Evidence, tools: Tools) -> None:
    exists = os.path.exists("/var/run/docker.sock")
    sheet.add(f"/var/run/docker.sock {'exists' if exists else 'does not exist'}: the Docker daemon is "
              f"{'not answering' if exists else 'not running'}.", "the file system")
    if tools.which("systemctl"):
        sheet.step("Start the Docker daemon:", "sudo systemctl start docker", "the client cannot reach it.")
    else:
        sheet.cannot_verify("How the Docker daemon is started here (no systemctl).")


def _docker_port(sheet: FactSheet, m: re.Match[str], ev: Evidence, tools: Tools) -> None:
    port = m.group("port") or m.group("port2")
    sheet.add(f"Port {port} on this computer is already taken by another container or program.", "the error text")
    sheet.step("Find the container that publishes it:", f"docker ps --filter publish={port}", "")
    sheet.step("Stop that container, or publish yours on another port, e.g.:", f"docker run -p 8081:{port} <image>",
               "")


def _docker_arch(sheet: FactSheet, m: re.Match[str], ev: Evidence, tools: Tools) -> None:
    sheet.add(f"This computer is {platform.machine()}; the image was built for another architecture.",
              "platform.machine()")
    sheet.step("Use an image built for this architecture, or ask for one explicitly:",
               f"docker run --platform linux/{'arm64' if platform.machine() in ('aarch64', 'arm64') else 'amd64'} "
               "<image>", "")


DOCKER_RULES: list[Rule] = [
    (re.compile(r"(?i)permission denied while trying to connect to the docker (?:daemon|API)"), _docker_socket),
    (re.compile(r"(?i)cannot connect to the docker daemon|is the docker daemon running"), _docker_daemon),
    (re.compile(r"(?i)(?:port is already allocated|address already in use).*?:(?P<port>\d{2,5})|"
                r":(?P<port2>\d{2,5}).*?(?:port is already allocated|address already in use)"),
     _docker_port),
    (re.compile(r"(?i)exec format error|platform \([\w/]+\) does not match"), _docker_arch),
    (re.compile(r"(?i)pull access denied for (?P<image>[\w./:-]+)|repository does not exist"),
     _steps(("Check the image name (and tag) on its registry; for a private image, log in first:", "docker login"))),
    (re.compile(r"(?i)container name \"?/?(?P<name>[\w.-]+)\"? is already in use"),
     _steps(("Remove the old container with that name (or pick another --name):", "docker rm {name}"))),
    (re.compile(r"(?i)no space left on device"),
     _steps(("See what Docker uses:", "docker system df"),
            ("Remove stopped containers, unused networks and dangling images:", "docker system prune"))),
    (re.compile(r"(?i)['\"]compose['\"] is not a docker command|unknown command:? ['\"]?compose"),
     lambda s, m, e, t: _compose(s, t)),
]


def _compose(sheet: FactSheet, tools: Tools) -> None:
    if tools.which("docker-compose"):
        sheet.add(f"The older `docker-compose` is installed ({tools.which('docker-compose')}).", "PATH")
        sheet.step("Use it instead:", "docker-compose up", "")
        return
    from models.facts.system import _apt_candidate

    if _apt_candidate("docker-compose-plugin", tools):
        sheet.step("Install the Compose plugin:", "sudo apt install docker-compose-plugin",
                   "apt has docker-compose-plugin.")
    elif _apt_candidate("docker-compose", tools):
        sheet.step("Install Compose:", "sudo apt install docker-compose", "apt has docker-compose.")
    else:
        sheet.cannot_verify("Which package brings Docker Compose here (apt knows none).")


def apply_rules(rules: list[Rule], sheet: FactSheet, error: str, ev: Evidence, tools: Tools) -> bool:
    for rx, build in rules:
        m = rx.search(error)
        if m:
            build(sheet, m, ev, tools)
            return True
    return False
