"""The judge's line to the student's kernel: frames over a unix socket (``channel.py`` listens, the kernel's
``kernel_side`` connects).  A frame is its length in 8 bytes, then its bytes (a message ``wire.pack`` wrote).
Neither end trusts the other's lengths beyond ``LONGEST``."""

from __future__ import annotations

import socket

LONGEST = 1 << 31  # bytes in one frame: a larger one is refused (a kernel that claims more is lost)
HEADER = 8


class Line:
    """One connection; ``send`` a frame, ``receive`` one (blocking), or ``take`` one if it has fully arrived."""

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

    def send(self, data: bytes) -> None:
        header = len(data).to_bytes(HEADER, "big")
        if len(data) < 1 << 16:  # most messages: one write, one wake-up of the other end
            self.sock.sendall(header + data)
        else:  # a data set's worth: not copied once more to put the length in front
            self.sock.sendall(header)
            self.sock.sendall(data)

    def receive(self) -> bytes:
        """The next frame (blocking); ``ConnectionError`` once the other end has gone."""
        while True:
            frame = self._frame()
            if frame is not None:
                return frame
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                self.closed = True
                raise ConnectionError("the line was closed")
            self.buffer += chunk

    def take(self, read: bool = True) -> bytes | None:
        """A frame that has fully arrived, reading what is there without waiting (with ``read``: the caller knows that
        something is there); ``None`` if there is none yet (or the line was closed: ``closed``)."""
        while True:
            frame = self._frame()
            if frame is not None:
                return frame
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

    def _frame(self) -> bytes | None:
        if len(self.buffer) < HEADER:
            return None
        size = int.from_bytes(self.buffer[:HEADER], "big")
        if size > LONGEST:
            raise ValueError(f"a frame of {size} bytes")
        if len(self.buffer) < HEADER + size:
            return None
        with memoryview(self.buffer) as view:
            frame = bytes(view[HEADER : HEADER + size])  # one copy
        del self.buffer[: HEADER + size]
        return frame

    def close(self) -> None:
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass
