"""The situation library: every scripted situation, by name and by family.

    SITUATIONS            all situations, in a stable order
    by_name(name)         one situation (KeyError names the known ones)
    families()            family -> its situations
    NEED_FAMILIES         families whose situations carry needs of help
    NO_NEED_FAMILIES      families that never need help (steady writing, reading, video, meetings, ...)
"""

from __future__ import annotations

from bench.situations import lib_code, lib_pages, lib_tools, lib_words
from bench.situations.script import Situation

SITUATIONS: tuple[Situation, ...] = tuple(make() for module in (lib_code, lib_tools, lib_words, lib_pages)
                                          for make in module.SITUATIONS)


def _check(situations: tuple[Situation, ...]) -> None:
    names = [s.name for s in situations]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise ValueError(f"situation names used twice: {', '.join(doubled)}")
    for fam in {s.family for s in situations}:
        kinds = {s.no_need for s in situations if s.family == fam}
        if len(kinds) > 1:
            raise ValueError(f"family {fam!r} mixes situations with and without needs")


_check(SITUATIONS)
NEED_FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(s.family for s in SITUATIONS if not s.no_need))
NO_NEED_FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(s.family for s in SITUATIONS if s.no_need))


def by_name(name: str) -> Situation:
    for s in SITUATIONS:
        if s.name == name:
            return s
    raise KeyError(f"no situation {name!r}; known: {', '.join(s.name for s in SITUATIONS)}")


def families() -> dict[str, tuple[Situation, ...]]:
    """Family -> its situations, families in library order."""
    out: dict[str, list[Situation]] = {}
    for s in SITUATIONS:
        out.setdefault(s.family, []).append(s)
    return {f: tuple(v) for f, v in out.items()}
