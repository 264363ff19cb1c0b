"""Realistic secret shapes (invented, generated from a fixed seed) for the leak tests of every entry point.

Each shape is the text as it would appear in a window title, a page, the clipboard or typed text, and the
`cores`: the parts that must never reach a file. The secrets are built at import time, so no real-looking
key is written in the repository.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass

_rnd = random.Random(20240601)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
HEX = "0123456789abcdef"


def pick(alphabet: str, n: int) -> str:
    return "".join(_rnd.choice(alphabet) for _ in range(n))


def luhn_complete(prefix: str) -> str:
    for last in "0123456789":
        digits = prefix + last
        total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d
                    for i, d in enumerate(int(c) for c in reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError(prefix)


def iban(country: str, bban: str) -> str:
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


@dataclass(frozen=True)
class Shape:
    name: str
    text: str
    cores: tuple[str, ...]
    ascii_typable: bool = True  # xdotool can type it and the input listener sees the same characters


def _shapes() -> list[Shape]:
    pw = lambda: pick(ALNUM, 6) + "9xQ" + pick(ALNUM, 5)
    card = luhn_complete("4" + pick("0123456789", 14))
    amex = luhn_complete("37" + pick("0123456789", 12))
    mc = luhn_complete("51" + pick("0123456789", 13))
    groups = lambda n: [n[i:i + 4] for i in range(0, len(n), 4)]
    de_iban = iban("DE", pick("0123456789", 18))
    gb_iban = iban("GB", "NWBK" + pick("0123456789", 14))
    jwt = ("eyJ" + pick(ALNUM, 17) + "." + pick(ALNUM + "_-", 40) + "." + pick(ALNUM + "_-", 43))
    basic = base64.b64encode(f"deploy:{pw()}".encode()).decode()
    b64 = base64.b64encode(_rnd.randbytes(36)).decode()
    fp_pgp = " ".join(groups(pick("0123456789ABCDEF", 40)))
    fp_md5 = ":".join(pick(HEX, 2) for _ in range(16))
    ssh_fp = "SHA256:" + base64.b64encode(_rnd.randbytes(32)).decode().rstrip("=")
    out: list[tuple[str, str, tuple[str, ...], bool]] = []

    def add(name: str, text: str, *cores: str, typable: bool = True) -> None:
        out.append((name, text, cores, typable))

    v = [pw() for _ in range(30)]
    add("env DB_PASSWORD", f"export DB_PASSWORD={v[0]} && ./manage.py migrate", v[0])
    add("env PGPASSWORD", f"PGPASSWORD={v[1]} psql -h db.internal -U app", v[1])
    heroku = f"{pick(HEX, 8)}-{pick(HEX, 4)}-{pick(HEX, 4)}-{pick(HEX, 4)}-{pick(HEX, 12)}"
    add("env HEROKU_API_KEY", f"HEROKU_API_KEY={heroku} heroku apps", heroku)
    add("env MYSQL_ROOT_PASSWORD", f"docker run -e MYSQL_ROOT_PASSWORD={v[2]} mysql:8", v[2])
    aws_secret = pick(ALNUM, 20) + "/" + pick(ALNUM, 7) + "/" + pick(ALNUM, 11)
    add("env AWS_SECRET_ACCESS_KEY", f"AWS_SECRET_ACCESS_KEY={aws_secret} aws s3 ls", aws_secret)
    add("query client_secret", f"https://auth.example.org/token?client_id=web&client_secret={v[3]}", v[3])
    token = pick(ALNUM, 28)
    add("query access_token", f"https://api.example.org/me?access_token={token} - Chromium", token)
    add("fragment access_token", f"https://app.example.org/cb#access_token={v[4]}&state=xyz", v[4])
    add("query &pass=", f"http://router.local/login.cgi?user=admin&pass={v[5]}", v[5])
    add("query PASSWORD upper", f"http://nas.local/api?USER=root&PASSWORD={v[6]}", v[6])
    add("query sig (SAS)", f"https://acct.blob.core.windows.net/c/f.zip?sv=2022-11-02&sig={v[7]}%3D", v[7])
    add("nested redirect token", f"https://sso.example.org/login?next=/cb?token={v[8]}", v[8])
    add("redis no user", f"redis-cli -u redis://:{v[9]}@cache.internal:6379/0", v[9])
    add("postgres url", f"postgres://app:{v[10]}@db.internal:5432/prod", v[10])
    add("mongodb+srv url", f"mongodb+srv://admin:{v[11]}@cluster0.example.net/test", v[11])
    add("https url creds", f"git clone https://bob:{v[12]}@git.example.org/team/repo.git", v[12])
    add("amqp url", f"amqp://guest:{v[13]}@mq.internal:5672/", v[13])
    add("card dots", "pay " + ".".join(groups(card)) + " now", card, *groups(card)[1:3])
    add("card double spaces", "Card  " + "  ".join(groups(mc)) + "  exp 04/29", mc, "  ".join(groups(mc)))
    add("card plain", f"card:{card}", card)
    add("card dashes", "-".join(groups(mc)), "-".join(groups(mc)))
    add("card spaces", " ".join(groups(card)), " ".join(groups(card)))
    add("card amex 4-6-5", f"Amex {amex[:4]} {amex[4:10]} {amex[10:]}", amex[4:10] + " " + amex[10:])
    add("card nbsp", "\u00a0".join(groups(card)), "\u00a0".join(groups(card)), typable=False)
    add("pgp private key header", "key.asc - -----BEGIN PGP PRIVATE KEY BLOCK----- lQOYBGX" + pick(ALNUM, 20),
        "BEGIN PGP PRIVATE KEY BLOCK")
    add("openssh private key", "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA" + pick(ALNUM, 24),
        "OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAA")
    add("rsa private key", "-----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEA" + pick(ALNUM, 24), "MIIEpAIBAAKCAQEA")
    add("ec private key", "id.pem: -----BEGIN EC PRIVATE KEY-----MHcCAQEEI" + pick(ALNUM, 20), "MHcCAQEEI")
    akia = "AKIA" + pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    add("aws access key id", f"{akia} - IAM Management Console", akia)
    ghp = "ghp_" + pick(ALNUM, 36)
    add("github classic token", f"Deploy {ghp}", ghp)
    pat = "github_pat_" + pick(ALNUM, 22) + "_" + pick(ALNUM, 59)
    add("github fine-grained token", pat, pat)
    glpat = "glpat-" + pick(ALNUM, 20)
    add("gitlab token", f"GITLAB_TOKEN {glpat}", glpat)
    slack = "xoxb-" + pick("0123456789", 12) + "-" + pick("0123456789", 13) + "-" + pick(ALNUM, 24)
    add("slack bot token", slack, slack)
    openai = "sk-proj-" + pick(ALNUM + "_-", 48)
    add("openai key", f"OPENAI_API_KEY {openai}", openai)
    stripe = "sk_live_" + pick(ALNUM, 24)
    add("stripe live key", f"Stripe {stripe}", stripe)
    google = "AIza" + pick(ALNUM + "_-", 35)
    add("google api key", f"https://maps.googleapis.com/maps/api/js?key={google}", google)
    npm = "npm_" + pick(ALNUM, 36)
    add("npm token", f"//registry.npmjs.org/:_authToken={npm}", npm)
    hf = "hf_" + pick(ALNUM, 34)
    add("huggingface token", f"huggingface-cli login --token {hf}", hf)
    sendgrid = "SG." + pick(ALNUM + "_-", 22) + "." + pick(ALNUM + "_-", 43)
    add("sendgrid key", sendgrid, sendgrid)
    do = "dop_v1_" + pick(HEX, 64)
    add("digitalocean token", f"doctl auth init -t {do}", do)
    shop = "shpat_" + pick(HEX, 32)
    add("shopify token", shop, shop)
    twilio = "SK" + pick(HEX, 32)
    add("twilio api key", f"Twilio key {twilio}", twilio)
    tg = pick("0123456789", 10) + ":AA" + pick(ALNUM + "_-", 33)
    add("telegram bot token", f"https://api.telegram.org/bot{tg}/getMe", tg)
    hook = "T" + pick(ALNUM, 8) + "/B" + pick(ALNUM, 8) + "/" + pick(ALNUM, 24)
    add("slack webhook", f"https://hooks.slack.com/services/{hook}", hook.split("/")[-1])
    add("jwt", f"jwt.io - {jwt}", jwt.split(".")[1])
    bearer = pick(ALNUM + "._-", 40)
    add("bearer header", f"curl -H 'Authorization: Bearer {bearer}'", bearer)
    add("basic header", f"Authorization: Basic {basic}", basic)
    drf = pick(HEX, 20)
    add("token header", f"Authorization: Token {drf}", drf)
    xkey = pick(ALNUM, 24)
    add("x-api-key header", f"X-API-Key: {xkey}", xkey)
    add("api_key assignment", f"settings.py api_key = '{v[14]}'", v[14])
    add("json secret", f'{{"client_secret": "{v[15]}"}}', v[15])
    add("yaml token", f"token: {v[16]}", v[16])
    add("cli --password", f"mysqldump --password {v[17]} shop", v[17])
    add("cli --password=", f"psql --password={v[18]}", v[18])
    add("sshpass -p", f"sshpass -p '{v[19]}' ssh deploy@web1", v[19])
    add("mysql -p", f"mysql -u root -p{v[20]} shop", v[20])
    add("otpauth secret", f"otpauth://totp/Acme:bob?secret={pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}"
        "&issuer=Acme", "otpauth://totp/Acme:bob?secret=J")
    add("docker auth", f'"auth": "{basic}"', basic)
    add("email", "Re: invoice - bob.smith@example.com - Thunderbird", "bob.smith@example.com")
    add("email in url", "mailto:carol+news@mail.example.co.uk", "carol+news@mail.example.co.uk")
    hex32 = pick(HEX, 32)
    add("hex 32", f"api key {hex32}", hex32)
    hex64 = pick(HEX, 64)
    add("hex 64", f"sha256 {hex64}", hex64)
    add("base64 blob", f"secret blob {b64}", b64)
    add("iban de", f"Transfer to {' '.join(groups(de_iban))}", " ".join(groups(de_iban)))
    add("iban gb compact", f"IBAN {gb_iban}", gb_iban)
    add("phone us", "Call +1 415 555 2671 - Zoom", "415 555 2671")
    add("phone de", "Rückruf +49 30 12345678", "12345678", typable=False)
    add("phone tel uri", "tel:+442079460958", "2079460958")
    add("pgp fingerprint", f"Key fingerprint = {fp_pgp}", fp_pgp)
    add("md5 fingerprint", f"RSA key fingerprint is {fp_md5}", fp_md5)
    add("ssh sha256 fingerprint", f"ED25519 key fingerprint is {ssh_fp}.", ssh_fp)
    return [Shape(n, t, c, ty) for n, t, c, ty in out]


SHAPES = _shapes()
