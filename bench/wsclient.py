"""A minimal asyncio WebSocket client (RFC 6455: handshake, text frames, ping/pong, close) for the
notification benchmark and the two-web-process test. Loopback only; no TLS, no extensions."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import struct
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WSClosedError(Exception):
    pass


class WSClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None

    def start_pump(self) -> None:
        """Read continuously in the background (answering server pings even while idle); JSON
        messages go to ``inbox`` with their arrival time: (perf_counter, message)."""
        import time

        async def pump() -> None:
            try:
                while True:
                    text = await self.recv()
                    self.inbox.put_nowait((time.perf_counter(), json.loads(text)))
            except (WSClosedError, asyncio.IncompleteReadError, ConnectionError):
                self.inbox.put_nowait((time.perf_counter(), {"type": "_closed"}))

        self._pump = asyncio.ensure_future(pump())

    @property
    def is_open(self) -> bool:
        """True while the background reader runs (it ends when the server closes the socket)."""
        return self._pump is not None and not self._pump.done()

    @classmethod
    async def connect(cls, host: str, port: int, path: str, *, cookie: str = "", origin: str = "") -> WSClient:
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            f"Origin: {origin or f'http://{host}:{port}'}",
        ]
        if cookie:
            lines.append(f"Cookie: {cookie}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            writer.close()
            raise WSClosedError(f"handshake refused: {status.decode(errors='replace')}")
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()  # noqa: S324 (protocol-mandated)
        if accept.encode() not in head:
            raise WSClosedError("bad Sec-WebSocket-Accept")
        return cls(reader, writer)

    async def _send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)
        await self.writer.drain()

    async def send_json(self, data: Any) -> None:
        await self._send_frame(0x1, json.dumps(data).encode())

    async def recv(self) -> str:
        while True:
            b1, b2 = await self.reader.readexactly(2)
            opcode, n = b1 & 0x0F, b2 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
            payload = await self.reader.readexactly(n)
            if opcode == 0x8:
                raise WSClosedError(f"closed by server ({payload[:2].hex()})")
            if opcode == 0x9:
                await self._send_frame(0xA, payload)
                continue
            if opcode in (0x1, 0x0):
                return payload.decode()

    async def recv_json(self) -> Any:
        return json.loads(await self.recv())

    async def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self._send_frame(0x8, struct.pack("!H", 1000))
        self.writer.close()
