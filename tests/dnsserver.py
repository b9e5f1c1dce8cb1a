"""A real DNS server on 127.0.0.1 (UDP), for the tests of `fetch.dns_servers`.

It answers A queries for the names it is given and NXDOMAIN for every other
name, in real DNS wire format, so newsmon's resolver path runs unchanged.
"""

from __future__ import annotations

import socket
import struct
import threading
from types import TracebackType

NOERROR, NXDOMAIN = 0, 3


class DNSServer:
    def __init__(self, records: dict[str, str]):
        self.records = {name.lower().rstrip("."): ip for name, ip in records.items()}
        self.queries: list[str] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> DNSServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._socket.close()

    def _serve(self) -> None:
        while True:
            try:
                query, client = self._socket.recvfrom(512)
            except OSError:  # closed
                return
            try:
                self._socket.sendto(self.answer(query), client)
            except (OSError, struct.error, IndexError):
                continue

    def answer(self, query: bytes) -> bytes:
        (ident,) = struct.unpack("!H", query[:2])
        labels, offset = [], 12
        while query[offset]:
            length = query[offset]
            labels.append(query[offset + 1 : offset + 1 + length].decode("ascii"))
            offset += 1 + length
        question = query[12 : offset + 5]
        name = ".".join(labels).lower()
        self.queries.append(name)
        ip = self.records.get(name)
        rcode = NOERROR if ip else NXDOMAIN
        answers = b""
        if ip:  # an A record, whatever type was asked (Twisted asks for ALL)
            answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(ip)
        flags = 0x8180 | rcode  # response, recursion desired and available
        header = struct.pack("!HHHHHH", ident, flags, 1, 1 if ip else 0, 0, 0)
        return header + question + answers
