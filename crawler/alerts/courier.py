"""Each alert delivery in a child process newsmon can abandon, under newsmon's own limits.

Apprise's timeouts bound a connect and each read, not a whole delivery: a webhook that
answers 200 and then one byte every few seconds would hold a poll (and its poll lock)
for minutes, and Apprise reads a response body whole, so a receiver sending gigabytes
would take the poll's memory with it. A thread cannot be stopped, a process can: the parent waits
at most `DEADLINE_S` for each answer and kills the child when it passes. In the child,
every HTTP request Apprise makes gets a connect and a per-read timeout and has its
response body read in pieces, refused past `MAX_RESPONSE_BYTES`.

The child speaks JSON lines on stdin and stdout; its stderr is discarded. Log records
of Apprise and urllib3 come back with the answer, redacted in the child, and are logged
again here (through the parent's redactor too), as if Apprise had run in this process.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CONNECT_TIMEOUT_S = 10
READ_TIMEOUT_S = 15  # each read; the whole delivery is bounded by DEADLINE_S
DEADLINE_S = 60  # one whole delivery: connect, send, every read of the answer
MAX_RESPONSE_BYTES = 2**20  # a receiver's answer is a status; 1 MiB is plenty


TOO_LARGE = f"the receiver's answer is larger than {MAX_RESPONSE_BYTES // 2**20} MiB"
_refused: list[str] = []  # in the child: why the request just made was cut off


class Courier:
    """Sends alerts through one child process at a time, restarted after a kill."""

    def __init__(self, deadline_s: float | None = None):
        self.deadline_s = DEADLINE_S if deadline_s is None else deadline_s
        self._child: subprocess.Popen[bytes] | None = None

    def send(self, url: str, title: str, body: str) -> tuple[str | None, bool]:
        """(None, _) on success, else (redacted error, permanent)."""
        from crawler.alerts.redact import REDACTED_LOGGERS, REDACTOR, secret_parts

        REDACTOR.protect(secret_parts(url))
        child = self._start()
        level = min(logging.getLogger(name).getEffectiveLevel() for name in REDACTED_LOGGERS)
        request = json.dumps({"url": url, "title": title, "body": body, "level": level})
        request += "\n"
        try:
            assert child.stdin is not None
            child.stdin.write(request.encode("utf-8"))
            child.stdin.flush()
        except OSError:
            self.close()
            return "the delivery process died before sending", False
        answer = self._answer(child)
        if answer is None:
            self.close()
            return (
                f"no answer within {self.deadline_s:g}s (the receiver is too slow; "
                "delivery stopped, retried later)",
                False,
            )
        for name, level, text in answer.get("logs", ()):
            logging.getLogger(name).log(level, "%s", text)
        return answer.get("error"), bool(answer.get("permanent"))

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            package_root = str(Path(__file__).resolve().parents[2])
            path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
            self._child = subprocess.Popen(
                [sys.executable, "-m", "crawler.alerts.courier"],
                env={**os.environ, "PYTHONPATH": path},  # wherever this newsmon was run from
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                bufsize=0,
            )
        return self._child

    def _answer(self, child: subprocess.Popen[bytes]) -> dict[str, Any] | None:
        """The child's one-line answer, or None when the deadline passes or it dies."""
        assert child.stdout is not None
        deadline = time.monotonic() + self.deadline_s
        received = b""
        with selectors.DefaultSelector() as selector:
            selector.register(child.stdout, selectors.EVENT_READ)
            while b"\n" not in received:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    return None
                chunk = os.read(child.stdout.fileno(), 65536)
                if not chunk:
                    return None
                received += chunk
        try:
            return json.loads(received.split(b"\n", 1)[0])
        except ValueError:
            return None

    def close(self) -> None:
        """Ends the child: at once (SIGKILL), since it may be stuck in a receiver's read."""
        child, self._child = self._child, None
        if child is None:
            return
        if child.poll() is None:
            child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()


def bound_requests() -> None:
    """Every request made through `requests` (as Apprise's services do) gets newsmon's
    connect and read timeouts and a body read in pieces up to MAX_RESPONSE_BYTES."""
    import requests

    class ResponseTooLarge(requests.RequestException):
        """Raised where Apprise's services expect a failed request; the rest unread."""

    original = requests.Session.send

    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        kwargs["timeout"] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
        streaming = kwargs.pop("stream", False)
        response = original(self, request, stream=True, **kwargs)
        if streaming:
            return response
        content = bytearray()
        for piece in response.iter_content(65536):
            content += piece
            if len(content) > MAX_RESPONSE_BYTES:
                response.close()
                _refused.append(TOO_LARGE)
                raise ResponseTooLarge(TOO_LARGE)
        response._content = bytes(content)
        response._content_consumed = True
        return response

    requests.Session.send = send  # type: ignore[method-assign]  # the one way in, for every plugin


class _Keep(logging.Handler):
    """Keeps the child's log records (already redacted) to send back with the answer."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def serve() -> None:
    """The child: one JSON request per line in, one JSON answer per line out."""
    from crawler.alerts.deliver import send
    from crawler.alerts.redact import REDACTED_LOGGERS, REDACTOR
    from crawler.orphans import die_with_parent

    die_with_parent()  # a killed run must not leave a child trickling from a receiver
    bound_requests()
    keep = _Keep()
    keep.addFilter(REDACTOR)  # also records of child loggers, which skip a logger's filter
    for name in REDACTED_LOGGERS:
        logging.getLogger(name).addHandler(keep)
        logging.getLogger(name).propagate = False
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout = sys.stderr  # nothing but answers on the answer channel
    for line in sys.stdin:
        request = json.loads(line)
        for name in REDACTED_LOGGERS:
            logging.getLogger(name).setLevel(request.get("level", logging.WARNING))
        keep.records.clear()
        _refused.clear()
        failure = send(request["url"], request["title"], request["body"])
        answer: dict[str, Any] = {} if failure is None else {"error": failure.message}
        if failure is not None and _refused:  # Apprise words it "a connection error"
            answer["error"] = _refused[0]
        answer["logs"] = keep.records
        if failure is not None and failure.permanent:
            answer["permanent"] = True
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
