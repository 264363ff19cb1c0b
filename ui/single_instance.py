"""The running app's end of the single-instance socket (QLocalServer on a 0600 Unix socket in the data dir).

A second launch (assistant/app/instance.py) writes `show`; the server emits `show_requested`, answers with our
pid and the dashboard comes forward.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from assistant.app.instance import SHOW, socket_path
from assistant.core import paths


class InstanceServer(QObject):
    show_requested = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        path = socket_path()
        paths.ensure_private_dir(path.parent)
        QLocalServer.removeServer(str(path))  # a stale file from a crash (the run lock says we are the only one)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.listening = self.server.listen(str(path))
        if self.listening:
            os.chmod(path, 0o600)
        self.path = path
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(conn.deleteLater)

    def _read(self, conn: QLocalSocket) -> None:
        request = bytes(conn.readAll().data())
        if request.startswith(SHOW.strip()):
            self.show_requested.emit()
            conn.write(f"shown pid {os.getpid()}\n".encode())
            conn.flush()
        conn.disconnectFromServer()

    def close(self) -> None:
        self.server.close()
        try:
            self.path.unlink()
        except OSError:
            pass
