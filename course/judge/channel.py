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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import wire
from .remote import KernelError

DIED = "the kernel died (os._exit, a crash or the memory limit)"
CONNECT_ATTEMPTS = 4  # a prompt is only ever dropped while the connection is being set up: the first attempt

REQUEST = '__import__("course.judge.kernel_side").judge.kernel_side.serve({message!r})'


class Channel:
    """Requests to one kernel (``connection``: its connection info); ``answer(order)`` serves the kernel's
    callbacks, ``alive()`` says whether the kernel process still runs."""

    def __init__(self, connection: dict, alive: Callable[[], bool], answer: Callable[[dict], dict]):
        from jupyter_client.blocking import BlockingKernelClient

        self.client = BlockingKernelClient()
        self.client.load_connection_info(connection)
        self.client.start_channels(shell=True, iopub=False, stdin=True, hb=False, control=False)
        self._alive, self._answer = alive, answer
        self._deadline = 0.0
        self._depth = 0  # callbacks of the judge's being run now (the kernel waits on stdin meanwhile)
        self._pending = ""  # the request cell being run
        self._finished = True  # its execute_reply has come: the kernel no longer waits for us
        self._connected = False

    def _connect(self, timeout: float) -> None:
        """Make sure the kernel reaches our stdin socket before the first request.  The kernel's stdin socket (a
        ROUTER) drops a message for a client whose connection it has not registered yet, and a prompt dropped so
        would leave the kernel waiting for an answer forever: ask for a prompt until one arrives, answering blindly
        (the answer is queued until the connection is up) when it does not.  A kernel that never prompts (its
        ``input`` replaced, its cells rewritten) does not answer the judge."""
        from queue import Empty

        deadline = time.monotonic() + timeout
        code = "get_ipython().kernel.raw_input('ready')"
        for _ in range(CONNECT_ATTEMPTS):
            msg_id = self.client.execute(code, silent=True, store_history=False, allow_stdin=True, stop_on_error=False)
            try:
                msg = self.client.stdin_channel.get_msg(timeout=0.5)
                prompted = msg.get("msg_type") == "input_request"
            except Empty:
                prompted = False
            self.client.input("")  # the answer to the prompt, seen or not: the cell ends
            while True:  # its execute_reply
                if time.monotonic() > deadline:
                    raise KernelError("the judge could not reach your kernel", lost=True)
                try:
                    reply = self.client.shell_channel.get_msg(timeout=1)
                except Empty:
                    if not self._alive():
                        raise KernelError(DIED, lost=True) from None
                    continue
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    break
            if prompted:
                self._connected = True
                return
        raise KernelError("the kernel did not answer the judge")

    def close(self) -> None:
        """Let the last request cell end (it ends once the judge has acknowledged its reply), then disconnect."""
        from queue import Empty

        deadline = time.monotonic() + 5
        while self._pending and not self._finished and time.monotonic() < deadline:
            try:
                msg = self.client.shell_channel.get_msg(timeout=0.5)
            except Empty:
                continue
            self._finished = msg.get("parent_header", {}).get("msg_id") == self._pending
        self.client.stop_channels()

    def request(self, tree: dict, timeout: float) -> Any:
        """Send one request; its reply tree, or ``None`` when the kernel finished without answering."""
        if self._depth == 0:
            if not self._connected:
                self._connect(min(timeout, 60.0))
            self._deadline = time.monotonic() + timeout
            self._finished = False
            self._pending = self.client.execute(
                REQUEST.format(message=wire.dumps(tree)), store_history=False, allow_stdin=True, stop_on_error=False
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
                    self.client.input(wire.dumps({"done": True}))
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

    def _next_prompt(self) -> str | None:
        """The next ``input()`` prompt of the request; ``None`` once its cell has ended."""
        import zmq

        stdin, shell = self.client.stdin_channel, self.client.shell_channel
        poller = zmq.Poller()
        poller.register(stdin.socket, zmq.POLLIN)
        poller.register(shell.socket, zmq.POLLIN)
        while not self._finished:
            if stdin.msg_ready():
                msg = stdin.get_msg(timeout=1)
                if msg.get("msg_type") == "input_request":
                    return str(msg.get("content", {}).get("prompt", ""))
                continue
            if shell.msg_ready():
                msg = shell.get_msg(timeout=1)
                if msg.get("parent_header", {}).get("msg_id") == self._pending:
                    self._finished = True
                continue
            left = self._deadline - time.monotonic()
            if left <= 0:
                self._finished = True
                raise KernelError("a test's call of your code ran past the cell time limit", lost=True)
            if not poller.poll(timeout=int(1000 * min(left, 0.5)) + 1) and not self._alive():
                self._finished = True
                raise KernelError(DIED, lost=True)
        return None
