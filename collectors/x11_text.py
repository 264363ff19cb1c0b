"""Decoding X11 text properties (window titles, WM_CLASS) whatever type the client set them with.

Clients set titles as UTF8_STRING (modern toolkits), STRING (ISO 8859-1; xdotool and some scripts put UTF-8
bytes there), COMPOUND_TEXT (ISO 2022 with escape sequences; Xlib's XmbTextListToTextProperty, used by older
toolkits and `xprop -f WM_NAME 8t`) or C_STRING/TEXT. `decode(type_name, data)` returns a str for all of them
and never raises: bytes it cannot place become U+FFFD.
"""

from __future__ import annotations

ESC = 0x1B
# 96-character sets designated to GR with ESC - F
_SETS_96 = {"A": "latin-1", "B": "iso8859-2", "C": "iso8859-3", "D": "iso8859-4", "L": "iso8859-5",
            "G": "iso8859-6", "F": "iso8859-7", "H": "iso8859-8", "M": "iso8859-9", "V": "iso8859-10",
            "T": "tis-620", "Y": "iso8859-13", "_": "iso8859-14", "b": "iso8859-15", "f": "iso8859-16"}
# 94x94 sets (ESC $ ( F to GL, ESC $ ) F to GR), decoded through their EUC form
_SETS_94N = {"A": "gb2312", "B": "euc_jp", "C": "euc_kr", "D": "euc_jp"}
# 94-character sets: ESC ( F (GL) / ESC ) F (GR)
_SETS_94 = {"B": "ascii", "J": "ascii", "I": "jisx0201-kana"}


def decode(type_name: str | None, data: bytes | str | None) -> str:
    """The text of a property of type `type_name` (an atom name such as 'UTF8_STRING')."""
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    data = bytes(data)
    if type_name == "COMPOUND_TEXT":
        return decode_compound_text(data)
    if type_name in ("STRING", "C_STRING", "TEXT"):
        return _latin1_or_utf8(data)
    return data.decode("utf-8", "replace")


def _latin1_or_utf8(data: bytes) -> str:
    """STRING is Latin-1 by the spec, but scripts (xdotool) store UTF-8 there: take UTF-8 when it is valid."""
    if any(b >= 0x80 for b in data):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _decode_run(data: bytes, codec: str, gr: bool) -> str:
    if codec == "jisx0201-kana":
        return "".join(chr(0xFF61 + (b & 0x7F) - 0x21) if 0x21 <= (b & 0x7F) <= 0x5F else "\ufffd" for b in data)
    if codec in ("gb2312", "euc_jp", "euc_kr") and not gr:
        data = bytes(b | 0x80 if b > 0x20 else b for b in data)
    try:
        return data.decode(codec, "replace")
    except LookupError:
        return data.decode("latin-1")


def decode_compound_text(data: bytes) -> str:
    """Decode COMPOUND_TEXT: GL starts as ASCII, GR as Latin-1; escape sequences switch either half."""
    out: list[str] = []
    gl, gr = "ascii", "latin-1"
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b == ESC:
            i = _escape(data, i, out, state := [gl, gr])
            gl, gr = state
            continue
        if b == 0x9B:  # CSI (direction) sequences: skip to the final byte
            i += 1
            while i < n and not 0x40 <= data[i] <= 0x7E:
                i += 1
            i += 1
            continue
        high = b >= 0x80
        j = i
        while j < n and data[j] != ESC and data[j] != 0x9B and (data[j] >= 0x80) == high:
            j += 1
        chunk = data[i:j]
        if high:
            out.append(_decode_run(chunk, gr, True))
        elif gl == "ascii":
            out.append(chunk.decode("ascii", "replace"))
        else:
            out.append(_decode_run(chunk, gl, False))
        i = j
    return "".join(out)


def _escape(data: bytes, i: int, out: list[str], state: list[str]) -> int:
    """Apply the escape sequence at data[i]; returns the index after it (and after a UTF-8 segment)."""
    n = len(data)
    seq = data[i + 1:i + 4].decode("latin-1")
    if seq.startswith("%G"):  # UTF-8 until ESC % @
        end = data.find(b"\x1b%@", i + 3)
        end = n if end < 0 else end
        out.append(data[i + 3:end].decode("utf-8", "replace"))
        return end + 3
    if seq.startswith("%/") and i + 6 <= n:  # extended segment: ESC % / F M L name STX bytes
        length = (data[i + 4] - 128) * 128 + (data[i + 5] - 128)
        body = data[i + 6:i + 6 + max(0, length)]
        name, _, text = body.partition(b"\x02")
        codec = name.decode("latin-1").lower().removesuffix("-0")
        try:
            out.append(text.decode(codec, "replace"))
        except LookupError:
            out.append(text.decode("latin-1"))
        return i + 6 + max(0, length)
    if seq[:1] == "-" and len(seq) >= 2:
        state[1] = _SETS_96.get(seq[1], "latin-1")
        return i + 3
    if seq[:2] in ("$(", "$)") and len(seq) >= 3:
        codec = _SETS_94N.get(seq[2], "latin-1")
        state[0 if seq[1] == "(" else 1] = codec
        return i + 4
    if seq[:1] in ("(", ")") and len(seq) >= 2:
        codec = _SETS_94.get(seq[1], "ascii")
        state[0 if seq[0] == "(" else 1] = codec
        return i + 3
    out.append("\ufffd")
    return i + 1
