"""Privacy by design (UU 27/2022): no personal data of the sources reaches what BI reads.

Every phone number, e-mail address and person's name of ``raw.*`` is searched for in
every value of every relation the ``bi_reader`` role can select, and in the report's
outputs (summary.json, laporan.html): as written, URL-decoded, base64-decoded (a
WhatsApp wamid is base64 holding the phone number) and as an unsalted md5/sha1/sha256
digest (tests/privacy_scan.py). The first tests show on planted values that the
search finds each form; the slow ones run it on the whole pipeline's warehouse.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

import psycopg
import pytest

from pipeline.pseudonym_key import pseudonymise
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.privacy_scan import collect_personal_data, file_values, find_leaks, readable_relations, relation_values

PHONE, EMAIL, NAME = "628123456789", "bsan1234@example.go.id", "Budi Santoso"
BSUID = "ID.13491208655302741918"  # a WhatsApp user whose phone number is withheld


def wamid(phone: str) -> str:
    """A WhatsApp message id as Cloud API gives them: base64 of a protobuf holding the number."""
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x12\x18\x14" + phone.encode() + b"3A2DAFA9C25E12B5ED39").decode()


@pytest.fixture()
def planted(conn):
    """raw.* with one person, and a schema a role may read with what a careless model could put there."""
    conn.execute("""
        do $$ begin create role privacy_reader; exception when duplicate_object then null; end $$;
        create schema raw;
        create table raw.whatsapp__messages (record jsonb);
        create table raw.deskpro__people (record jsonb);
        create table raw.deskpro__agents (record jsonb);
        create schema bi;
        create table bi.t (k text, v text);
        create schema engineers;
        create table engineers.t (v text);
        grant usage on schema bi to privacy_reader;
        grant select on bi.t to privacy_reader;""")
    conn.execute(
        "insert into raw.whatsapp__messages values (%s)",
        (
            psycopg.types.json.Jsonb(
                {
                    "id": wamid(PHONE),
                    "from": PHONE,
                    "text": {"body": f"Nama: {NAME}\nDaerah: Kab. Wajo\nEmail: {EMAIL}"},
                    "_contact": {"wa_id": PHONE, "profile": {"name": "Budi (BPKAD)"}},
                }
            ),
        ),
    )
    conn.execute(
        "insert into raw.whatsapp__messages values (%s)",
        (psycopg.types.json.Jsonb({"id": "wamid.x", "from_user_id": BSUID, "text": {"body": "Menu"}}),),
    )
    conn.execute(
        "insert into raw.deskpro__people values (%s)",
        (
            psycopg.types.json.Jsonb(
                {
                    "id": 7,
                    "name": "Sri Halimah",
                    "first_name": "Sri",
                    "last_name": "Halimah",
                    "primary_email": "sri.halimah@gmail.com",
                    "fields": {"1": {"value": "Sri Halimah"}},
                }
            ),
        ),
    )
    conn.execute(
        "insert into raw.deskpro__agents values (%s)",
        (
            psycopg.types.json.Jsonb(
                {"id": 1, "name": "Nuryani Putri", "first_name": "Nuryani", "last_name": "Putri", "is_agent": True}
            ),
        ),
    )
    conn.commit()
    return conn


def leaks_in(conn, rows: list[tuple[str, str]]):
    conn.execute("truncate bi.t")
    with conn.cursor() as cur:
        cur.executemany("insert into bi.t values (%s, %s)", rows)
    return find_leaks(collect_personal_data(conn), relation_values(conn, "privacy_reader"))


def test_the_personal_data_of_raw_is_collected(planted):
    found = collect_personal_data(planted)
    assert set(found.phones) == {"08123456789"}
    assert set(found.emails) == {EMAIL, "sri.halimah@gmail.com"}
    # full names from the form, Deskpro people; "Budi (BPKAD)" is one given name; agents are staff
    assert set(found.names) == {("budi", "santoso"), ("sri", "halimah")}
    assert set(found.user_ids) == {BSUID}


@pytest.mark.parametrize(
    "value, kind",
    [
        (f"deskpro-{hashlib.md5(EMAIL.encode()).hexdigest()}", "email"),
        ("whatsapp-" + hashlib.md5(PHONE.encode()).hexdigest(), "phone"),
        (hashlib.sha1(("+" + PHONE).encode()).hexdigest(), "phone"),
        (hashlib.sha256(NAME.lower().encode()).hexdigest(), "name"),
        ("whatsapp-" + wamid(PHONE), "phone"),
        ("see https://x.example/?u=" + quote(EMAIL, safe=""), "email"),
        ("ask 0812-3456-789 after 5", "phone"),
        ("Kab. BUDI SANTOSO", "name"),
        ("SRI  halimah", "name"),
        (base64.urlsafe_b64encode(f"{EMAIL}|x".encode()).decode(), "email"),
        ("whatsapp-" + hashlib.md5(BSUID.encode()).hexdigest(), "user id"),
        (f"user {BSUID}", "user id"),
    ],
    ids=[
        "md5-email",
        "md5-phone",
        "sha1-e164",
        "sha256-name",
        "wamid",
        "url-encoded",
        "grouped-digits",
        "name-in-text",
        "name-spacing",
        "base64-email",
        "md5-bsuid",
        "bsuid",
    ],
)
def test_each_form_of_a_leak_is_found(planted, value, kind):
    leaks = leaks_in(planted, [("k", value)])
    assert [leak.kind for leak in leaks] == [kind], leaks
    assert leaks[0].where == "bi.t.v"


def test_pseudonyms_counts_and_unreadable_relations_are_not_leaks(planted):
    planted.execute("insert into engineers.t values (%s), (%s)", (wamid(PHONE), NAME))  # not granted
    rows = [
        ("k", "whatsapp-" + pseudonymise(TEST_PSEUDONYM_KEY, PHONE)),
        ("k", "whatsapp-" + pseudonymise(TEST_PSEUDONYM_KEY, wamid(PHONE))),
        ("k", "deskpro-" + pseudonymise(TEST_PSEUDONYM_KEY, EMAIL)),
        ("k", "Nuryani Putri"),  # an agent: staff are named in the report
        ("k", "Budi"),
        ("k", "Kab. Wajo"),
        ("k", "2"),
        ("k", "00001000011669858986"),
    ]
    assert leaks_in(planted, rows) == []
    assert readable_relations(planted, "privacy_reader") == [("bi", "t")]


def test_report_files_are_searched_too(planted, tmp_path):
    (tmp_path / "summary.json").write_text('{"ppid_requests": {"rows": [{"requester": "Sri Halimah"}]}}')
    (tmp_path / "laporan.html").write_text("<td>bsan1234&#64;example.go.id</td>")
    leaks = find_leaks(collect_personal_data(planted), file_values(sorted(tmp_path.iterdir())))
    assert sorted((leak.kind, leak.where.rsplit("/", 1)[-1]) for leak in leaks) == [
        ("email", "laporan.html"),
        ("name", "summary.json"),
    ]


# ------------------------------------------------------------- the whole pipeline


@pytest.fixture(scope="module")
def warehouse(pipeline_env):
    with psycopg.connect(pipeline_env.warehouse_url, autocommit=True) as conn:  # no transaction left open
        personal = collect_personal_data(conn)
        yield pipeline_env, conn, personal


@pytest.mark.slow
def test_nothing_bi_reader_can_select_holds_personal_data(warehouse):
    env, conn, personal = warehouse
    # the search is not vacuous: the simulated sources hold thousands of people
    assert len(personal.phones) > 1000 and len(personal.emails) > 1000 and len(personal.names) > 500
    relations = readable_relations(conn, "bi_reader")
    assert ("marts", "fct_consultations") in relations and ("marts", "mart_register_ppid_requests") in relations
    assert {s for s, _ in relations} == {"marts"}  # not review, private, staging, intermediate, raw
    leaks = find_leaks(personal, relation_values(conn, "bi_reader"))
    assert not leaks, "\n".join(map(str, leaks[:20])) + f"\n... {len(leaks)} in all"


@pytest.mark.slow
def test_the_reports_outputs_hold_no_personal_data(warehouse):
    env, _, personal = warehouse
    outputs = sorted(env.out.rglob("summary.json")) + sorted(env.out.rglob("laporan.html"))
    assert {p.parent.name for p in outputs if p.name == "summary.json"} >= {"2023-12", "2023-11"}
    leaks = find_leaks(personal, file_values(outputs))
    assert not leaks, "\n".join(map(str, leaks[:20]))


@pytest.mark.slow
def test_the_search_finds_what_the_engineers_only_relations_hold(warehouse):
    """The same search, allowed for a moment (rolled back) into two engineers-only
    relations, finds their personal data: the wamids (phone numbers) of the WhatsApp
    conversations and the names people typed as their region."""
    _, conn, personal = warehouse
    with conn.transaction(force_rollback=True):
        conn.execute("grant usage on schema review, intermediate to bi_reader")
        conn.execute("grant select on review.unmatched_regions, intermediate.int_whatsapp__conversations to bi_reader")
        leaks = [
            x for x in find_leaks(personal, relation_values(conn, "bi_reader")) if not x.where.startswith("marts.")
        ]
    found = {(x.kind, x.where.rsplit(".", 1)[0]) for x in leaks}
    assert {("name", "review.unmatched_regions"), ("phone", "intermediate.int_whatsapp__conversations")} <= found
    assert conn.execute("select has_table_privilege('bi_reader', 'review.unmatched_regions', 'select')").fetchone() == (
        False,
    )
