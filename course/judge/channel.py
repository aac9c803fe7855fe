"""The judge's line to the student's kernel: a request cell over the kernel's shell, then frames over a unix socket
of the judge's (``line.py``).

A request starts as a cell of its own (``REQUEST``): it names the socket the judge listens on, and the kernel's half
(``kernel_side.serve``) connects to it (once per kernel) and answers there, never as output, so nothing the student's
code prints reaches the judge or the notebook.  While the kernel waits for the judge's next word it can be asked
more: that is how a function of the judge's runs inside the student's code (a callback, ``Kernel.answer``), and how
the callback in turn reaches the student's objects -- requests nest on the same line:

    judge                                  kernel
    execute REQUEST(call train_svm)  --->  train_svm(...) calls hinge_loss, a callback
                                     <---  {"callback": 3, "arguments": ...}
    runs the reference hinge loss    --->  {"value": ...}
                                     <---  {"reply": {"value": w}}        train_svm returned
    {"done": true}                   --->  the request cell ends

The whole request, callbacks included, has the cell time limit; a kernel that dies or outlives it is lost.

A test cell makes many requests (one per call, attribute or operator of the student's objects): the request cell
stays open between them.  The judge does not acknowledge a reply with ``done`` at once; the test's next request is
the answer to it (``{"serve": ...}``), so a request costs one frame each way, not a cell of its own.  ``finish()``
acknowledges the last reply when the test cell is over, before the notebook's next cell runs.

The socket lives in a folder of the judge's inside the kernel's runtime folder (the sandbox's only way out besides
the kernel's own sockets), or in the temporary folder when the kernel is not sandboxed.  Whatever connects to it
speaks for the kernel, and is trusted no further: what it says is read as data (``wire``), and only ever decides
this student's grade.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable
from typing import Any

from . import wire
from .line import Line
from .remote import KernelError

DIED = "the kernel died (os._exit, a crash or the memory limit)"

REQUEST = '__import__("course.judge.kernel_side").judge.kernel_side.serve({message!r}, {line!r})'


class Channel:
    """Requests to one kernel (``connection``: its connection info); ``answer(order)`` serves the kernel's
    callbacks, ``alive()`` says whether the kernel process still runs."""

    def __init__(
        self,
        connection: dict,
        alive: Callable[[], bool],
        answer: Callable[[dict], dict],
        between: Callable[[], None] = lambda: None,
    ):
        from jupyter_client.blocking import BlockingKernelClient

        self._alive, self._answer, self._between = alive, answer, between
        # a folder of the judge's, made afresh: beside the kernel's own sockets when the kernel is sandboxed (the only
        # place the sandbox reaches), else in the temporary folder
        sandboxed = connection.get("transport") == "ipc"
        runtime = os.path.dirname(str(connection.get("ip", ""))) if sandboxed else None
        self._folder = tempfile.mkdtemp(prefix="judge-", dir=runtime)
        self.path = os.path.join(self._folder, "line")
        # The runtime folder is the sandbox's to write: its processes may swap what is in it at any time.  So the
        # judge's folder is reached through a descriptor from here on, once it is seen to be the grader's (nothing in
        # it can then be swapped), and only the socket in it is made connectable for the sandbox's own uid.
        self._folder_fd = os.open(self._folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.fstat(self._folder_fd).st_uid != os.geteuid():
            os.close(self._folder_fd)
            raise KernelError("the judge's folder was replaced", lost=True)
        self._listener.bind(f"/proc/self/fd/{self._folder_fd}/line")
        if sandboxed and os.geteuid() == 0:  # the kernel runs as a uid of its own
            os.fchmod(self._folder_fd, 0o755)
            os.chmod("line", 0o777, dir_fd=self._folder_fd)
        self._listener.listen(4)
        self._listener.setblocking(False)
        self._line: Line | None = None
        self.client = BlockingKernelClient()
        self.client.load_connection_info(connection)
        self.client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        import zmq

        self._poller = zmq.Poller()  # one wait for the kernel's next word: the line, a new connection, the shell
        self._poller.register(self.client.shell_channel.socket, zmq.POLLIN)
        self._poller.register(self._listener.fileno(), zmq.POLLIN)
        self._sent = 0  # requests sent: every so often ``between()`` empties the executor's queue of their notices
        self._deadline = 0.0
        self._depth = 0  # callbacks of the judge's being run now (the kernel waits for their answers meanwhile)
        self._pending = ""  # the request cell being run
        self._finished = True  # its execute_reply has come: the kernel no longer waits for us
        self._open = False  # a reply has come and is not acknowledged: the kernel waits for the next request

    def finish(self) -> None:
        """End the open request cell (acknowledge its last reply), so that the kernel is free for the next cell."""
        if not self._open:
            return
        self._open = False
        if self._finished:
            return
        self._send({"done": True})
        self._await_end()

    def _await_end(self, seconds: float = 5) -> None:
        """Read the shell channel until the request cell's execute_reply has come (at most ``seconds``)."""
        from queue import Empty

        deadline = time.monotonic() + seconds
        while self._pending and not self._finished and time.monotonic() < deadline:
            try:
                msg = self.client.shell_channel.get_msg(timeout=0.5)
            except Empty:
                continue
            self._finished = msg.get("parent_header", {}).get("msg_id") == self._pending

    def close(self) -> None:
        """Let the last request cell end (it ends once the judge has acknowledged its reply), then disconnect."""
        try:
            self.finish()
            self._await_end()
        finally:
            self.client.stop_channels()
            self._drop_line()
            self._listener.close()
            try:
                os.unlink("line", dir_fd=self._folder_fd)
                os.rmdir(self._folder)  # does not follow a link: a folder swapped meanwhile is left where it is
            except OSError:
                pass
            os.close(self._folder_fd)

    def request(self, tree: dict, timeout: float) -> Any:
        """Send one request; its reply tree, or ``None`` when the kernel finished without answering."""
        if self._depth == 0 and self._open and not self._finished:  # the open request cell takes the next request
            self._open = False
            self._deadline = time.monotonic() + timeout
            self._send({"serve": tree})
        elif self._depth == 0:
            self._open = False
            self._drain()  # the replies of the requests before: they ended
            self._sent += 1
            if self._sent % 100 == 0:
                self._between()
            self._deadline = time.monotonic() + timeout
            self._finished = False
            self._pending = self.client.execute(
                REQUEST.format(message=wire.dumps(tree), line=self.path),
                silent=True,
                store_history=False,
                allow_stdin=False,  # the student's input() raises, as in any graded cell
                stop_on_error=False,
            )
        elif self._finished:
            return None
        else:
            self._send({"serve": tree})
        while True:
            frame = self._next_message()
            if frame is None:
                return None
            try:
                message = wire.unpack(frame)
            except ValueError:
                message = None
            if type(message) is not dict:
                continue  # noise: not a message of the protocol
            if "reply" in message:
                if self._depth == 0:
                    self._open = True  # acknowledged by the next request, or by finish()
                return message["reply"]
            if "callback" in message or "backward" in message:
                self._depth += 1
                try:
                    answer = self._answer(message)
                finally:
                    self._depth -= 1
                if not self._finished:
                    self._send(answer)

    def _send(self, message: dict) -> None:
        """Send ``message`` to the kernel, which waits for it.  One that cannot be sent (a tensor of a dtype the wire
        does not carry) is answered with ``raise`` in its place, so that the kernel's request cell ends instead of
        waiting until its time limit, and the error is raised here."""
        failure = None
        try:
            frame = wire.pack(message)
        except (ValueError, TypeError) as exc:
            failure = exc
            frame = wire.pack({"raise": {"message": f"the judge could not send its message: {exc}"}})
        if self._line is not None:  # else gone: the request cell ends (or runs out of time) without the judge
            try:
                self._line.send(frame)
            except OSError:
                self._drop_line()
        if failure is not None:
            raise failure

    def _wait(self, seconds: float) -> set[int]:
        """Wait for the kernel's next word on the line or the shell, or a connection, at most ``seconds`` (and at most
        half a second, so that the caller looks at the clock and at the kernel's life); the file descriptors that are
        ready (the shell's zmq socket is never among them: it is read by ``msg_ready``)."""
        events = self._poller.poll(timeout=int(1000 * max(0.0, min(seconds, 0.5))) + 1)
        return {fd for fd, _ in events if isinstance(fd, int)} or ({-1} if events else set())

    def _drain(self) -> None:
        """Read the replies of requests that have ended (each request cell's execute_reply arrives after the judge
        has acknowledged its answer): the kernel stalls once too many of them wait unread."""
        while self.client.shell_channel.msg_ready():
            self.client.shell_channel.get_msg(timeout=1)

    def _accept(self) -> None:
        """Take a connection to the line: the kernel's half connects once; a newer one replaces it."""
        while True:
            try:
                conn, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            conn.setblocking(True)
            self._drop_line()
            self._line = Line(conn)
            self._poller.register(self._line.fd, 1)  # zmq.POLLIN

    def _drop_line(self) -> None:
        if self._line is not None:
            self._poller.unregister(self._line.fd)
            self._line.close()
            self._line = None

    def _next_message(self) -> bytes | None:
        """The kernel's next message in this request; ``None`` once its cell has ended.  The line is read only when
        the last wait said it is readable, and a new connection accepted only when one waits (one wait and one read
        per message)."""
        shell = self.client.shell_channel
        ready: set[int] = set()
        while not self._finished:
            while shell.msg_ready():  # read every reply as it comes: a full queue would stall the kernel
                msg = shell.get_msg(timeout=1)
                if msg.get("parent_header", {}).get("msg_id") == self._pending:
                    self._finished = True
                    return None
            if self._listener.fileno() in ready:
                self._accept()
            line = self._line
            if line is not None:
                try:
                    frame = line.take(read=line.fd in ready)
                except ValueError:  # a frame longer than any message
                    line.closed, frame = True, None
                if frame is not None:
                    return frame
                if line.closed:
                    self._drop_line()
            left = self._deadline - time.monotonic()
            if left <= 0:
                self._finished = True
                raise KernelError("a test's call of your code ran past the cell time limit", lost=True)
            ready = self._wait(left)
            if not ready and not self._alive():
                self._finished = True
                raise KernelError(DIED, lost=True)
        return None
