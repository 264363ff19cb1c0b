"""Secrets shaped by numbers and addresses: card numbers (Luhn), IBANs (mod 97), international phone numbers,
key fingerprints and e-mail addresses, written with any separator people and word processors put between
groups. Used by `assistant.core.redact`; every pattern is linear (bounded or possessive, starts only where a run
starts)."""

from __future__ import annotations

import re


def _sub(label: str) -> str:
    return f"[redacted:{label}]"


# Characters people (and word processors) put between digit groups: spaces of every width, dashes of every kind,
# dots. Cards, IBANs and phone numbers are recognised across any of them.
SEPARATORS = (" .\\-\u00a0\u2007\u2009\u200a\u202f\u205f\u3000\u2010\u2011\u2012\u2013\u2014\u2212"
              "\u30fb\u00b7/")


EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@([A-Za-z0-9-]{1,63}+(?:\.[A-Za-z0-9-]{1,63}+){1,10}+)")

FINGERPRINT = re.compile(r"\b(?:SHA256|SHA1|MD5):[A-Za-z0-9+/:=]{20,}+"
                          r"|(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{2}:){15,31}+[0-9A-Fa-f]{2}(?![0-9A-Fa-f:])"
                          r"|(?<![0-9A-Fa-f])[0-9A-Fa-f]{4}(?: {1,2}[0-9A-Fa-f]{4}){9}(?![0-9A-Fa-f])")

IBAN = re.compile(r"(?i)(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[" + SEPARATORS + r"]?[A-Z0-9]){11,32}")

PHONE = re.compile(r"(?<![\w+])(?:tel:\s?)?[+\uff0b][1-9](?:[" + SEPARATORS + r"]{0,2}\(?[0-9]{1,5}\)?){2,8}+"
                    r"|\btel:[0-9()" + SEPARATORS + r"]{6,30}+")

DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]++(?:[" + SEPARATORS + r"]{1,3}+[0-9]++)*+")

DIGITS = re.compile(r"[0-9]+")


def email(match: re.Match[str]) -> str:
    labels = match.group(1).split(".")
    for end in range(len(labels) - 1, 0, -1):  # the address ends at its last alphabetic label (the TLD)
        if len(labels[end]) >= 2 and labels[end].isalpha():
            rest = ".".join(labels[end + 1:])
            return _sub("email") + ("." + rest if rest else "")
    return match.group()


def iban(match: re.Match[str]) -> str:
    text = match.group()
    positions = [i for i, ch in enumerate(text) if ch.isalnum()]
    chars = "".join(text[i] for i in positions)
    for n in range(min(len(chars), 34), 14, -1):  # the longest prefix that passes mod-97
        candidate = chars[:n]
        number = "".join(str(int(ch, 36)) for ch in candidate[4:] + candidate[:4])
        if int(number) % 97 == 1:
            return _sub("iban") + text[positions[n - 1] + 1:]
    return text


def phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return _sub("phone") if 8 <= digits <= 15 else match.group()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def cards(match: re.Match[str]) -> str:
    """Redact every run of whole digit groups (13-19 digits, Luhn-valid) in a run of grouped digits.

    Linear: at most 19 groups are tried from each group on, and a redacted span is never looked at again.
    Groups of a multi-group card have at least 3 digits ('4111 1111 1111 1111', '3782 822463 10005').
    """
    text = match.group()
    groups = [(m.start(), m.end()) for m in DIGITS.finditer(text)]
    out: list[str] = []
    pos = i = 0
    while i < len(groups):
        best = None
        digits = ""
        for j in range(i, min(len(groups), i + 19)):
            size = groups[j][1] - groups[j][0]
            if j > i and (size < 3 or groups[i][1] - groups[i][0] < 3):
                break
            digits += text[groups[j][0]:groups[j][1]]
            if len(digits) > 19:
                break
            if len(digits) >= 13 and luhn_ok(digits):
                best = j
        if best is None:
            i += 1
            continue
        out.append(text[pos:groups[i][0]])
        out.append(_sub("card"))
        pos = groups[best][1]
        i = best + 1
    out.append(text[pos:])
    return "".join(out)
