"""Who a reply goes to, and how it starts and ends, read from the shared message (e-mail or chat), never guessed
by the model.

    msg = parse_message("From: Dr. Lee <lee@uni.example>\\n\\nDear Maria,\\n\\nCould you send ...?\\n\\nBest wishes,\\nDr. Lee")
    msg.sender, msg.user            # "Dr. Lee", "Maria" (the name the sender greeted is the user's)
    opening(msg)                    # "Dear Dr. Lee,": the reply greets the sender, in the original's register
    outline(msg)                    # the greeting, each question quoted with a line to answer it, a closing

`DraftCut` filters the model's draft as it streams: its own greeting line is dropped (the checked one is shown
first), and the draft ends at a pseudo-tag line (`</reply>`) or a line written three times in a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Salutations that open a message, several languages; the ones that carry a gender or a time of day are
# answered with a neutral word of the same language (NEUTRAL), the others are kept as the sender wrote them.
_SALUTE = (r"dear|hi|hello|hey|hiya|greetings|good (?:morning|afternoon|evening)|hallo|hall[öo]chen|moin|servus|"
           r"gr[üu](?:ß|ss) (?:gott|dich|euch)|sehr geehrte[rs]?|liebe[rs]?|guten (?:tag|morgen|abend)|bonjour|"
           r"bonsoir|salut|coucou|ch[eè]re?s?|hola|buen[oa]s (?:d[ií]as|tardes|noches)|estimad[oa]s?|querid[oa]s?|"
           r"ciao|salve|buongiorno|buonasera|gentile|gentil[ei]ssim[oa]|car[oa]|ol[áa]|oi|prezad[oa]s?|hoi|beste|"
           r"goedemorgen|hej|hei|dzie[ńn] dobry|cze[śs][ćc]|привет|здравствуйте")
_GREETING = re.compile(rf"(?i)^\s*(?P<word>{_SALUTE})(?![\w-])[ \t]*(?P<name>[^\s,!:;.?][^,!:;\n?]{{0,40}}?)?"
                       r"[ \t]*(?:(?P<punct>[,!:;])|(?=\n|$))")
NEUTRAL = {"good morning": "Hello", "good afternoon": "Hello", "good evening": "Hello", "liebe": "Hallo",
           "lieber": "Hallo", "liebes": "Hallo", "sehr geehrte": "Guten Tag", "sehr geehrter": "Guten Tag",
           "sehr geehrtes": "Guten Tag", "guten morgen": "Guten Tag", "guten abend": "Guten Tag",
           "cher": "Bonjour", "chère": "Bonjour", "chere": "Bonjour", "chers": "Bonjour", "chères": "Bonjour",
           "bonsoir": "Bonjour", "estimado": "Hola", "estimada": "Hola", "querido": "Hola", "querida": "Hola",
           "buenas tardes": "Hola", "buenas noches": "Hola", "buenos días": "Hola", "buenos dias": "Hola",
           "caro": "Ciao", "cara": "Ciao", "buonasera": "Buongiorno", "gentilissimo": "Gentile",
           "gentilissima": "Gentile", "prezado": "Olá", "prezada": "Olá", "goedemorgen": "Hallo"}
# Formal salutations greet the full name as written in From: ("Dear Anna Berg"); the others the first name.
_FORMAL = re.compile(r"(?i)^(?:dear|greetings|sehr geehrte|guten tag|gentile|gentil|estimad|prezad|beste|"
                     r"ch[eè]r|dzie|здравствуйте)")
_NOT_A_PERSON = re.compile(r"(?i)^(?:all|everyone|everybody|team|folks|guys|there|y'?all|colleagues|friends|"
                           r"customer|client|sir|madam|sir or madam|sir/madam|member|user|both|you|alle|zusammen|"
                           r"kollegen|team|tous|à tous|todos|tutti|allemaal|allihop|all of you|valued \w+)\b")
_TITLE = re.compile(r"(?i)^(?:dr|prof|mr|mrs|ms|miss|mx|frau|herr|mme|mlle|m|sr|sra|srta|sig|sig\.ra|dott|"
                    r"dott\.ssa|ing)\.?(?:\s|$)")
_CLOSING = re.compile(r"(?i)^\s*(?P<close>(?:best|kind|warm|many thanks|thanks|thank you|thx|cheers|regards|"
                      r"sincerely|yours|all the best|best wishes|with best|take care|talk soon|"
                      r"(?:viele|beste|liebe|herzliche|freundliche) gr[üu](?:ß|ss)e|mit freundlichen gr[üu](?:ß|ss)en|"
                      r"gru(?:ß|ss)|lg|vg|mfg|danke|cordialement|bien [àa] vous|bisous|amicalement|merci|saludos|"
                      r"un saludo|atentamente|gracias|cordiali saluti|saluti|grazie|a presto|abra[çc]os|"
                      r"atenciosamente|obrigad[oa]|groeten|met vriendelijke groet|mvh|h[äa]lsningar|pozdrawiam)"
                      r"[^\n]{0,30}?)\s*[,!.]?\s*(?:[,—–-]\s*(?P<name>[^\s,][^\n,]{0,40}))?\s*$")
_HEADER = re.compile(r"(?im)^(?:from|von|de|da|van|to|an|à|a|cc|date|datum|sent|gesendet|envoyé|subject|betreff|"
                     r"objet|asunto|oggetto|onderwerp|assunto)\s*:[^\n]*(?:\n|$)")
_FROM = re.compile(r"(?im)^(?:from|von|de|da|van)\s*:\s*(.+)$")
_SUBJECT = re.compile(r"(?im)^(?:subject|betreff|objet|asunto|oggetto|onderwerp|assunto)\s*:\s*(.+)$")
_ADDRESS = re.compile(r"^\s*\"?(?P<name>[^\"<]*?)\"?\s*<(?P<email>[^>\s]+@[^>\s]+)>\s*$|^\s*(?P<bare>[^\s<>]+@[^\s<>]+)\s*$")
_NAME = r"[^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*){0,3}"
# Chat copies: "Priya Nair  10:42 AM" (Slack), "Priya — Today at 10:42" (Discord), "[10:42] Priya: hi",
# "12/06/24, 10:42 - Priya: hi" (WhatsApp), "Priya: hi".
_CHAT = (re.compile(rf"(?m)^(?P<name>{_NAME})[ \t]+(?:[—–-][ \t]*)?(?:today at |yesterday at )?\d{{1,2}}:\d{{2}}"
                    r"(?:\s*[AP]M)?[ \t]*$", re.IGNORECASE),
         re.compile(rf"(?m)^(?:\[[^\]\n]{{1,25}}\][ \t]*|[\d/.,: -]{{8,22}}[ \t]*[-–][ \t]*)?"
                    rf"(?P<name>{_NAME}):[ \t]+(?=\S)"))
_NOT_A_SPEAKER = re.compile(r"(?i)^(?:note|notes|reminder|update|ps|p\.s|re|fw|fwd|todo|question|important|edit|"
                            r"warning|error|info|tip|answer|agenda|summary|action|deadline|when|where|what|why)$")
_REQUEST = re.compile(r"(?i)\b(please|could you|can you|would you|let me know|send|confirm|bitte|könnten sie|"
                      r"kannst du|pourriez-vous|merci de|por favor|per favore)\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[^\W_]|[\"'(¿¡])")
_ROLE = re.compile(r"(?i)^(?:billing|support|info|noreply|no-reply|sales|admin|office|team|hr|accounts?|"
                   r"service|help|contact|hello|mail|notifications?)$")


@dataclass
class Message:
    """What a reply needs from the message it answers."""

    sender: str = ""  # the sender's name as given (display name, else their sign-off, else the address)
    address: str = ""  # the sender's e-mail address, when given
    call: str = ""  # how the sender signs or is called ("Priya" for Priya Nair)
    user: str = ""  # the person the message greeted, i.e. the user ("" when it greeted "all", "customer", ...)
    salutation: str = ""  # the message's greeting word ("Dear", "Hallo", ...)
    closing: str = ""  # the message's closing ("Best wishes")
    subject: str = ""
    chat: bool = False  # a chat copy (no From:, or a "Name  10:42" line): replies have no closing
    sentences: list[str] = field(default_factory=list)  # the body without greeting and sign-off

    @property
    def questions(self) -> list[str]:
        return [s for s in self.sentences if s.endswith("?")]

    @property
    def requests(self) -> list[str]:
        return [s for s in self.sentences if not s.endswith("?") and _REQUEST.search(s)]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _person(name: str) -> str:
    """'Nair, Priya' -> 'Priya Nair'; surrounding quotes and spaces gone."""
    name = " ".join(name.strip().strip("\"'").split())
    if name.count(",") == 1 and "@" not in name:
        last, first = (p.strip() for p in name.split(","))
        name = f"{first} {last}" if first and last else name
    return name


def _from_address(email: str) -> str:
    """'priya.nair@x' -> 'Priya Nair'; a role address ('billing@', 'noreply@') names no one: ''."""
    local = email.split("@", 1)[0]
    parts = [p for p in re.split(r"[._+-]+", local) if p]
    if not parts or _ROLE.match(local) or any(not p.isalpha() for p in parts) or len(parts) > 3:
        return ""
    return " ".join(p.capitalize() for p in parts)


def parse_message(text: str) -> Message:
    """The sender, the greeted user, greeting and closing words and the body sentences of an e-mail or chat
    copy; every name comes from the text itself."""
    msg = Message()
    text = text.replace("\r\n", "\n")
    sender = _FROM.search(text)
    subject = _SUBJECT.search(text)
    msg.subject = subject.group(1).strip() if subject else ""
    if sender:
        m = _ADDRESS.match(sender.group(1))
        if m and m.group("email"):
            msg.sender, msg.address = _person(m.group("name")), m.group("email")
        elif m:
            msg.address = m.group("bare")
        else:
            msg.sender = _person(sender.group(1))
    body = _HEADER.sub("", text)
    if not sender:
        speakers = [(m.start(), m.group("name").strip(), m.end()) for rx in _CHAT for m in rx.finditer(body)
                    if not _GREETING.match(m.group("name")) and not _NOT_A_SPEAKER.match(m.group("name"))]
        if speakers:
            _, name, end = max(speakers)  # the last message in the copy is the one to answer
            msg.sender, msg.chat = name, True
            body = body[end:]  # a match ends where the message starts
        else:
            msg.chat = True  # a copied message without a header: a chat, or the body alone
    lines = [line.rstrip() for line in body.strip("\n").splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines:
        g = _GREETING.match(lines[0])
        if g:
            msg.salutation = g.group("word")
            name = (g.group("name") or "").strip()
            if name and not _NOT_A_PERSON.match(name) and name[0].isupper():
                msg.user = name
            lines[0] = lines[0][g.end():].strip()
    lines = _cut_signoff(msg, lines)
    flat = " ".join(" ".join(lines).split())
    msg.sentences = [s.strip() for s in _SENTENCE.split(flat) if s.strip()]
    if not msg.sender and msg.call:
        msg.sender = msg.call
    if not msg.sender and msg.address:
        msg.sender = _from_address(msg.address)
    if msg.sender and _ROLE.match(msg.sender) and msg.call and msg.sender.lower() in msg.call.lower():
        msg.sender = msg.call  # "Billing" signed "Printshop billing"
    return msg


def _cut_signoff(msg: Message, lines: list[str]) -> list[str]:
    """Drop the closing and the signature at the end ("Best wishes,\\nDr. Lee"), keeping what they say."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    for i in content[-3:]:
        m = _CLOSING.match(lines[i])
        if not m or len(lines[i].strip()) > 45:
            continue
        after = [lines[j].strip() for j in content if j > i]
        name = (m.group("name") or (after[0] if after else "")).strip()
        if len(after) > 1 or (name and not re.fullmatch(_NAME, name)):
            continue
        line = lines[i].strip()
        msg.closing = line[:m.start("name")].rstrip(" ,—–-") + "," if m.group("name") else line
        msg.call = name
        return lines[:i]
    return lines


