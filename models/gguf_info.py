"""Read a GGUF file's metadata (architecture, quantisation, context length, chat template) without loading it.

Only the header's key/value section is read, skipping big arrays (the vocabulary) with seeks, so this takes
milliseconds even for multi-gigabyte files. A file that is not a GGUF raises `NotGGUF` with a clear reason.
"""

from __future__ import annotations

import struct
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"GGUF"
# llama.cpp's llama_ftype values (general.file_type) -> quantisation name
FILE_TYPES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
              11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M",
              18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S",
              25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M",
              32: "BF16", 36: "TQ1_0", 37: "TQ2_0"}
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
MAX_KEYS = 10_000
MAX_STRING = 1 << 24  # a chat template is a few KiB; anything near this is a corrupt length


class NotGGUF(ValueError):
    """The file is not a readable GGUF model; str(exc) names the file and what is wrong."""


@dataclass(frozen=True)
class GGUFInfo:
    path: str
    size_bytes: int
    architecture: str
    name: str
    quantization: str
    context_length: int
    has_chat_template: bool
    license: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _read(f: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    data = f.read(size)
    if len(data) != size:
        raise EOFError
    return struct.unpack(fmt, data)[0]


def _string(f: BinaryIO) -> str:
    length = _read(f, "<Q")
    if length > MAX_STRING:
        raise ValueError(f"string of {length} bytes")
    data = f.read(length)
    if len(data) != length:
        raise EOFError
    return data.decode("utf-8", "replace")


def _value(f: BinaryIO, kind: int, keep: bool) -> Any:
    if kind in _SCALARS:
        return _read(f, _SCALARS[kind])
    if kind == _STRING:
        if keep:
            return _string(f)
        f.seek(_read(f, "<Q"), 1)
        return None
    if kind == _ARRAY:
        item_kind, count = _read(f, "<I"), _read(f, "<Q")
        if item_kind in _SCALARS:
            f.seek(count * struct.calcsize(_SCALARS[item_kind]), 1)
        else:
            for _ in range(count):
                _value(f, item_kind, keep=False)
        return None
    raise ValueError(f"unknown value type {kind}")


def read_metadata(path: Path) -> dict[str, Any]:
    """The scalar and string keys of the header (arrays are skipped)."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != MAGIC:
                raise NotGGUF(f"{path} is not a GGUF file (it does not start with 'GGUF')")
            version = _read(f, "<I")
            if version == 1:
                _read(f, "<I")
                n_kv = _read(f, "<I")
            else:
                _read(f, "<Q")
                n_kv = _read(f, "<Q")
            if n_kv > MAX_KEYS:
                raise NotGGUF(f"{path} has a corrupt GGUF header ({n_kv} keys)")
            meta: dict[str, Any] = {}
            for _ in range(n_kv):
                key = _string(f)
                kind = _read(f, "<I")
                value = _value(f, kind, keep=True)
                if value is not None:
                    meta[key] = value
            return meta
    except (EOFError, ValueError, struct.error) as exc:
        if isinstance(exc, NotGGUF):
            raise
        raise NotGGUF(f"{path} is a truncated or corrupt GGUF file ({exc or 'ends early'})") from exc
    except OSError as exc:
        raise NotGGUF(f"cannot read {path}: {exc.strerror or exc}") from exc


def inspect(path: Path) -> GGUFInfo:
    """What `proactive model list` shows for one file."""
    meta = read_metadata(path)
    arch = str(meta.get("general.architecture", "?"))
    file_type = meta.get("general.file_type")
    quant = FILE_TYPES.get(file_type, f"type {file_type}") if isinstance(file_type, int) else "?"
    return GGUFInfo(str(path), path.stat().st_size, arch, str(meta.get("general.name", "")), quant,
                    int(meta.get(f"{arch}.context_length", 0) or 0), "tokenizer.chat_template" in meta,
                    str(meta.get("general.license", "")))
