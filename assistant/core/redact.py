"""Secret redaction: a pure function over untrusted text (window titles, typed text, clipboard, URLs).

`redact(text)` replaces every secret it recognises with a marker such as ``[redacted:email]``:

- private key blocks and their headers (PEM, OpenSSH, PGP), passwords in URLs (``scheme://user:pass@host``,
  also ``redis://:pass@host``), ``Authorization:`` values, ``Bearer``/``Basic`` credentials,
- JSON Web Tokens, API keys and webhooks with a known shape (``sk-``, ``ghp_``/``github_pat_``, ``AKIA``,
  ``xox?-``, ``AIza``, ``sk_live_``, ``glpat-``, ``npm_``, ``hf_``, ``SG.``, ``dop_v1_``, ``shpat_``, ...),
- values of secret-looking keys (``DB_PASSWORD=``, ``client_secret=``, ``?access_token=``, ``&pass=``,
  ``"token": "..."``, ``--password x``, ``sshpass -p x``, ``mysql -pX``), e-mail addresses,
- card numbers (13-19 Luhn-valid digits, grouped by spaces, dashes or dots), IBANs (mod-97 checked),
  international phone numbers (``+`` and 8-15 digits), key fingerprints (``SHA256:...``, ``aa:bb:...``,
  ten groups of four hex digits), long hex strings (32+), long high-entropy tokens (32+ characters),
- and every match of the caller's extra patterns (``privacy.secret_patterns``) as ``[redacted:custom]``.

Untrusted text is first cut to `limit` characters (`cap`). Every built-in rule is linear-time: each match can
start only where a run of its characters starts (a negative look-behind) and quantifiers are possessive or
bounded, so no rule backtracks over a run twice. The user's patterns run with a timeout
(`assistant.core.safe_regex`); if one times out the whole text becomes ``[redacted:unscannable]``. `redact`
never raises: on any internal error it also returns that marker (it fails closed, never open).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, partial
from itertools import pairwise
from typing import Any

from assistant.core import redact_numbers as N
from assistant.core import vendored_rules
from assistant.core.redact_numbers import SEPARATORS  # noqa: F401 - part of this module's interface
from assistant.core.safe_regex import UserPattern, compile_all

MAX_TITLE = 1024  # characters of a window/page title kept by the collectors
MAX_REDACT = 65536  # characters `redact` looks at by default; the rest is cut
UNSCANNABLE = "[redacted:unscannable]"
_KEY_SEGMENT = {"pass", "pwd", "pin", "auth", "sig", "signature", "session", "sessionid", "sid", "cookie",
                "otp", "totp", "credential", "credentials", "creds", "psk"}
_PREFIXED_PASS = re.compile(r"(?:ssh|db|root|admin|user|mysql|pg|postgres|redis|smtp|ftp|sftp|mail|imap|vnc|wifi|"
                            r"wlan|key|api|app|master|vault|sudo|login|web|http|proxy|ldap|bind|sys|sql|rdp|smb|"
                            r"mongo|rabbit|amqp|kafka|jks|keystore|truststore|store|cert|p12|pfx)_?(?:pass|pwd|pw)")
_PASSWORD_SEGMENTS = {"pass", "pwd", "pin", "passwd", "pw", "pswd", "passw", "pword"}
# password in words other tools look for (detect-secrets' keyword list) and in other languages
_PASSWORD_WORD = re.compile(r"pass(?:word|wd|wort|phrase|code)|contrase(?:n|ñ)a|senha|parola|haslo|hasło|"
                            r"mot_?de_?passe|salasana|wachtwoord|losenord|lösenord|adgangskode|passord|jelszo|"
                            r"heslo|sifre|şifre|parool|пароль|密码|パスワード")
_KEY_WORD = re.compile(r"pass(?:word|wd|wort|phrase|code)|secret|token|api_?key|access_?key|private_?key|"
                       r"account_?key|credential|auth_?key|client_?key|signing_?key|encryption_?key")


def cap(text: str, limit: int = MAX_TITLE) -> str:
    """`text` cut to at most `limit` characters (the first step for any untrusted string).

    The cut falls on the last space before the limit (within 256 characters), so a secret that straddles the
    limit is dropped whole rather than kept in part.
    """
    if len(text) <= limit:
        return text
    cut = limit - 1
    for i in range(cut, max(0, cut - 256), -1):
        if text[i].isspace():
            cut = i
            break
    else:
        cut = max(0, cut - 256)
    return text[:cut] + "\u2026"


def _sub(label: str) -> str:
    return f"[redacted:{label}]"


def _mixed(value: str) -> bool:
    """Has a digit or both letter cases: random keys do, words and names rarely."""
    return any(c.isdigit() for c in value) or (any(c.islower() for c in value) and any(c.isupper() for c in value))


# ---------------------------------------------------------------- rules with a fixed shape

_PRIVATE_KEY = re.compile(r"(?:-{2,5} ?)?BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?(?: ?-{2,5})?.*?"
                          r"(?:-{2,5} ?END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?(?: ?-{2,5})?|\Z)", re.DOTALL)
_URL_CREDENTIALS = re.compile(r"(?<=://)[^\s/?#@:]{0,256}+:[^\s/@]{1,1024}+(?=@)")  # raw '#' / '?' in a password too
_AUTHORIZATION = re.compile(r"(?i)(\b(?:proxy-)?authorization[\"']?\s{0,3}[:=]\s{0,3}[\"']?"
                            r"(?:(?:bearer|basic|token|digest|negotiate|apikey|key)\s{1,3})?)[^\s\"',;]{1,4096}+")
_BEARER = re.compile(r"(?i)(\bbearer\s{1,8})[A-Za-z0-9._~+/=-]{1,4096}+")
_BASIC = re.compile(r"(?i)(\bbasic\s{1,3})([A-Za-z0-9+/]{8,1024}+={0,2})")
_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]{4,}+")
_API_KEY = re.compile(
    r"(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{12,}+|gh[pousr]_[A-Za-z0-9]{16,}+|github_pat_[A-Za-z0-9_]{16,}+"
    r"|(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}(?![A-Za-z0-9])|xox[abposre]-[A-Za-z0-9-]{8,}+"
    r"|xapp-[0-9]-[A-Za-z0-9-]{8,}+|AIza[0-9A-Za-z_-]{30,}+|[spr]k_(?:live|test)_[A-Za-z0-9]{8,}+"
    r"|whsec_[A-Za-z0-9]{16,}+|glpat-[A-Za-z0-9_-]{16,}+|npm_[A-Za-z0-9]{20,}+|hf_[A-Za-z0-9]{20,}+"
    r"|dop_v1_[a-f0-9]{32,}+|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}|SG\.[A-Za-z0-9_-]{16,}+\.[A-Za-z0-9_-]{16,}+"
    r"|pypi-[A-Za-z0-9_-]{16,}+|ya29\.[A-Za-z0-9_-]{20,}+|dckr_pat_[A-Za-z0-9_-]{16,}+"
    r"|SK[0-9a-fA-F]{32}(?![A-Za-z0-9])|[0-9]{8,10}:AA[A-Za-z0-9_-]{30,}+)")
_WEBHOOK = re.compile(r"(?i)(?:hooks\.slack\.com/services|discord(?:app)?\.com/api/webhooks)/[A-Za-z0-9/_-]{16,}+")
_KEY = re.compile(r"(?<![\w.-])([\w.-]{1,64}+)([\"']?\s{0,3}[:=]\s{0,3}[\"']?)(?=[^\s\"',;&<>])")
_VALUE = re.compile(r"[^\s\"',;&<>]{1,4096}+")
_QUOTED_OR_WORD = r"(?:'[^'\n]{0,1024}+'?|\"[^\"\n]{0,1024}+\"?|[^\s'\"][^\s]{0,1023}+)"
_CLI_SECRET = re.compile(r"(?i)((?<![\w-])--?(?:[a-z0-9]+-){0,3}(?:password|passwd|pass|passphrase|token|secret|"
                         r"api-?key)(?:\s{1,3}+|=))" + _QUOTED_OR_WORD)
_PASS_ARG = re.compile(r"(?i)(?<![\w-])(-pass(?:in|out)?\s{1,3}+|\b(?:pass|env):)" + _QUOTED_OR_WORD)
# tools that take a password glued to -p (mysql -pX, 7z -pX) or after -p / -P (sshpass -p X, zip -P X)
_GLUED_P_TOOLS = re.compile(r"(?i)\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|7z|7za|7zr|rar|unrar)\b")
_SPACED_P_TOOLS = re.compile(r"(?i)\b(?:sshpass|zip|unzip|zipcloak|smbclient)\b")
_GLUED_P = re.compile(r"(?<![\w-])(-p)" + r"(?:'[^'\n]{1,1024}+'?|\"[^\"\n]{1,1024}+\"?|[^\s'\"-][^\s]{2,1023}+)")
_SPACED_P = re.compile(r"(?<![\w-])(-[pP]\s{0,3}+)" + _QUOTED_OR_WORD)
_HEX = re.compile(r"(?<![A-Za-z0-9])(?:0x)?[0-9a-fA-F]{32,}+(?![A-Za-z0-9])")
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{32,}+")


def _authorization(match: re.Match[str]) -> str:
    return match.group(1) + _sub("token")


def _basic(match: re.Match[str]) -> str:
    """``Basic <base64 of user:password>``: redacted when the value decodes to something with a colon."""
    try:
        decoded = base64.b64decode(match.group(2) + "=" * (-len(match.group(2)) % 4), validate=True)
    except (binascii.Error, ValueError):
        return match.group()
    return match.group(1) + _sub("token") if b":" in decoded else match.group()


def _api_key(match: re.Match[str]) -> str:
    """A known key prefix; 'sk-' alone is also an English word part ('sk-learn-...'), so it needs a digit."""
    key = match.group()
    return _sub("api-key") if not key.startswith("sk-") or _mixed(key[3:]) else key


def _secret_key(key: str) -> str | None:
    """The marker label for a key whose value is a secret (None for an ordinary key)."""
    low = key.lower().lstrip("-.").replace("-", "_")
    segments = [s for s in re.split(r"[_.]", low) if s]
    if not segments:
        return None
    if _PASSWORD_WORD.search(low) or _PASSWORD_SEGMENTS & set(segments) or _PREFIXED_PASS.fullmatch(segments[-1]):
        return "password"
    if _KEY_WORD.search(low.replace("_", "")) or _KEY_WORD.search(low) or segments[-1] in _KEY_SEGMENT:
        return "secret"
    return None


_XML_ELEMENT = re.compile(r"<([\w.:-]{1,64}+)(?:\s[^<>]{0,256}+)?>([^<\n]{1,1024}+)</\1>")
_PROSE = re.compile(r"(?i)\b((?:password|passwort|passcode|passphrase|pin|pw|mot de passe|contrase(?:n|ñ)a)"
                    r"(?: (?:is|was|ist|est|es))?\s{0,3}[:=]?\s{1,3})(?!\[redacted)([^\s\"']{4,128}+)")


def _xml_secret(match: re.Match[str]) -> str:
    """``<password>x</password>``, ``<apiKey>x</apiKey>``: an element named like a secret keeps no content."""
    label = _secret_key(match.group(1).split(":")[-1])
    if label is None:
        return match.group()
    return match.group()[:match.start(2) - match.start()] + _sub(label) + f"</{match.group(1)}>"


def _prose(match: re.Match[str]) -> str:
    """'my password is X', 'PIN 4829': a word after a password word, when it holds a digit or a symbol (a plain
    word is kept: 'the password is wrong', 'Password Manager')."""
    word = match.group(2)
    if word.isalpha():
        return match.group()
    return match.group(1) + _sub("password")


_QUOTED = {"'": re.compile(r"[^'\n]{1,1024}+"), '"': re.compile(r'[^"\n]{1,1024}+')}


def _value_at(text: str, pos: int, separator: str) -> re.Match[str] | None:
    """The value after a key's separator: up to the closing quote when the separator opened one (a quoted
    password with spaces is redacted whole), else up to the next space, quote or delimiter."""
    quote = separator.rstrip()[-1:] if separator.rstrip()[-1:] in _QUOTED else ""
    if quote:
        return _QUOTED[quote].match(text, pos)
    return _VALUE.match(text, pos)


def _assignments(text: str) -> str:
    """Redact the value of every ``key=value`` / ``key: value`` whose key names a secret.

    The key's match ends before the value, so a value that itself holds an assignment
    (``next=/login?token=...``) is looked at too; a redacted value is skipped over. Linear.
    """
    out: list[str] = []
    pos = 0
    for match in _KEY.finditer(text):
        if match.start() < pos:
            continue
        key = match.group(1)
        label = _secret_key(key)
        if label is None and key.lower() not in ("key", "apikey", "k"):
            continue
        if text.startswith("[redacted:", match.end()):
            continue
        value = _value_at(text, match.end(), match.group(2))
        if value is None:
            continue
        if label is None:  # a bare 'key=' counts only when its value looks like a random key
            if len(value.group()) < 16 or not _mixed(value.group()):
                continue
            label = "secret"
        out.append(text[pos:match.end()])
        out.append(_sub(label))
        pos = value.end()
    out.append(text[pos:])
    return "".join(out)


_ENCODED = re.compile(r"(?<![^\s\"'(<])(?:[a-z][a-z0-9+.-]{1,20}:/?/?)?[^\s\"'<>]{0,4096}+")


def _encoded(text: str) -> str:
    """A URL or query string with '+' or %-escapes ('q=api_key+%3D+S3cret'): scanned decoded as well; when the
    decoded form holds a secret it is stored decoded and redacted (nothing of the secret, encoded or not, stays)."""
    if "%" not in text and "+" not in text:
        return text

    def decoded(match: re.Match[str]) -> str:
        token = match.group()
        if ("%" not in token and "+" not in token) or ("=" not in token and "://" not in token):
            return token
        plain = urllib.parse.unquote_plus(token)
        if plain == token:
            return token
        clean = _scan(plain)
        return clean if clean != plain else token

    return _ENCODED.sub(decoded, text)


def _tool_passwords(text: str) -> str:
    """Passwords given to command-line tools: glued to -p (``mysql -pS3cret``, ``7z x -pS3cret``), after -p / -P
    (``sshpass -P assword -p S3cret``, ``zip -P S3cret``), and openssl-style ``-pass pass:S3cret``."""
    text = _PASS_ARG.sub(r"\1" + _sub("password"), text)
    if _GLUED_P_TOOLS.search(text):
        text = _GLUED_P.sub(r"\1" + _sub("password"), text)
    if _SPACED_P_TOOLS.search(text):
        text = _SPACED_P.sub(r"\1" + _sub("password"), text)
    return text


# ---------------------------------------------------------------- high-entropy tokens

def _entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_ONE_CASE = re.compile(r"[a-z0-9_.=+-]*+|[A-Z0-9_.=+-]*+")


def looks_random(token: str) -> bool:
    """A 32+ character token that mixes character classes and has high per-character entropy.

    Slash-separated tokens whose parts are each in one letter case read as paths and are kept.
    """
    if "/" in token and all(_ONE_CASE.fullmatch(part) for part in token.split("/")):
        return False
    classes = sum((any(c.isdigit() for c in token), any(c.islower() for c in token),
                   any(c.isupper() for c in token)))
    if classes < 2 or _entropy(token) < 3.6:
        return False
    if any(c.isdigit() or c in "+=" for c in token):
        return True
    letters = [c.isupper() for c in token if c.isalpha()]
    switches = sum(a != b for a, b in pairwise(letters))
    return switches >= 0.3 * len(letters)  # CamelCase words switch case far less often


def _token(match: re.Match[str]) -> str:
    token = match.group()
    if looks_random(token):
        return _sub("secret")
    if "/" in token:  # a random part inside a path-like run: 'docs/build/Xk3...'
        return "/".join(_sub("secret") if len(p) >= 32 and looks_random(p) else p for p in token.split("/"))
    return token


# ---------------------------------------------------------------- the pipeline

def _rule(pattern: re.Pattern[str], replacement: Any) -> Callable[[str], str]:
    return partial(pattern.sub, replacement)


_PIPELINE: list[Callable[[str], str]] = [
    _rule(_PRIVATE_KEY, _sub("private-key")),
    _rule(_URL_CREDENTIALS, _sub("url-credentials")),
    _rule(_AUTHORIZATION, _authorization),
    _rule(_BEARER, r"\1" + _sub("token")),
    _rule(_BASIC, _basic),
    _rule(_JWT, _sub("jwt")),
    _rule(_API_KEY, _api_key),
    _rule(_WEBHOOK, _sub("api-key")),
    vendored_rules.redact_vendored,
    _rule(_CLI_SECRET, r"\1" + _sub("password")),
    _tool_passwords,
    _assignments,
    _rule(_XML_ELEMENT, _xml_secret),
    _rule(_PROSE, _prose),
    _rule(N.EMAIL, N.email),
    _rule(N.IBAN, N.iban),
    _rule(N.PHONE, N.phone),
    _rule(N.DIGIT_RUN, N.cards),
    _rule(N.FINGERPRINT, _sub("fingerprint")),
    _rule(_HEX, _sub("hex")),
    _rule(_TOKEN, _token),
]


@lru_cache(maxsize=64)
def _compile(patterns: tuple[str, ...]) -> tuple[UserPattern, ...]:
    return tuple(compile_all(patterns))


def redact(text: str, extra: Sequence[str] = (), limit: int = MAX_REDACT) -> str:
    """Return `text` (cut to `limit` characters) with every recognised secret replaced by ``[redacted:<kind>]``.

    Never raises; if a user pattern times out or anything goes wrong the result is ``[redacted:unscannable]``.
    """
    if not text:
        return text
    try:
        text = cap(str(text), limit)
        extra_t = tuple(extra)
        if len(text) > 256:  # long texts rarely repeat: keep them out of the cache
            return _redact.__wrapped__(text, extra_t)
        return _redact(text, extra_t)
    except Exception:  # noqa: BLE001 - fail closed: a broken rule must neither leak nor stop a collector
        return UNSCANNABLE


@lru_cache(maxsize=512)  # titles repeat with every heartbeat; the function is pure, so caching is safe
def _redact(text: str, extra: tuple[str, ...]) -> str:
    for pattern in _compile(extra):
        replaced = pattern.sub("[redacted:custom]", text)
        if replaced is None:
            return UNSCANNABLE
        text = replaced
    return _scan(_encoded(text))


def _scan(text: str) -> str:
    """The built-in and vendored rules over `text` (no user patterns, no second look at encoded forms)."""
    for rule in _PIPELINE:
        text = rule(text)
    return text


def redact_value(value: Any, extra: Sequence[str] = (), limit: int = MAX_REDACT) -> Any:
    """Redact every string inside `value` (str, list, tuple, dict keys and values); other values pass unchanged.
    A key is scanned as text (a token used as a key) and together with its value (``{"password": "x y"}``)."""
    if isinstance(value, str):
        return redact(value, extra, limit)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            key = redact(k, extra, limit) if isinstance(k, str) else k
            if isinstance(k, str) and isinstance(v, str) and _secret_key(k) is not None and v \
                    and not v.startswith("[redacted:"):
                out[key] = _sub(_secret_key(k) or "secret")
                continue
            out[key] = redact_value(v, extra, limit)
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(v, extra, limit) for v in value)
    return value


def contains_secret(text: str, extra: Iterable[str] = ()) -> bool:
    """True when `redact` would change `text`."""
    return bool(text) and redact(text, tuple(extra)) != text
