"""Schema checks for room WebSocket messages (client → server).

Each message is a JSON object with a ``type``. :func:`validate` returns a cleaned dict or raises
:class:`InvalidMessage`; the consumer drops (and logs) anything invalid so it never reaches a peer.
"""

from __future__ import annotations

import re
from typing import Any

from .conf import MAX_CHAT_CHARS, MAX_STROKE_POINTS


class InvalidMessage(ValueError):
    pass


_PEER_ID = re.compile(r"^[A-Za-z0-9_-]{6,40}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_SDP_TYPES = {"offer", "answer", "rollback"}
MAX_SDP = 48 * 1024
MAX_CANDIDATE = 2048


def _str(v: Any, name: str, *, max_len: int, allow_empty: bool = False) -> str:
    if not isinstance(v, str):
        raise InvalidMessage(f"{name} must be a string")
    if len(v) > max_len or (not allow_empty and not v):
        raise InvalidMessage(f"{name} has a bad length")
    try:
        v.encode("utf-8")  # a lone surrogate (valid JSON: "\ud800") is no text we can store or relay
    except UnicodeEncodeError as exc:
        raise InvalidMessage(f"{name} is not valid text") from exc
    if "\x00" in v:
        raise InvalidMessage(f"{name} contains a NUL character")
    return v


def _bool(v: Any, name: str) -> bool:
    if not isinstance(v, bool):
        raise InvalidMessage(f"{name} must be a boolean")
    return v


def _peer(v: Any) -> str:
    if not isinstance(v, str) or not _PEER_ID.match(v):
        raise InvalidMessage("bad peer id")
    return v


def _description(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict) or set(v) - {"type", "sdp"}:
        raise InvalidMessage("bad description")
    kind = v.get("type")
    if kind not in _SDP_TYPES:
        raise InvalidMessage("bad description type")
    sdp = v.get("sdp", "")
    if kind != "rollback":
        _str(sdp, "sdp", max_len=MAX_SDP)
    return {"type": kind, "sdp": sdp if isinstance(sdp, str) else ""}


def _candidate(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None  # end-of-candidates
    if not isinstance(v, dict) or set(v) - {"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"}:
        raise InvalidMessage("bad candidate")
    out: dict[str, Any] = {
        "candidate": _str(v.get("candidate", ""), "candidate", max_len=MAX_CANDIDATE, allow_empty=True)
    }
    mid = v.get("sdpMid")
    if mid is not None:
        out["sdpMid"] = _str(mid, "sdpMid", max_len=32, allow_empty=True)
    idx = v.get("sdpMLineIndex")
    if idx is not None:
        if not isinstance(idx, int) or isinstance(idx, bool) or not 0 <= idx < 64:
            raise InvalidMessage("bad sdpMLineIndex")
        out["sdpMLineIndex"] = idx
    ufrag = v.get("usernameFragment")
    if ufrag is not None:
        out["usernameFragment"] = _str(ufrag, "usernameFragment", max_len=256, allow_empty=True)
    return out


def _signal(m: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "signal", "to": _peer(m.get("to"))}
    if "description" in m:
        out["description"] = _description(m["description"])
    elif "candidate" in m:
        out["candidate"] = _candidate(m["candidate"])
    elif "reset" in m:
        # "Replace our connection": the sender's count of resets, a small positive integer.
        r = m["reset"]
        if not isinstance(r, int) or isinstance(r, bool) or not 0 < r <= 10_000:
            raise InvalidMessage("bad reset")
        out["reset"] = r
    else:
        raise InvalidMessage("signal needs a description, a candidate or a reset")
    if "t" in m:  # optional client timestamp (used by the relay-latency bench)
        if not isinstance(m["t"], (int, float)) or isinstance(m["t"], bool):
            raise InvalidMessage("bad t")
        out["t"] = m["t"]
    return out


def _media(m: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "media"}
    for key in ("audio", "video", "screen", "lowBandwidth"):
        if key in m:
            out[key] = _bool(m[key], key)
    return out


def _points(v: Any) -> list[list[float]]:
    if not isinstance(v, list) or not 1 <= len(v) <= MAX_STROKE_POINTS:
        raise InvalidMessage("bad points")
    out: list[list[float]] = []
    for p in v:
        if not isinstance(p, list) or len(p) != 2:
            raise InvalidMessage("bad point")
        x, y = p
        if not all(isinstance(c, (int, float)) and not isinstance(c, bool) and -0.01 <= c <= 1.01 for c in (x, y)):
            raise InvalidMessage("point out of range")
        out.append([round(float(x), 4), round(float(y), 4)])
    return out


def _stroke(m: dict[str, Any]) -> dict[str, Any]:
    s = m.get("stroke")
    if not isinstance(s, dict):
        raise InvalidMessage("bad stroke")
    tool = s.get("tool")
    if tool not in ("pen", "eraser"):
        raise InvalidMessage("bad tool")
    color = s.get("color")
    if not isinstance(color, str) or not _COLOR.match(color):
        raise InvalidMessage("bad color")
    width = s.get("width")
    if not isinstance(width, int) or isinstance(width, bool) or not 1 <= width <= 60:
        raise InvalidMessage("bad width")
    return {
        "type": "stroke",
        "stroke": {
            "id": _peer(s.get("id")),
            "tool": tool,
            "color": color.lower(),
            "width": width,
            "points": _points(s.get("points")),
        },
    }


def _chat(m: dict[str, Any]) -> dict[str, Any]:
    body = _str(m.get("body"), "body", max_len=MAX_CHAT_CHARS)
    return {"type": "chat", "body": body}


def _check(m: dict[str, Any]) -> dict[str, Any]:
    return {"type": "check", "topic": _str(m.get("topic"), "topic", max_len=120), "done": _bool(m.get("done"), "done")}


def _hand(m: dict[str, Any]) -> dict[str, Any]:
    return {"type": "hand", "up": _bool(m.get("up"), "up")}


def _simple(kind: str) -> Any:
    def check(m: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": kind}
        if "t" in m and isinstance(m["t"], (int, float)) and not isinstance(m["t"], bool):
            out["t"] = m["t"]
        return out

    return check


def _recording_id(m: dict[str, Any]) -> int:
    v = m.get("id")
    if not isinstance(v, int) or isinstance(v, bool) or not 0 < v < 2**53:
        raise InvalidMessage("bad recording id")
    return v


def _rec(kind: str) -> Any:
    """rec-request {}; rec-answer {id, accept}; rec-start {id}; rec-stop {id}."""

    def check(m: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": kind}
        if kind != "rec-request":
            out["id"] = _recording_id(m)
        if kind == "rec-answer":
            out["accept"] = _bool(m.get("accept"), "accept")
        return out

    return check


VALIDATORS = {
    "signal": _signal,
    "media": _media,
    "stroke": _stroke,
    "wb-clear": _simple("wb-clear"),
    "chat": _chat,
    "check": _check,
    "hand": _hand,
    "ping": _simple("ping"),
    "leave": _simple("leave"),
    "resync": _simple("resync"),
    "rec-request": _rec("rec-request"),
    "rec-answer": _rec("rec-answer"),
    "rec-start": _rec("rec-start"),
    "rec-stop": _rec("rec-stop"),
}


def validate(message: Any) -> dict[str, Any]:
    if not isinstance(message, dict):
        raise InvalidMessage("message must be an object")
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in VALIDATORS:
        raise InvalidMessage(f"unknown type {str(kind)[:40]!r}")
    return VALIDATORS[kind](message)  # type: ignore[no-any-return]
