"""What the fact finders found: facts with their source, and the Fix steps built from them.

A `FactSheet` is shown to the user before the model writes (the Fix, as Markdown) and given to the model as
plain lines. A step is `verified` only when every part of it was checked on this machine or in maintained data;
an unverified step is never rendered as the Fix: it is listed under "Could not verify".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from models.facts.reply import Message


@dataclass(frozen=True)
class Fact:
    text: str  # one sentence, plain text, may hold `code`
    source: str  # where it comes from: "pip metadata", "pipreqs mapping", "git push -h", "the error text", ...


@dataclass(frozen=True)
class FixStep:
    text: str  # what to do, one short sentence
    command: str = ""  # the command to run, if any (checked by models.facts.commands before it is shown)
    verified: bool = True
    why: str = ""  # which facts make this the fix


@dataclass
class FactSheet:
    """Facts for one task. `topic` names what they are about (e.g. "python-missing-module")."""

    topic: str = ""
    facts: list[Fact] = field(default_factory=list)
    fix: list[FixStep] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)  # what could not be checked, said plainly
    subject: str = ""  # the name the facts are about (module, command, class), for the prompt
    reply_to: Message | None = None  # a message to answer: the draft starts with its checked greeting
    outline: str = ""  # a reply skeleton built from the message, shown after the facts

    def add(self, text: str, source: str) -> None:
        if all(f.text != text for f in self.facts):
            self.facts.append(Fact(text, source))

    def step(self, text: str, command: str = "", why: str = "", verified: bool = True) -> None:
        if all(s.command != command or s.text != text for s in self.fix):
            self.fix.append(FixStep(text, command, verified, why))

    def cannot_verify(self, text: str) -> None:
        if text not in self.unverified:
            self.unverified.append(text)

    @property
    def verified_fix(self) -> list[FixStep]:
        return [s for s in self.fix if s.verified]

    @property
    def empty(self) -> bool:
        return not (self.facts or self.fix or self.unverified or self.outline)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def prompt_lines(self, limit: int = 8) -> list[str]:
        """Short plain lines for a small model: the fix first, then the facts."""
        lines = [f"Fix: {s.command}" if s.command else f"Fix: {s.text}" for s in self.verified_fix[:3]]
        lines += [f.text.replace("`", "") for f in self.facts[:limit] if f.source != "the evidence"
                  or not f.text.startswith("The error reads")]
        return lines

    def markdown(self) -> str:
        """The Fix and the facts behind it, for the user ("" when there is nothing to say)."""
        out: list[str] = []
        steps = self.verified_fix
        if steps:
            out.append("**To answer** (read from the message):" if self.reply_to is not None  # a reply: nothing ran
                       else "**Fix** (checked on this computer):")
            for s in steps:
                out.append(s.text + (f"\n```sh\n{s.command}\n```" if s.command else ""))
            whys = [s.why for s in steps if s.why]
            if whys:
                out.append("Why: " + " ".join(dict.fromkeys(whys)))
        if self.facts:
            out.append("**Facts**\n" + "\n".join(f"- {f.text} (source: {f.source})" for f in self.facts[:8]))
        notes = self.unverified + [f"{s.text} `{s.command}`".strip() for s in self.fix if not s.verified]
        if notes:
            out.append("**Could not verify**\n" + "\n".join(f"- {n}" for n in notes))
        if self.outline:
            out.append("**Reply outline** (built from the message, not by the model; write your answers in place of "
                       f"[your answer]):\n```text\n{self.outline}\n```")
        return "\n\n".join(out)
