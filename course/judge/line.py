"""The judge's line to the student's kernel: framed text over a unix socket (``channel.py`` listens, the kernel's
``kernel_side`` connects).  A frame is the text's length in 8 bytes, then the text in UTF-8.  Neither end trusts
the other's lengths beyond ``LONGEST``."""

from __future__ import annotations

import socket

LONGEST = 1 << 31  # bytes in one frame: a larger one is refused (a kernel that claims more is lost)
HEADER = 8


class Line:
    """One connection; ``send`` a text, ``receive`` one (blocking), or ``take`` one if it has fully arrived."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.fd = sock.fileno()
        self.buffer = bytearray()
        self.closed = False

    @classmethod
    def connect(cls, path: str) -> Line:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
        return cls(sock)

    def send(self, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        self.sock.sendall(len(data).to_bytes(HEADER, "big") + data)

    def receive(self) -> str:
        """The next text (blocking); ``ConnectionError`` once the other end has gone."""
        while True:
            text = self._frame()
            if text is not None:
                return text
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                self.closed = True
                raise ConnectionError("the line was closed")
            self.buffer += chunk

    def take(self, read: bool = True) -> str | None:
        """A text that has fully arrived, reading what is there without waiting (with ``read``: the caller knows that
        something is there); ``None`` if there is none yet (or the line was closed: ``closed``)."""
        while True:
            text = self._frame()
            if text is not None:
                return text
            if not read:
                return None
            try:
                chunk = self.sock.recv(1 << 20, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return None
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                return None
            self.buffer += chunk

    def _frame(self) -> str | None:
        if len(self.buffer) < HEADER:
            return None
        size = int.from_bytes(self.buffer[:HEADER], "big")
        if size > LONGEST:
            raise ValueError(f"a frame of {size} bytes")
        if len(self.buffer) < HEADER + size:
            return None
        text = bytes(self.buffer[HEADER : HEADER + size]).decode("utf-8", "surrogatepass")
        del self.buffer[: HEADER + size]
        return text

    def close(self) -> None:
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass
