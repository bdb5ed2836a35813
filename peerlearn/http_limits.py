"""Answer over-long request lines and over-large headers with 414 / 431 instead of a dropped
connection. This matters where daphne is the edge (the embedded profile); behind nginx, nginx
refuses such requests first with its own limits (414 for a long URI).

daphne serves HTTP through Twisted's ``HTTPChannel``, which reads the request line and headers
line by line with a 16 KB limit. A single longer line (a 100 KB URL or cookie) makes its line
reader drop the connection without a word, and a header block over 16 KB in all gets a bare
``400``. ``install()`` gives both cases the status codes RFC 9110/6585 define, with a short plain
text body, and then closes the connection as before.
"""

from __future__ import annotations

from typing import Any

URI_TOO_LONG = b"414 URI Too Long"
HEADERS_TOO_LARGE = b"431 Request Header Fields Too Large"


def _refuse(channel: Any, status: bytes) -> None:
    body = status[4:] + b"\n"
    channel.transport.write(
        b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    channel.loseConnection()


def install() -> bool:
    """Patch Twisted's HTTP channel once; False when Twisted is not the server here."""
    try:
        from twisted.web import http
    except ImportError:  # pragma: no cover - Twisted comes with daphne
        return False
    channel = http.HTTPChannel
    if getattr(channel, "_peerlearn_limits", False):
        return True
    original_line_received = channel.lineReceived

    def line_length_exceeded(self: Any, line: bytes) -> None:
        # Still on the request line: the URL is too long; otherwise one header is.
        _refuse(self, URI_TOO_LONG if self._HTTPChannel__first_line else HEADERS_TOO_LARGE)

    def line_received(self: Any, line: bytes) -> None:
        if self._receivedHeaderSize + len(line) > self.totalHeadersSize:
            _refuse(self, URI_TOO_LONG if self._HTTPChannel__first_line else HEADERS_TOO_LARGE)
            return
        original_line_received(self, line)

    channel.lineLengthExceeded = line_length_exceeded  # type: ignore[method-assign]
    channel.lineReceived = line_received  # type: ignore[method-assign]
    channel._peerlearn_limits = True  # type: ignore[attr-defined]
    return True
