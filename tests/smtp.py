"""A real SMTP server for tests: aiosmtpd on a free port, keeping every message it gets."""

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        if self.sink.refuse_with:
            return self.sink.refuse_with
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """Collects parsed messages; set `refuse_with` (e.g. '451 Try later') to simulate trouble."""

    def __init__(self):
        self.port = _free_port()
        self.host = "127.0.0.1"
        self.messages: list[EmailMessage] = []
        self.refuse_with: str | None = None
        self.lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least `count` messages have arrived, and return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")
