"""Find personal data of the raw sources in what BI can read (tests/test_privacy.py).

Personal data is collected from ``raw.*`` (what the sources sent): every e-mail
address and Indonesian phone number found in any value, every person's full name
found where the sources put names (Deskpro people, WhatsApp profile names and the
name typed into the chatbot's registration form, PPID requesters), and WhatsApp's
business-scoped user ids and usernames. Staff (agents) are not collected: the report
names agents on purpose. A single given name ("Budi") is not searched for: it is no
one in particular, and it is also a word of region and institution names.

It is then searched for in every value of every relation a role can select, and in
output files, as written, URL-decoded (``%40``) and base64-decoded (a WhatsApp
message id ``wamid.HBgM…`` is base64 and holds the phone number), and as an
unsalted md5/sha1/sha256 hex digest of the value (digests of phone numbers are
reversed by trying every number). A keyed HMAC (``pseudonymise()`` in dbt) is not a
digest of the value and is not found.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from psycopg import sql

from tests.helpers import strings

EMAIL = re.compile(r"[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.I)
# an Indonesian mobile number (+62 8…, 62 8…, 08…), digits possibly grouped by spaces, dots or dashes
MOBILE = re.compile(r"(?<![\d])(?:\+?62|0)[ .-]?8\d(?:[ .-]?\d){6,10}(?!\d)")
# keys whose whole value is a phone number (mobile or landline): WhatsApp ids, Avaya CDR parties
PHONE_KEYS = {"from", "wa_id", "recipient_id", "calling_num", "dialed_num"}
# keys whose value identifies a WhatsApp user without the number: the business-scoped user id
# (BSUID, "ID.1349…", also relayed in `from` by some BSPs); a WhatsApp username is its
# contact profile's `username` (walk). Not any `username`: Meta and X name our own accounts so.
USER_ID_KEYS = {"user_id", "parent_user_id", "from_user_id", "recipient_user_id"}
# keys whose value is a Message-ID (an opaque id with an @, not a mailbox)
MESSAGE_ID_KEYS = {"message_id", "in_reply_to", "references"}
# keys whose value is a person's name (PPID requesters, as parsed and as the cell was headed)
NAME_KEYS = {"requester", "pemohon nama"}
# keys whose value is a message a user wrote (WhatsApp text.body), where forms give names
MESSAGE_KEYS = {"body"}
FORM_NAME = re.compile(r"(?im)^[ \t]*(?:[0-9]+[.)][ \t]*)?nama(?:[ \t]+lengkap)?[^\n:=]{0,20}[:=][ \t]*(.+?)[ \t]*$")
BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
HEX_TOKEN = re.compile(r"(?<![0-9a-f])(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})(?![0-9a-f])")
USER_ID_TOKEN = re.compile(r"[A-Za-z0-9._-]{6,}")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def national(digits: str) -> str | None:
    """A phone number as national digits (08…, 021…), or None when it is not one."""
    d = re.sub(r"\D", "", digits)
    if d.startswith("62"):
        d = "0" + d[2:]
    elif not d.startswith("0"):
        return None
    return d if 9 <= len(d) <= 14 else None


def phone_forms(nat: str) -> list[str]:
    """The ways a national number is written: 0812…, 62812…, +62812…."""
    return [nat, "62" + nat[1:], "+62" + nat[1:]]


def name_words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in WORD.findall(text))


@dataclass
class PersonalData:
    emails: dict[str, str] = field(default_factory=dict)  # lower-cased address -> where first seen
    phones: dict[str, str] = field(default_factory=dict)  # national digits -> where first seen
    names: dict[tuple[str, ...], str] = field(default_factory=dict)  # lower-cased words -> where first seen
    user_ids: dict[str, str] = field(default_factory=dict)  # BSUIDs, usernames -> where first seen

    def __len__(self) -> int:
        return len(self.emails) + len(self.phones) + len(self.names) + len(self.user_ids)

    def add_name(self, text: str | None, where: str) -> None:
        words = name_words(re.sub(r"\(.*?\)", " ", text or ""))
        # a full name (two words or more): one given name alone is no one in particular
        if len(words) >= 2 and all(len(w) >= 2 for w in words):
            self.names.setdefault(words, where)

    def add_phone(self, text: str, where: str) -> None:
        nat = national(text)
        if nat and len(re.sub(r"\D", "", text)) > 7:
            self.phones.setdefault(nat, where)

    def scan_string(self, key: str | None, value: str, where: str) -> None:
        k = (key or "").lower()
        if k not in MESSAGE_ID_KEYS:
            for m in EMAIL.findall(value):
                self.emails.setdefault(m.lower(), where)
        if k in PHONE_KEYS:
            self.add_phone(value, where)
        if (k in USER_ID_KEYS or (k in PHONE_KEYS and value.startswith("ID."))) and len(value.strip()) >= 6:
            self.user_ids.setdefault(value.strip(), where)
        for m in MOBILE.findall(value):
            self.add_phone(m, where)
        if k in NAME_KEYS:
            self.add_name(value, where)
        if k in MESSAGE_KEYS:  # what users write: the chatbot's registration form
            for m in FORM_NAME.findall(value):  # "Nama: …" lines
                self.add_name(m, where)
            if value.count("#") >= 3:  # "name#region#institution#email#question"
                self.add_name(value.split("#", 1)[0], where)

    def walk(self, value, where: str, key: str | None = None, parent: dict | None = None) -> None:
        if isinstance(value, dict):
            if "first_name" in value and "last_name" in value and not value.get("is_agent"):
                self.add_name(f"{value.get('first_name') or ''} {value.get('last_name') or ''}", where)
                self.add_name(value.get("name"), where)
            if key == "profile":  # WhatsApp contact profile
                self.add_name(value.get("name"), where)
                if isinstance(value.get("username"), str) and len(value["username"].strip()) >= 6:
                    self.user_ids.setdefault(value["username"].strip(), where)
            if value.get("is_agent"):  # staff: their names and addresses are not searched for
                value = {k: v for k, v in value.items() if k not in ("name", "first_name", "last_name")}
            for k, v in value.items():
                self.walk(v, where, k, value)
        elif isinstance(value, list):
            for v in value:
                self.walk(v, where, key, parent)
        elif isinstance(value, str):
            self.scan_string(key, value, where)


# Every string member (or array member) of every object of a row, and the objects that
# carry a person's name; prefiltered in the database (the raw tables are large).
STRING_MEMBERS = (
    'strict $.** ? (@.type() == "object").keyvalue() ? (@.value.type() == "string" || @.value.type() == "array")'
)
NAMED_OBJECTS = 'strict $.** ? (@.type() == "object" && (exists(@.first_name) || exists(@.profile)))'
MAYBE_PERSONAL = r"@|(\+?62|0)[ .-]?8[0-9]|#.*#.*#|[Nn][Aa][Mm][Aa]"


def collect_personal_data(conn, schema: str = "raw") -> PersonalData:
    """Every e-mail, phone number and person's name in the tables of ``schema``."""
    found = PersonalData()
    tables = [
        t
        for (t,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s order by 1", (schema,)
        )
    ]
    keys = sorted(PHONE_KEYS | NAME_KEYS | USER_ID_KEYS)
    for table in tables:
        where = f"{schema}.{table}"
        rel = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        members = conn.execute(
            sql.SQL(
                """select distinct kv ->> 'key', kv -> 'value'
               from {} as t, jsonb_path_query(to_jsonb(t), %s) as kv
               where kv ->> 'key' = any(%s) or kv ->> 'value' ~ %s"""
            ).format(rel),
            (STRING_MEMBERS, keys, MAYBE_PERSONAL),
        )
        for key, value in members:
            found.walk(value, where, key)
        for (obj,) in conn.execute(
            sql.SQL("select distinct o from {} as t, jsonb_path_query(to_jsonb(t), %s) as o").format(rel),
            (NAMED_OBJECTS,),
        ):
            found.walk(obj, where)
    return found


