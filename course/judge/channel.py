"""The judge's line to the student's kernel: a Jupyter client of its own, speaking over shell and stdin only.

A request starts as a cell of its own (``REQUEST``, sent with ``allow_stdin``); the kernel's answer comes back as
the prompt of an ``input()`` call (``kernel_side._talk``), never as output, so nothing the student's code prints
reaches the judge or the notebook.  While the kernel waits for the reply to that prompt it can be asked more: that is
how a function of the judge's runs inside the student's code (a callback, ``Kernel.answer``), and how the callback
in turn reaches the student's objects -- requests nest on the same stdin line:

    judge                                  kernel
    execute REQUEST(call train_svm)  --->  train_svm(...) calls hinge_loss, a callback
                                     <---  input({"callback": 3, "arguments": ...})
    runs the reference hinge loss    --->  {"value": ...}                 (input_reply)
                                     <---  input({"reply": {"value": w}})  train_svm returned
    {"done": true}                   --->  the request cell ends

The whole request, callbacks included, has the cell time limit; a kernel that dies or outlives it is lost.

A test cell makes many requests (one per call, attribute or operator of the student's objects): the request cell
stays open between them.  The judge does not acknowledge a reply with ``done`` at once; the test's next request is
the answer to that prompt (``{"serve": ...}``), so a request costs one message each way, not a cell of its own.
``finish()`` acknowledges the last reply when the test cell is over, before the notebook's next cell runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import wire
from .remote import KernelError

DIED = "the kernel died (os._exit, a crash or the memory limit)"
CONNECT_ATTEMPTS = 4  # a prompt is only ever dropped while the connection is being set up: the first attempt
PROMPT_PATIENCE = 5.0  # seconds after which a prompt that has not come is taken for dropped
READY = "course-judge-ready-"  # the tag of the prompts that test the connection

REQUEST = '__import__("course.judge.kernel_side").judge.kernel_side.serve({message!r})'


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

        self.client = BlockingKernelClient()
        self.client.load_connection_info(connection)
        self.client.start_channels(shell=True, iopub=False, stdin=True, hb=False, control=False)
        self._alive, self._answer, self._between = alive, answer, between
        import zmq

        self._poller = zmq.Poller()  # one wait for the kernel's next message, on its stdin and shell sockets
        self._poller.register(self.client.stdin_channel.socket, zmq.POLLIN)
        self._poller.register(self.client.shell_channel.socket, zmq.POLLIN)
        self._sent = 0  # requests sent: every so often ``between()`` empties the executor's queue of their notices
        self._deadline = 0.0
        self._depth = 0  # callbacks of the judge's being run now (the kernel waits on stdin meanwhile)
        self._pending = ""  # the request cell being run
        self._finished = True  # its execute_reply has come: the kernel no longer waits for us
        self._open = False  # a reply has come and is not acknowledged: the kernel waits for the next request
        self._connected = False

    def _connect(self, timeout: float) -> None:
        """Make sure the kernel reaches our stdin socket before the first request.  The kernel's stdin socket (a
        ROUTER) drops a message for a client whose connection it has not registered yet, and a prompt dropped so
        would leave the kernel waiting for an answer forever.  So: run a cell that asks for a tagged prompt and wait
        for it and for the cell's end; a prompt that has not come after a while was dropped, and a blind answer
        (queued until the connection is up) ends the cell; then try again.  A late prompt of an earlier try is
        recognised by its tag and skipped.  A kernel that never prompts (its ``input`` replaced, its cells
        rewritten) does not answer the judge."""
        deadline = time.monotonic() + timeout
        for attempt in range(CONNECT_ATTEMPTS):
            tag = f"{READY}{attempt}"
            msg_id = self.client.execute(
                f"get_ipython().kernel.raw_input({tag!r})",
                silent=True,
                store_history=False,
                allow_stdin=True,
                stop_on_error=False,
            )
            prompted = blind = ended = False
            patience = time.monotonic() + PROMPT_PATIENCE
            while not ended:
                if time.monotonic() > deadline:
                    raise KernelError("the judge could not reach your kernel", lost=True)
                if self.client.stdin_channel.msg_ready():
                    msg = self.client.stdin_channel.get_msg(timeout=1)
                    if msg.get("msg_type") == "input_request" and msg.get("content", {}).get("prompt") == tag:
                        prompted = True
                        self.client.input("")
                    continue
                if self.client.shell_channel.msg_ready():
                    msg = self.client.shell_channel.get_msg(timeout=1)
                    ended = msg.get("parent_header", {}).get("msg_id") == msg_id
                    continue
                if not prompted and not blind and time.monotonic() > patience:
                    blind = True
                    self.client.input("")
                    continue
                until = deadline if prompted or blind else patience
                if not self._wait(until - time.monotonic()) and time.monotonic() > patience and not self._alive():
                    raise KernelError(DIED, lost=True)
            if prompted:
                self._connected = True
                return
        raise KernelError("the kernel did not answer the judge")

    def finish(self) -> None:
        """End the open request cell (acknowledge its last reply), so that the kernel is free for the next cell."""
        if not self._open:
            return
        self._open = False
        if self._finished:
            return
        self.client.input(wire.dumps({"done": True}))
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
        self.finish()
        self._await_end()
        self.client.stop_channels()

    def request(self, tree: dict, timeout: float) -> Any:
        """Send one request; its reply tree, or ``None`` when the kernel finished without answering."""
        if self._depth == 0 and self._open and not self._finished:  # the open request cell takes the next request
            self._open = False
            self._deadline = time.monotonic() + timeout
            self.client.input(wire.dumps({"serve": tree}))
        elif self._depth == 0:
            self._open = False
            if not self._connected:
                self._connect(min(timeout, 60.0))
            self._drain()  # the replies of the requests before: they ended
            self._sent += 1
            if self._sent % 100 == 0:
                self._between()
            self._deadline = time.monotonic() + timeout
            self._finished = False
            self._pending = self.client.execute(
                REQUEST.format(message=wire.dumps(tree)),
                silent=True,
                store_history=False,
                allow_stdin=True,
                stop_on_error=False,
            )
        elif self._finished:
            return None
        else:
            self.client.input(wire.dumps({"serve": tree}))
        while True:
            prompt = self._next_prompt()
            if prompt is None:
                return None
            try:
                message = wire.loads(prompt)
            except ValueError:
                message = None
            if type(message) is not dict:  # the student's own input(), or noise: an empty line
                self.client.input("")
                continue
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
                    self.client.input(wire.dumps(answer))
                continue
            self.client.input("")

    def _wait(self, seconds: float) -> bool:
        """Wait for the kernel's next message on stdin or shell, at most ``seconds`` (and at most half a second, so
        that the caller looks at the clock and at the kernel's life); whether one is ready."""
        return bool(self._poller.poll(timeout=int(1000 * max(0.0, min(seconds, 0.5))) + 1))

    def _drain(self) -> None:
        """Read the replies of requests that have ended (each request cell's execute_reply arrives after the judge
        has acknowledged its answer): the kernel stalls once too many of them wait unread."""
        while self.client.shell_channel.msg_ready():
            self.client.shell_channel.get_msg(timeout=1)

    def _next_prompt(self) -> str | None:
        """The next ``input()`` prompt of the request; ``None`` once its cell has ended."""
        stdin, shell = self.client.stdin_channel, self.client.shell_channel
        while not self._finished:
            while shell.msg_ready():  # read every reply as it comes: a full queue would stall the kernel
                msg = shell.get_msg(timeout=1)
                if msg.get("parent_header", {}).get("msg_id") == self._pending:
                    self._finished = True
                    return None
            if stdin.msg_ready():
                msg = stdin.get_msg(timeout=1)
                prompt = str(msg.get("content", {}).get("prompt", ""))
                if msg.get("msg_type") == "input_request" and not prompt.startswith(READY):  # not a late test
                    return prompt
                continue
            left = self._deadline - time.monotonic()
            if left <= 0:
                self._finished = True
                raise KernelError("a test's call of your code ran past the cell time limit", lost=True)
            if not self._wait(left) and not self._alive():
                self._finished = True
                raise KernelError(DIED, lost=True)
        return None
