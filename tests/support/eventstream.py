# SPDX-License-Identifier: Apache-2.0
"""eventstream.py: the AWS event-stream format (application/vnd.amazon.eventstream)
for test servers, such as a loopback CloudWatch Logs StartLiveTail, and for
making test vectors.  Standard library only.

A message: total length (u32), headers length (u32), CRC-32 of those 8 bytes
(u32), the headers, the payload, CRC-32 of everything before it (u32); all
big-endian, CRC-32 as zlib.crc32.  A header: name length (u8), name, type
(u8), value.

    import eventstream
    body = eventstream.event("sessionStart", b'{"requestId": "r"}')
    body += eventstream.exception("SessionTimeoutException", b'{"message": "m"}')
    body += eventstream.encode_message(
        [(":message-type", "event"), ("n", 5, "long"), ("flag", True)], b"")

Header values take their type from the Python value (bool: true/false, str:
string, bytes: byte array, uuid.UUID: uuid, datetime.datetime: timestamp,
int: int, or long when it does not fit in 32 bits) unless a third element
names it: one of TYPES.  decode() reads messages back, checking CRCs.

Run as a script it checks itself: its messages must decode with botocore's
EventStreamBuffer when botocore is importable (else with decode()), fed
whole and byte by byte; exit status 0 when they do, 1 when not.
"""

import datetime
import struct
import sys
import uuid
import zlib

TYPES = {
    "true": 0,
    "false": 1,
    "byte": 2,
    "short": 3,
    "int": 4,
    "long": 5,
    "bytes": 6,
    "string": 7,
    "timestamp": 8,
    "uuid": 9,
}
_TYPE_NAMES = {number: name for name, number in TYPES.items()}
_INT_FORMATS = {"byte": ">b", "short": ">h", "int": ">i", "long": ">q", "timestamp": ">q"}

MAX_MESSAGE = 16 << 20
MAX_HEADERS = 128 << 10


def _crc(data, crc=0):
    return zlib.crc32(data, crc) & 0xFFFFFFFF