def readable_relations(conn, role: str) -> list[tuple[str, str]]:
    """Every table, view and materialized view ``role`` may select from."""
    return conn.execute(
        """select n.nspname, c.relname
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'v', 'm', 'p', 'f')
             and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%%'
             and has_schema_privilege(%s, n.oid, 'USAGE')
             and has_table_privilege(%s, c.oid, 'SELECT')
           order by 1, 2""",
        (role, role),
    ).fetchall()


def relation_values(conn, role: str) -> Iterator[tuple[str, str]]:
    """(relation.column, value as text) for every distinct non-null value ``role`` can read."""
    for schema, rel in readable_relations(conn, role):
        cols = [
            c
            for (c,) in conn.execute(
                """select attname from pg_attribute
               where attrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass and attnum > 0 and not attisdropped
               order by attnum""",
                (schema, rel),
            )
        ]
        for col in cols:
            q = sql.SQL("select distinct {c}::text from {s}.{r} where {c} is not null").format(
                c=sql.Identifier(col), s=sql.Identifier(schema), r=sql.Identifier(rel)
            )
            for (v,) in conn.execute(q):
                yield f"{schema}.{rel}.{col}", v


def file_values(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    """Every string (keys too) of JSON files; the text of other files (HTML unescaped)."""
    for p in paths:
        text = p.read_text(errors="replace")
        if p.suffix == ".json":
            for s in strings(json.loads(text)):
                yield str(p), s
        else:
            yield str(p), html.unescape(text)


def decoded_forms(value: str) -> list[str]:
    """The value, URL-decoded, and each base64-looking run in it decoded (as text)."""
    out = [value]
    if "%" in value:
        out.append(unquote(value))
        out.append(unquote(unquote(value)))
    for token in BASE64_TOKEN.findall(value):
        raw = token.rstrip("=")
        for alphabet in (None, b"-_"):
            try:
                data = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=alphabet, validate=False)
            except (binascii.Error, ValueError):
                continue
            text = data.decode("latin-1")
            if sum(c.isprintable() for c in text) >= 4:
                out.append(text)
    return out