def _first_name(msg: Message) -> str:
    """How an informal greeting names the sender: their sign-off name when it is part of their name, the first
    name otherwise; a title keeps the full name ("Dr. Lee")."""
    if not msg.sender or _TITLE.match(msg.sender):
        return msg.sender
    if msg.call and msg.call.split()[0].lower() in msg.sender.lower().split():
        return msg.call
    return msg.sender.split()[0]


def opening(msg: Message) -> str:
    """The reply's greeting: the sender's name in the original's register ("Dear Dr. Lee,", "Hi Priya,",
    "Hallo Priya,"); never the person the original greeted."""
    word = msg.salutation
    if word:
        word = NEUTRAL.get(word.lower(), word)
        word = word[0].upper() + word[1:]
    else:
        word = "Hi" if msg.chat else "Hello"
    name = msg.sender if _FORMAL.match(word) else _first_name(msg)
    if name and msg.user and name.lower() == msg.user.lower():
        name = ""  # the message names only the user: better no name than the wrong one
    return f"{word} {name}," if name else f"{word},"


def _signer(msg: Message) -> str:
    """How the reply is signed: the user's name as the message greeted them, else a placeholder."""
    return msg.user if msg.user and not _TITLE.match(msg.user) else "[your name]"


def outline(msg: Message, limit: int = 6) -> str:
    """A reply skeleton built only from the message: the greeting, each question and request quoted with a
    place for the answer, the closing and the user's name when the message gave it."""
    asks = [s for s in msg.sentences if s.endswith("?") or _REQUEST.search(s)][:limit]
    parts = [opening(msg), ""]
    for s in asks:
        parts += [f"> {s}", "[your answer]", ""]
    if not asks:
        parts += ["[your reply]", ""]
    if not msg.chat:
        parts += [msg.closing or "Best regards,", _signer(msg)]
    return "\n".join(parts).strip()


