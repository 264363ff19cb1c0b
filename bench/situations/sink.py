"""What runs inside a situation's window: it shows the window's text and swallows whatever is typed.

Never a shell: keys reach this process only, control keys (ctrl+c, ctrl+z, ctrl+s) are plain input here, and it
ends with its window (end of input) or after an hour at the latest.

    python sink.py [TEXT]
"""

from __future__ import annotations

import os
import signal
import sys
import termios

LIFETIME_S = 3600


def main() -> None:
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):
        signal.signal(sig, signal.SIG_IGN)
    signal.alarm(LIFETIME_S)  # the default action of SIGALRM ends the process
    fd = sys.stdin.fileno()
    try:
        attrs = termios.tcgetattr(fd)
        attrs[0] &= ~termios.IXON  # ctrl+s does not freeze the window
        attrs[3] &= ~(termios.ICANON | termios.ISIG | termios.IEXTEN | termios.ECHO)
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
    except termios.error:
        pass  # not a terminal: nothing to set up
    if len(sys.argv) > 1:
        sys.stdout.write(sys.argv[1].replace("\\n", "\n") + "\n")
        sys.stdout.flush()
    while True:
        try:
            data = os.read(fd, 1024)
        except OSError:
            return
        if not data:
            return
        shown = bytes(b for b in data if 32 <= b < 127 or b == 13)
        sys.stdout.write(shown.decode("ascii").replace("\r", "\n"))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
