"""A plain Qt window with a given title, as a Wayland client for compositors where foot cannot run
(foot 1.13 divides by the zero physical size of kwin_wayland's virtual output).

    python -m tests.wayland_window TITLE
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel

if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    label = QLabel(sys.argv[1])
    label.setWindowTitle(sys.argv[1])
    label.resize(320, 120)
    label.show()
    sys.exit(app.exec())