class DraftCut:
    """Filters the model's draft of a reply to `msg` as it streams: a greeting it writes first is dropped (the
    checked `opening` is shown before it), a signature in the sender's name is signed with the user's, and the
    draft ends at a pseudo-tag line ("</reply>"), a line written twice in a row ("P.S.", "Priya") or its
    greeting written again. Used like RepeatGuard: `feed(piece)`, `stopped`, `flush()`."""

    JUDGE_AFTER = 60  # characters of a first line without a newline that are enough to judge it

    def __init__(self, msg: Message) -> None:
        self.opening = opening(msg)
        self.not_me = {n.lower() for n in (msg.sender, msg.call, _first_name(msg)) if n} - {msg.user.lower()}
        self.me = _signer(msg)
        self.source = _norm(" ".join(msg.sentences))  # the message's own words, which the model may echo
        self.greeting = ""  # the greeting the model wrote first (dropped)
        self.line = ""  # the line being written
        self.shown = 0  # how much of it has been shown
        self.started = False  # the first line has been judged
        self.skip_blank = False  # a blank line now would follow a blank or dropped line: drop it
        self.last: list[str] = []  # the latest non-blank complete line
        self.echoed = 0  # lines of the message the model copied back (dropped)
        self.own = 0  # lines of its own shown, closing and signature aside
        self.stopped = False

    @property
    def note(self) -> str:
        """Said after the draft when the model only copied the message back."""
        return "\n*(The model only copied the message back; use the outline above.)*\n" if self.echoed \
            and not self.own else ""

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        self.line += piece
        out: list[str] = []
        while "\n" in self.line and not self.stopped:
            line, self.line = self.line.split("\n", 1)
            out.append(self._complete(line))
            self.shown = 0
        if not self.stopped and not self.started and len(self.line.strip()) >= self.JUDGE_AFTER:
            self.line = self._judge_first(self.line)
        if not self.stopped and self.started and self.line and not self._held(self.line.strip()):
            out.append(self.line[self.shown:])
            self.shown = len(self.line)
        return "".join(out)

    def _judge_first(self, line: str) -> str:
        """The first line without the model's own greeting."""
        self.started = True
        g = _GREETING.match(line)
        if g and (g.group("punct") or not line[g.end():].strip()):
            self.skip_blank = True
            self.greeting = line[:g.end()].strip()
            rest = line[g.end():].lstrip()
            return rest[:1].upper() + rest[1:]
        return line

    def _held(self, text: str) -> bool:
        """A partial line that may turn out to end the draft is shown only once complete."""
        repeat = bool(self.last) and self.last[-1].startswith(text)
        return text.startswith(("<", "[")) or repeat or bool(self.greeting) and self.greeting.startswith(text) \
            or any(n.startswith(text.lower()) for n in self.not_me) or _norm(text) in self.source

    def _complete(self, line: str) -> str:
        if not self.started:
            if not line.strip():
                return ""
            line = self._judge_first(line)
        text = line.strip()
        if not text:
            if self.skip_blank:
                return ""
            self.skip_blank = True  # one blank line between paragraphs, even where a line was dropped
            return line[self.shown:] + "\n"
        if re.fullmatch(r"</?[A-Za-z][\w-]*>", text) or text in (self.greeting, *self.last[-1:]):
            self.stopped = True  # the draft has ended, or the model starts over
            return ""
        self.last = [text]
        if len(_norm(text)) >= 20 and _norm(text) in self.source and not self.shown:
            self.echoed += 1
            return ""  # the message's own sentences copied back are not a reply
        self.skip_blank = False
        signed = re.fullmatch(r"(?i)\[?your name\]?", text) or text.rstrip(".,!").lower() in self.not_me
        if signed and not self.shown:
            return line.replace(text, self.me) + "\n"  # a placeholder, or the model signed as the sender
        self.own += not _CLOSING.match(text)
        return line[self.shown:] + "\n"

    def flush(self) -> str:
        """The held-back end of the last line (the stream ended first)."""
        if self.stopped or not self.line:
            return ""
        line, self.line = self.line, ""
        out = self._complete(line)
        return out[:-1]