def digests(text: str) -> dict[str, str]:
    """Unsalted md5, sha1 and sha256 hex digests of the ways ``text`` may have been hashed."""
    variants = {text, text.lower(), text.strip(), text.strip().lower(), text.upper()}
    out = {}
    for v in variants:
        b = v.encode()
        for algo in ("md5", "sha1", "sha256"):
            out[hashlib.new(algo, b).hexdigest()] = f"{algo}({v!r})"
    return out


@dataclass
class Leak:
    kind: str  # email, phone, name
    value: str  # what was found (the personal data itself)
    form: str  # as written / decoded / digest
    where: str  # relation.column or file
    sample: str  # the value it was found in (shortened)

    def __str__(self) -> str:
        return f"{self.kind} {self.value!r} ({self.form}) in {self.where}: {self.sample[:120]!r}"


def find_leaks(personal: PersonalData, values: Iterable[tuple[str, str]]) -> list[Leak]:
    """Every occurrence of ``personal`` in ``values``, as written, decoded or digested."""
    hashed: dict[str, tuple[str, str, str]] = {}
    for e in personal.emails:
        for h, how in digests(e).items():
            hashed[h] = ("email", e, how)
    for nat in personal.phones:
        for form in phone_forms(nat):
            for h, how in digests(form).items():
                hashed[h] = ("phone", nat, how)
    for words in personal.names:
        name = " ".join(words)
        for h, how in digests(name).items():
            hashed[h] = ("name", name, how)
    for uid in personal.user_ids:
        for h, how in digests(uid).items():
            hashed[h] = ("user id", uid, how)
    by_length = sorted({len(w) for w in personal.names}, reverse=True)

    leaks: list[Leak] = []
    seen: set[tuple[str, str, str]] = set()

    def report(kind, value, form, where, sample):
        if (kind, value, where) not in seen:
            seen.add((kind, value, where))
            leaks.append(Leak(kind, value, form, where, sample))

    for where, value in values:
        for h in HEX_TOKEN.findall(value.lower()):
            if h in hashed:
                kind, v, how = hashed[h]
                report(kind, v, f"unsalted {how}", where, value)
        for i, text in enumerate(decoded_forms(value)):
            form = "as written" if i == 0 else "decoded"
            for m in EMAIL.findall(text):
                if m.lower() in personal.emails:
                    report("email", m.lower(), form, where, value)
            for digits in re.findall(r"\+?\d[\d .-]{7,}\d", text):
                run = re.sub(r"\D", "", digits)
                for start in range(len(run) - 8):
                    if run[start] == "0" or run.startswith("62", start):
                        for end in range(start + 9, min(len(run), start + 15) + 1):
                            nat = national(run[start:end])
                            if nat in personal.phones:
                                report("phone", nat, form, where, value)
            if personal.user_ids:
                for token in USER_ID_TOKEN.findall(text):
                    if token in personal.user_ids:
                        report("user id", token, form, where, value)
            words = name_words(text)
            for n in by_length:
                for j in range(len(words) - n + 1):
                    if tuple(words[j : j + n]) in personal.names:
                        report("name", " ".join(words[j : j + n]), form, where, value)
    return leaks