def _infer_type(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    if isinstance(value, uuid.UUID):
        return "uuid"
    if isinstance(value, datetime.datetime):
        return "timestamp"
    if isinstance(value, int):
        return "int" if -(2**31) <= value < 2**31 else "long"
    raise TypeError(f"no event-stream type for {type(value).__name__}")


def encode_header(name, value, type_name=None):
    """One header's bytes.  type_name is one of TYPES or None (inferred)."""
    if type_name is None:
        type_name = _infer_type(value)
    if type_name == "bool":
        type_name = "true" if value else "false"
    raw_name = name.encode("utf-8") if isinstance(name, str) else bytes(name)
    if len(raw_name) > 255:
        raise ValueError(f"header name over 255 bytes: {name!r}")
    out = bytes([len(raw_name)]) + raw_name + bytes([TYPES[type_name]])
    if type_name in ("true", "false"):
        return out
    if type_name in _INT_FORMATS:
        if isinstance(value, datetime.datetime):
            value = int(value.timestamp() * 1000)
        return out + struct.pack(_INT_FORMATS[type_name], value)
    if type_name in ("bytes", "string"):
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        if len(raw) > 0xFFFF:
            raise ValueError(f"header {name!r}: value over 65535 bytes")
        return out + struct.pack(">H", len(raw)) + raw
    raw = value.bytes if isinstance(value, uuid.UUID) else bytes(value)
    if len(raw) != 16:
        raise ValueError(f"header {name!r}: uuid not 16 bytes")
    return out + raw


def encode_message(headers=(), payload=b""):
    """One message's bytes.  headers: a dict {name: value} or an iterable of
    (name, value) or (name, value, type_name), written in that order."""
    if isinstance(headers, dict):
        headers = headers.items()
    block = b"".join(encode_header(*h) for h in headers)
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    if len(block) > MAX_HEADERS:
        raise ValueError("headers over 128 KiB")
    total = 16 + len(block) + len(payload)
    if total > MAX_MESSAGE:
        raise ValueError("message over 16 MiB")
    prelude = struct.pack(">II", total, len(block))
    prelude += struct.pack(">I", _crc(prelude))
    body = prelude + block + bytes(payload)
    return body + struct.pack(">I", _crc(body))


def event(event_type, payload=b"", content_type="application/json"):
    """An event message, as StartLiveTail sends sessionStart and sessionUpdate."""
    headers = [(":message-type", "event"), (":event-type", event_type)]
    if content_type:
        headers.append((":content-type", content_type))
    return encode_message(headers, payload)


def exception(exception_type, payload=b"", content_type="application/json"):
    """A modelled exception in the stream (SessionTimeoutException ...)."""
    headers = [(":message-type", "exception"), (":exception-type", exception_type)]
    if content_type:
        headers.append((":content-type", content_type))
    return encode_message(headers, payload)


def error(code, message):
    """An unmodelled error in the stream: the service gives up."""
    return encode_message(
        [(":message-type", "error"), (":error-code", code), (":error-message", message)]
    )


def _decode_headers(block):
    headers, off = {}, 0
    while off < len(block):
        n = block[off]
        if off + 1 + n >= len(block):
            raise ValueError("header runs past the header block")
        name = block[off + 1 : off + 1 + n].decode("utf-8")
        off += 1 + n
        type_name = _TYPE_NAMES.get(block[off])
        off += 1
        if type_name is None:
            raise ValueError(f"header {name!r} has unknown type {block[off - 1]}")
        if type_name in ("true", "false"):
            value, size = type_name == "true", 0
        elif type_name in _INT_FORMATS:
            size = struct.calcsize(_INT_FORMATS[type_name])
            if off + size <= len(block):
                (value,) = struct.unpack(_INT_FORMATS[type_name], block[off : off + size])
        elif type_name in ("bytes", "string"):
            size = 2
            if off + 2 <= len(block):
                size += struct.unpack(">H", block[off : off + 2])[0]
                value = block[off + 2 : off + size]
                value = value.decode("utf-8") if type_name == "string" else bytes(value)
        else:
            size = 16
            value = bytes(block[off : off + 16])
        off += size
        if off > len(block):
            raise ValueError(f"header {name!r} runs past the header block")
        if name in headers:
            raise ValueError(f"duplicate header {name!r}")
        headers[name] = value
    return headers


def decode(data):
    """All messages in data as a list of (headers dict, payload bytes), in the
    value forms botocore gives (uuid: 16 bytes, timestamp: int ms).  Raises
    ValueError on a CRC mismatch, bad lengths or trailing partial bytes."""
    out, off = [], 0
    while off < len(data):
        if len(data) - off < 12:
            raise ValueError("truncated prelude")
        total, hlen, pcrc = struct.unpack(">III", data[off : off + 12])
        if pcrc != _crc(data[off : off + 8]):
            raise ValueError("prelude CRC mismatch")
        if total < 16 or total > MAX_MESSAGE or hlen > MAX_HEADERS or hlen > total - 16:
            raise ValueError("bad lengths")
        msg = data[off : off + total]
        if len(msg) < total:
            raise ValueError("truncated message")
        if struct.unpack(">I", msg[-4:])[0] != _crc(msg[:-4]):
            raise ValueError("message CRC mismatch")
        out.append((_decode_headers(msg[12 : 12 + hlen]), bytes(msg[12 + hlen : -4])))
        off += total
    return out


def _samples():
    """(message bytes, headers dict as decoded, payload) covering every type."""
    u = uuid.UUID("0123456789abcdef0123456789abcdef")
    cases = [
        ([], b""),
        ([], b'{"a":1}'),
        ([(":message-type", "event"), (":event-type", "sessionStart")], b"{}"),
        (
            [
                ("t", True),
                ("f", False),
                ("b", -2, "byte"),
                ("s", -300, "short"),
                ("i", 70000, "int"),
                ("l", -(2**40), "long"),
                ("ba", b"\x00\xff\x10"),
                ("str", "h\u00e9llo"),
                ("ts", 1700000000123, "timestamp"),
                ("u", u),
            ],
            b"payload",
        ),
        ([("empty", ""), ("nobytes", b"")], b"\x00" * 300),
    ]
    out = []
    for headers, payload in cases:
        want = {}
        for h in headers:
            value = h[1]
            if isinstance(value, uuid.UUID):
                value = value.bytes
            want[h[0]] = value
        out.append((encode_message(headers, payload), want, payload))
    return out


def _self_check():
    samples = _samples()
    stream = b"".join(s[0] for s in samples)
    try:
        from botocore.eventstream import EventStreamBuffer
    except ImportError:
        EventStreamBuffer = None

    def botocore_decode(chunks):
        buf, got = EventStreamBuffer(), []
        for chunk in chunks:
            buf.add_data(chunk)
            got.extend((m.headers, m.payload) for m in buf)
        return got

    want = [(s[1], s[2]) for s in samples]
    ok = decode(stream) == want
    if EventStreamBuffer is not None:
        ok = ok and botocore_decode([stream]) == want
        ok = ok and botocore_decode([stream[i : i + 1] for i in range(len(stream))]) == want
        print("eventstream.py: checked against botocore's EventStreamBuffer")
    else:
        print("eventstream.py: botocore not importable; checked against decode() only")
    print("eventstream.py: " + ("ok" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(_self_check())
