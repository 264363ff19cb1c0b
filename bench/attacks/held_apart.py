"""A list of secret shapes kept apart from the tests that tune the redaction rules (tests/secret_shapes.py,
tests/test_redact_table.py): written from the categories docs/privacy.md promises, with other phrasings, other
services and other separators than the tests use, so the bench measures how the rules generalise.

Every shape is the text as a title, page, terminal or clipboard would show it, the secret parts that must never
be stored (`cores`), its category, and whether that category is promised (0 leaks allowed) or only attempted.
The secrets are generated at import time from a fixed seed: no real-looking key is written in the repository.
"""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass

PROMISED = ("password", "url-credentials", "api-key", "authorization", "private-key", "jwt", "card", "iban",
            "phone", "email", "fingerprint")
ATTEMPTED = ("random-token", "password-in-prose", "national-number")


@dataclass(frozen=True)
class Shape:
    category: str
    text: str
    cores: tuple[str, ...]

    @property
    def promised(self) -> bool:
        return self.category in PROMISED


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)

    def s(self, alphabet: str, n: int) -> str:
        return "".join(self.rnd.choice(alphabet) for _ in range(n))

    def pw(self) -> str:  # a password people type: words, digits, a symbol
        words = ["Maple", "river", "Quartz", "lantern", "Cobalt", "pepper", "Falcon", "meadow", "Tundra"]
        return self.rnd.choice(words) + self.s(string.digits, 2) + self.rnd.choice("!#%*") + self.rnd.choice(words)

    def phrase(self) -> str:
        words = ["Silver", "Otter", "Rises", "Under", "Blue", "Moon", "Seven", "Paper", "Kites", "Fly"]
        return " ".join(self.rnd.sample(words, 4)) + " " + self.s(string.digits, 2)

    def luhn(self, prefix: str, length: int) -> str:
        body = prefix + self.s(string.digits, length - len(prefix) - 1)
        for last in string.digits:
            digits = body + last
            total = 0
            for i, ch in enumerate(reversed(digits)):
                d = int(ch) * (2 if i % 2 else 1)
                total += d - 9 if d > 9 else d
            if total % 10 == 0:
                return digits
        raise AssertionError(prefix)

    def iban(self, country: str, bban_len: int, letters: int = 0) -> str:
        bban = self.s(string.ascii_uppercase, letters) + self.s(string.digits, bban_len - letters)
        number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        return f"{country}{98 - number % 97:02d}{bban}"


def _group(text: str, sep: str, size: int = 4) -> str:
    return sep.join(text[i:i + size] for i in range(0, len(text), size))


def shapes() -> list[Shape]:
    g = _Gen(7_711)
    out: list[Shape] = []

    def add(category: str, text: str, *cores: str) -> None:
        out.append(Shape(category, text, cores))

    AZ, az, d = string.ascii_uppercase, string.ascii_lowercase, string.digits
    an = AZ + az + d
    # ---- password: assignments, environment, config files, command lines, URLs
    p = [g.pw() for _ in range(40)]
    add("password", f"REDIS_PASSWORD={p[0]} docker compose up", p[0])
    add("password", f"$ export SMTP_PASS={p[1]}", p[1])
    add("password", f"vault_pass: {p[2]}", p[2])
    add("password", f'settings.json - "dbPassword": "{p[3]}"', p[3])
    add("password", f"<password>{p[4]}</password> - pom.xml", p[4])
    def words(phrase: str) -> tuple[str, ...]:  # every word but the first must go (digits too short to search)
        return tuple(w for w in phrase.split()[1:] if len(w) >= 4)

    ph = g.phrase()
    add("password", f'wifi.conf: psk="{ph}"', *words(ph))
    ph2 = g.phrase()
    add("password", f"Password='{ph2}' in deploy.sh", *words(ph2))
    ph3 = g.phrase()
    add("password", f'ADMIN_PASSWORD="{ph3}" ./install', *words(ph3))
    add("password", f"ldap_bind_pw = {p[5]}", p[5])
    add("password", f"mongodump --password={p[6]} --db crm", p[6])
    add("password", f"sshpass -p{p[7]} scp a.txt host:", p[7])
    add("password", f"SSHPASS={p[8]} sshpass -e ssh ops@bastion", p[8])
    add("password", f"sshpass -P 'Password:' -p '{p[9]}' ssh pi@raspberry", p[9])
    add("password", f"mariadb -uadmin -p{p[10]} -h db", p[10])
    add("password", f"7z a -p{p[11]} backup.7z ~/docs", p[11])
    add("password", f"unzip -P {p[12]} invoice.zip", p[12])
    add("password", f"openssl pkcs12 -export -passout pass:{p[13]} -out id.p12", p[13])
    add("password", f"http://camera.local/cgi?usr=admin&pwd={p[14]}", p[14])
    add("password", f"https://wifi.hotel.example/login?room=12&pw={p[15]}", p[15])
    add("password", f"router.lan/setup?user=root;password={p[16]}", p[16])
    add("password", f"Passwort: {p[17]} - Notizen", p[17])
    add("password", f"contraseña={p[18]} (correo)", p[18])
    add("password", f"mot_de_passe = {p[19]}", p[19])
    add("password", f"keystore.password={p[20]}", p[20])
    add("password", f"spring.datasource.password: {p[21]}", p[21])
    add("password", f"net use Z: \\\\srv\\share /user:corp\\bob {p[22]}" if False else
        f"smbclient //srv/share -U bob -p 445 --password {p[22]}", p[22])
    add("password", f"PGPASS={p[23]} make migrate", p[23])
    add("password", f"--db-pass {p[24]}", p[24])
    add("password", f"{{'user': 'svc', 'passwd': '{p[25]}'}}", p[25])
    # ---- url-credentials
    add("url-credentials", f"ftp://backup:{p[26]}@files.example.net/dump", p[26])
    add("url-credentials", f"mysql://app:{p[27]}@10.0.0.5:3306/shop", p[27])
    add("url-credentials", f"git remote add origin https://ci-bot:{p[28]}@code.example.org/x.git", p[28])
    add("url-credentials", f"smtp://mailer:{p[29]}@smtp.example.com:587", p[29])
    add("url-credentials", f"rediss://:{p[30]}@cache.example.io:6380", p[30])
    # ---- api-key: services with a known shape (some the tests never name)
    add("api-key", f"GITHUB_TOKEN=ghs_{g.s(an, 36)}", "ghs_")
    gho = "gho_" + g.s(an, 36)
    add("api-key", f"oauth {gho} - GitHub", gho)
    glrt = "glrt-" + g.s(an + "_-", 20)
    add("api-key", f"gitlab-runner register --token {glrt}", glrt)
    aws = "ASIA" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    add("api-key", f"aws_access_key_id = {aws}", aws)
    xoxp = f"xoxp-{g.s(d, 11)}-{g.s(d, 11)}-{g.s(d, 13)}-{g.s('0123456789abcdef', 32)}"
    add("api-key", f"slack token {xoxp}", xoxp)
    rk = "rk_live_" + g.s(an, 32)
    add("api-key", f"Stripe restricted key {rk}", rk)
    ant = "sk-ant-api03-" + g.s(an + "_-", 93) + "AA"
    add("api-key", f"ANTHROPIC_API_KEY={ant}", ant)
    oai = "sk-" + g.s(an, 20) + "T3BlbkFJ" + g.s(an, 20)
    add("api-key", f"openai.api_key = '{oai}'", oai)
    pypi = "pypi-AgEIcHlwaS5vcmc" + g.s(an + "_-", 60)
    add("api-key", f"twine upload -p {pypi}", pypi)
    npm = "npm_" + g.s(an, 36)
    add("api-key", f".npmrc: //registry.npmjs.org/:_authToken={npm}", npm)
    hf = "hf_" + g.s(an, 34)
    add("api-key", f"HF_TOKEN {hf}", hf)
    sg = "SG." + g.s(an + "_-", 22) + "." + g.s(an + "_-", 43)
    add("api-key", f"sendgrid: {sg}", sg)
    shp = "shpss_" + g.s("0123456789abcdef", 32)
    add("api-key", f"shopify app secret {shp}", shp)
    dop = "dop_v1_" + g.s("0123456789abcdef", 64)
    add("api-key", f"DIGITALOCEAN_TOKEN={dop}", dop)
    tg = g.s(d, 9) + ":AA" + g.s(an + "_-", 33)
    add("api-key", f"bot token {tg}", tg)
    mg = "key-" + g.s("0123456789abcdef", 32)
    add("api-key", f"mailgun_api_key: {mg}", mg)
    pmak = f"PMAK-{g.s('0123456789abcdef', 24)}-{g.s('0123456789abcdef', 34)}"
    add("api-key", f"postman {pmak}", pmak)
    lin = "lin_api_" + g.s(an, 40)
    add("api-key", f"LINEAR_API_KEY={lin}", lin)
    dp = "dp.pt." + g.s(an, 43)
    add("api-key", f"doppler token {dp}", dp)
    glc = "glc_" + g.s(an, 32)
    add("api-key", f"grafana cloud {glc}", glc)
    nr = "NRAK-" + g.s(AZ + d, 27)
    add("api-key", f"new relic user key {nr}", nr)
    sq = "EAAA" + g.s(an + "-_", 60)
    add("api-key", f"square access token {sq}", sq)
    az_sas = g.s(an + "+/", 43) + "="
    add("api-key", f"AccountKey={az_sas};EndpointSuffix=core.windows.net", az_sas)
    gcp = "AIza" + g.s(an + "_-", 35)
    add("api-key", f"firebase apiKey: \"{gcp}\"", gcp)
    dckr = "dckr_pat_" + g.s(an + "_-", 27)
    add("api-key", f"docker login -p {dckr}", dckr)
    ghw = f"https://discord.com/api/webhooks/{g.s(d, 18)}/{g.s(an + '_-', 68)}"
    add("api-key", ghw, ghw.rsplit("/", 1)[1])
    age = "AGE-SECRET-KEY-1" + g.s("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)
    add("api-key", f"age key {age}", age)
    # ---- authorization headers
    tok = g.s(an + "-._~", 48)
    add("authorization", f"Authorization: Bearer {tok}", tok)
    tok2 = g.s(an, 40)
    add("authorization", f"-H \"authorization: token {tok2}\"", tok2)
    basic = base64.b64encode(f"ops:{p[31]}".encode()).decode()
    add("authorization", f"Proxy-Authorization: Basic {basic}", basic)
    tok3 = g.s(an, 32)
    add("authorization", f"X-Auth-Token: {tok3}", tok3)
    tok4 = g.s(an, 30)
    add("authorization", f"Cookie: sessionid={tok4}; csrftoken=abc", tok4)
    # ---- private keys
    body = g.s(an + "+/", 40)
    add("private-key", f"-----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkqhkiG9w0BAQEFAAS{body}", body)
    body2 = g.s(an + "+/", 40)
    add("private-key", f"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG{body2}", body2)
    body3 = g.s(an + "+/", 40)
    add("private-key", f"PuTTY-User-Key-File-3: ssh-ed25519 ... -----BEGIN DSA PRIVATE KEY----- {body3}", body3)
    # ---- jwt
    jwt = "eyJhbGciOiJSUzI1NiJ9." + g.s(an + "_-", 60) + "." + g.s(an + "_-", 50)
    add("jwt", f"id_token={jwt}", jwt.split(".")[1])
    jwt2 = "eyJ0eXAiOiJKV1QifQ." + g.s(an + "_-", 40) + "." + g.s(an + "_-", 43)
    add("jwt", f"debug: {jwt2} (expired)", jwt2.split(".")[1])
    # ---- cards: brands, groupings, separators
    seps = [" ", "-", ".", "\u2013", "\u2009", "\u00a0", "\u202f", "  ", "\u2014", "\u2212"]
    brands = [("4", 16), ("51", 16), ("2221", 16), ("34", 15), ("6011", 16), ("35", 16), ("4", 19), ("62", 16)]
    for i, (prefix, length) in enumerate(brands):
        n = g.luhn(prefix, length)
        sep = seps[i % len(seps)]
        grouped = _group(n, sep) if length != 15 else f"{n[:4]}{sep}{n[4:10]}{sep}{n[10:]}"
        add("card", f"Card {grouped} exp 11/28", *[part for part in grouped.split(sep) if len(part) >= 4][1:3])
    n = g.luhn("4", 16)
    add("card", f"pan={n}", n)
    n = g.luhn("5", 16)
    add("card", f"Kartennummer {_group(n, chr(0x2009))} – Zahlung", _group(n, chr(0x2009)))
    # ---- IBANs: countries, separators
    for country, length, letters, sep in (("FR", 23, 5, " "), ("NL", 14, 4, "-"), ("ES", 20, 0, "."),
                                          ("IT", 23, 1, "\u2009"), ("CH", 17, 0, "\u00a0"), ("BE", 12, 0, "-"),
                                          ("AT", 16, 0, "\u2013")):
        value = g.iban(country, length, letters)
        grouped = _group(value, sep)
        add("iban", f"IBAN: {grouped}", grouped[len(grouped) // 3:len(grouped) // 3 + 8])
    # ---- international phone numbers
    for text, core in ((f"+33 6 {g.s(d, 2)} {g.s(d, 2)} {g.s(d, 2)} {g.s(d, 2)}", None),
                       (f"+44\u20097{g.s(d, 3)}\u2009{g.s(d, 6)}", None), (f"+1-212-{g.s(d, 3)}-{g.s(d, 4)}", None),
                       (f"+81 (0)3-{g.s(d, 4)}-{g.s(d, 4)}", None), (f"+49.171.{g.s(d, 7)}", None),
                       (f"tel:+3491{g.s(d, 7)}", None)):
        add("phone", f"Call {text} - WhatsApp", core or text[-6:])
    # ---- e-mail addresses
    for addr in (f"{g.s(az, 6)}.{g.s(az, 7)}@{g.s(az, 8)}.de", f"{g.s(az, 5)}_{g.s(d, 3)}@mail.{g.s(az, 6)}.co.jp",
                 f"{g.s(az, 4)}+invoices@{g.s(az, 7)}.io", f"\"{g.s(az, 5)}\" <{g.s(az, 5)}.{g.s(az, 5)}@{g.s(az, 6)}.org>"):
        core = addr.split("<")[-1].rstrip(">")
        add("email", f"From: {addr} - Inbox", core)
    # ---- key fingerprints
    fp = ":".join(g.s("0123456789abcdef", 2) for _ in range(20))
    add("fingerprint", f"SHA1 Fingerprint={fp}", fp)
    fp2 = "SHA256:" + base64.b64encode(g.rnd.randbytes(32)).decode().rstrip("=")
    add("fingerprint", f"The key fingerprint is {fp2} bob@laptop", fp2)
    fp3 = " ".join(g.s("0123456789ABCDEF", 4) for _ in range(10))
    add("fingerprint", f"Primary key fingerprint: {fp3}", fp3)
    # ---- attempted, not promised: tokens with no context, passwords in prose, national numbers
    add("random-token", f"build {g.s(an, 40)} done", "")
    t = g.s(an, 36)
    add("random-token", f"copy this: {t}", t)
    t = g.s(az + d, 24)
    add("random-token", f"code {t}", t)
    add("password-in-prose", f"my password is {p[32]} don't tell", p[32])
    add("password-in-prose", f"new wifi: {p[33]}", p[33])
    add("password-in-prose", "PIN 4829 for the door - Notes", "4829")
    add("national-number", f"Ring 030 {g.s(d, 8)} tomorrow", "")
    add("national-number", f"Sozialversicherungsnummer {g.s(d, 2)} {g.s(d, 6)} A {g.s(d, 3)}", "")
    return [s for s in out if any(s.cores)]


SHAPES = shapes()
