"""Incremental dbt models give the marts a full refresh gives (docs/architecture.md, "Incremental models").

On a warehouse built by a whole pipeline run, the raw rows of the incremental sources
(WhatsApp messages and statuses, Email Lapor, the phone CDR) from a cut date on, and some
older ones (late data: statuses, messages, deliveries and calls' talk records of the days
before the cut), are held back; the project is built with --full-refresh, the rows come back in three loads with
an incremental `dbt run` after each, and every mart and incremental model then equals
what `dbt run --full-refresh` gives (EXCEPT ALL both ways). A load that committed out of
order (its `_loaded_at` before the models' latest) is missed with
`incremental_lookback_days: 0` and caught by the default lookback: the comparison can fail.
The loads exercise the models recomputed by user from a start in time (WhatsApp
conversations, consultations): conversations whose messages came in two loads,
conversations changed by a late status alone, consultations of the days before the cut
recomputed; a late message that merges two conversations (the later id vanishes; when the
history has a conversation of more than 24 hours); a late conversation between two of its
user's conversations, whose agent replies the earlier one held until then, so that earlier
conversation changes: a run that recomputed from the new conversation's start would keep its
old row and the comparison would fail. A corrected CDR file drops a call, which goes (with its
consultation), and comes back with the file's first version. A Deskpro ticket marked spam leaves the
consultations and a person's new institution changes exactly that person's consultations, then both
are restored (Deskpro and phone consultations are kept by content, not recomputed whole).
And, first, a changed var (as a changed seed) recomputes every user
(reference_fingerprint()).
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg.types.json import Jsonb

from bench.incremental_dbt import (
    DOWNSTREAM,
    RAW_EVENT_TIME,
    age_loads,
    dbt,
    differences,
    drop_holdback,
    hold_back,
    relations_to_compare,
    release,
    snapshot,
)

CUT = "2023-12-10"
LATE_FROM = "2023-12-07"  # late rows: event time in [LATE_FROM, CUT), loaded after the cut's data
LATE = {
    "whatsapp__messages": "abs(hashtext(wamid)) % 10 = 0",
    # late read receipts and failures, and every event of some messages (a reply the conversation had not seen)
    "whatsapp__statuses": "status in ('read', 'failed') or abs(hashtext(wamid)) % 10 = 1",
    "email_lapor__messages": "uid % 5 = 0",
    # late talk records: the call's ring record came in an earlier load
    "avaya__cdr": "abs(hashtext(ucid)) % 10 = 0 and cond_code not in ('G', 'H', 'I')",
}


def _window(table: str, start: str | None, end: str | None) -> str:
    col = RAW_EVENT_TIME[table]
    parts = [f"{col} >= timestamptz '{start}'" if start else "true", f"{col} < timestamptz '{end}'" if end else "true"]
    return " and ".join(parts)


def _count(conn, query: str, params=None) -> int:
    n = conn.execute(query, params).fetchone()[0]
    conn.rollback()
    return n


def _exercised(conn, aged: object) -> dict[str, int]:
    """What the loads after the full refresh (`_loaded_at` after `aged`, the history's latest load) exercised
    in the models recomputed by user; each must be > 0."""
    return {
        # a conversation of messages loaded before and after the full refresh (it spans the cut or took a late message)
        "conversations across loads": _count(
            conn,
            "select count(*) from (select conversation_id from intermediate.int_whatsapp__conversation_messages"
            " group by 1 having min(_loaded_at) <= %(t)s and max(_loaded_at) > %(t)s) as c",
            {"t": aged},
        ),
        # a conversation changed by a late status alone: its user sent nothing loaded in the last days
        "conversations changed by a late status alone": _count(
            conn,
            "select count(*) from intermediate.int_whatsapp__conversations as c where c._loaded_at > %(t)s"
            " and not exists (select from intermediate.int_whatsapp__conversation_messages as m"
            " where m.user_key = c.user_key and m._loaded_at > %(t)s - interval '4 days')",
            {"t": aged},
        ),
        # a WhatsApp consultation of the days before the cut recomputed by an incremental run
        "consultations before the cut recomputed": _count(
            conn,
            "select count(*) from intermediate.int_consultations__enriched"
            " where _loaded_at > %(t)s and created_at < %(cut)s",
            {"t": aged, "cut": CUT},
        ),
    }


def _late_conversations(conn) -> dict[str, str]:
    """Two WhatsApp cases of the history (before LATE_FROM, so held back by nothing else), from the built
    warehouse: `merged`, a conversation of more than 24 hours whose messages of the 24 hours after its
    first are held back (without them its first message and the rest are two conversations; `split` is
    the id of the rest, which its release merges away); `between`, a consultation between two conversations
    of its user whose messages are all held back (its outbound messages are not: the previous
    conversation, `previous`, holds them until the release, a consultation with another wrap-up)."""
    row = conn.execute(
        "select c.conversation_id, c.user_key,"
        " (select m.wamid from intermediate.int_whatsapp__conversation_messages as m"
        "  where m.conversation_id = c.conversation_id and m.sent_at > c.started_at + interval '24 hours'"
        "  order by m.sent_at, m.wamid limit 1)"
        " from intermediate.int_whatsapp__conversations as c"
        " where c.last_user_message_at > c.started_at + interval '24 hours'"
        " and c.last_user_message_at < %(late)s::timestamptz - interval '1 day'"
        " order by c.conversation_id limit 1",
        {"late": LATE_FROM},
    ).fetchone()
    # the simulated history may hold none (its user messages keep within 24 hours): then no merge is tested
    merged, merged_user, split = row or (None, None, None)
    row = conn.execute(
        "select conversation_id, previous_id from ("
        " select conversation_id, user_key, agent_replies,"
        " lag(conversation_id) over w as previous_id,"
        " lag(is_consultation) over w as previous_is_consultation,"
        " lag(wrapup_topic) over w as previous_topic, wrapup_topic,"
        " lead(started_at) over w as next_started_at"
        " from intermediate.int_whatsapp__conversations"
        " window w as (partition by user_key order by started_at)) as c"
        " where agent_replies > 0 and previous_is_consultation and previous_topic <> wrapup_topic"
        " and next_started_at < %(late)s::timestamptz - interval '1 day' and user_key is distinct from %(user)s"
        " order by conversation_id limit 1",
        {"late": LATE_FROM, "user": merged_user},
    ).fetchone()
    assert row, "no consultation between two conversations of its user after another consultation"
    between, previous = row
    conn.rollback()
    return {"merged": merged, "split": split, "between": between, "previous": previous}


def _late_messages(late: dict[str, str]) -> str:
    """The SQL condition on raw.whatsapp__messages that holds back the messages of _late_conversations()."""
    merged = (
        f"(m.conversation_id = '{late['merged']}' and m.sent_at <= (select c.started_at"
        "  + interval '24 hours' from intermediate.int_whatsapp__conversations as c"
        f"  where c.conversation_id = '{late['merged']}') and m.wamid <> '{late['merged']}') or "
        if late["merged"]
        else ""
    )
    return (
        "wamid in (select m.wamid from intermediate.int_whatsapp__conversation_messages as m"
        f" where {merged}m.conversation_id = '{late['between']}')"
    )


def _conversation(conn, conversation_id: str) -> tuple | None:
    """(agent_replies, md5 of the whole row, md5 of its consultation's row or None) of a conversation."""
    row = conn.execute(
        "select c.agent_replies, md5(c::text), (select md5(e::text) from intermediate.int_consultations__enriched as e"
        "  where e.source_system = 'whatsapp' and e.user_key = c.user_key and e.created_at = c.started_at)"
        " from intermediate.int_whatsapp__conversations as c where c.conversation_id = %s",
        (conversation_id,),
    ).fetchone()
    conn.rollback()
    return row


def _missing_messages(conn) -> int:
    """Raw WhatsApp messages absent from stg_whatsapp__messages (one row per raw row)."""
    n = conn.execute(
        "select count(*) from raw.whatsapp__messages r"
        " where not exists (select from staging.stg_whatsapp__messages s where s.wamid = r.wamid)"
    ).fetchone()[0]
    conn.rollback()
    return n


def _cdr_file_with_a_call_of_its_own(conn) -> tuple[str, str, str]:
    """(file, its sha256, a call all of whose current CDR records are in that file, a consultation) of the
    history before LATE_FROM, from a file with other calls too."""
    consultation = "c.is_consultation and c.outcome = 'answered'"
    row = conn.execute(
        f"select c.source_file, f.record ->> 'sha256', min(c.ucid) filter (where {consultation})"
        " from intermediate.int_phone__calls as c"
        " join raw.avaya__files as f on f.file_name = c.source_file"
        " where c.arrived_at < %(late)s::timestamptz - interval '1 day'"
        " and not exists (select from raw.avaya__cdr as r where r.ucid = c.ucid"
        "   and r.record ->> 'source_file' <> c.source_file)"
        f" group by 1, 2 having count(*) > 1 and count(*) filter (where {consultation}) > 0 order by 1 limit 1",
        {"late": LATE_FROM},
    ).fetchone()
    assert row, "no CDR file with a call of its own"
    conn.rollback()
    return row


def _new_cdr_file_version(conn, file_name: str, sha256: str, without_call: str | None) -> None:
    """Load a new version of a CDR file, as the loader does: its row in raw.avaya__files and every record
    it still has take the version's sha256 and a new load time; a record it no longer has keeps the old."""
    conn.execute(
        "update raw.avaya__files set record = jsonb_set(record, '{sha256}', to_jsonb(%s::text)), _loaded_at = now()"
        " where file_name = %s",
        (sha256, file_name),
    )
    conn.execute(
        "update raw.avaya__cdr set record = jsonb_set(record, '{file_sha256}', to_jsonb(%s::text)),"
        " _loaded_at = now() where record ->> 'source_file' = %s and ucid is distinct from %s",
        (sha256, file_name, without_call),
    )
    conn.commit()


def _deskpro_consultations(conn) -> dict[str, str]:
    """consultation_id -> md5 of its whole row in int_consultations__enriched, of every Deskpro consultation."""
    rows = conn.execute(
        "select consultation_id, md5(e::text) from intermediate.int_consultations__enriched as e"
        " where source_system = 'deskpro'"
    )
    found = dict(rows.fetchall())
    conn.rollback()
    return found


def _change_deskpro(conn) -> tuple[str, set[str], list[tuple]]:
    """Mark a Deskpro ticket of the consultations spam, and give the person of another consultation a new
    institution, as a re-read would (new raw rows, new load time): (the spam ticket's consultation, the
    person's consultations, the raw rows as they were, to restore)."""
    consultations = (
        "select d.consultation_id, t.id, t.record ->> 'person' from intermediate.int_consultations__deskpro as d"
        " join raw.deskpro__tickets as t on t.id = d.source_record_id::bigint"
    )
    _, _, person = conn.execute(consultations + " order by t.id limit 1").fetchone()
    _, ticket, _ = conn.execute(
        consultations + " where t.record ->> 'person' <> %s order by t.id limit 1", (person,)
    ).fetchone()
    person_consultations = {r[0] for r in conn.execute(consultations + " where t.record ->> 'person' = %s", (person,))}
    saved = conn.execute(
        "select 'deskpro__tickets', id, record, _loaded_at from raw.deskpro__tickets where id = %s"
        " union all select 'deskpro__people', id, record, _loaded_at from raw.deskpro__people where id = %s::bigint",
        (ticket, person),
    ).fetchall()
    conn.execute(
        "update raw.deskpro__tickets set record = jsonb_set(record, '{hidden_status}', '\"spam\"'),"
        " _loaded_at = now() where id = %s",
        (ticket,),
    )
    conn.execute(  # custom field 3: the institution (var deskpro_institution_field_id)
        "update raw.deskpro__people set record = jsonb_set(record, '{fields}', coalesce(record -> 'fields', '{}')"
        " || %s), _loaded_at = now() where id = %s::bigint",
        (Jsonb({"3": {"value": "Bappeda Kota Yogyakarta"}}), person),
    )
    conn.commit()
    return f"deskpro-{ticket}", person_consultations, saved


def _restore_deskpro(conn, saved: list[tuple]) -> None:
    for table, key, record, loaded_at in saved:
        conn.execute(
            f"update raw.{table} set record = %s, _loaded_at = %s where id = %s", (Jsonb(record), loaded_at, key)
        )
    conn.commit()


def _calls(conn, file_name: str) -> set[str]:
    rows = conn.execute("select ucid from intermediate.int_phone__calls where source_file = %s", (file_name,))
    found = {r[0] for r in rows}
    conn.rollback()
    return found


@pytest.mark.slow
def test_incremental_runs_give_the_marts_of_a_full_refresh(pipeline_env, tmp_path):
    env = {**pipeline_env.env, "DBT_TARGET_PATH": str(tmp_path / "target")}  # not the project's target/
    run = ("run", "-s", *DOWNSTREAM)
    saved_deskpro: list[tuple] = []
    with psycopg.connect(pipeline_env.warehouse_url) as conn:
        try:
            age_loads(conn)  # history loaded day by day: mostly outside the lookback of the runs below
            aged = _count(conn, "select max(_loaded_at) from raw.whatsapp__messages")
            late = _late_conversations(conn)
            where = {
                t: f"({_window(t, CUT, None)}) or ({_window(t, LATE_FROM, CUT)} and {LATE[t]})" for t in RAW_EVENT_TIME
            }
            where["whatsapp__messages"] += f" or {_late_messages(late)}"
            held = hold_back(conn, where)
            assert all(n > 0 for n in held.values()), held
            dbt(*run, "--full-refresh", env=env)
            # without the held-back messages: the merged conversation is two, the one between is none
            assert late["merged"] is None or _conversation(conn, late["split"]) is not None
            assert _conversation(conn, late["between"]) is None

            # 0. a changed reference (a var here; a seed alike) recomputes every user, and so does its return
            conversations = _count(conn, "select count(*) from intermediate.int_whatsapp__conversations")
            dbt(*run, "--vars", "{whatsapp_conversation_gap_hours: 1}", env=env)
            assert _count(conn, "select count(*) from intermediate.int_whatsapp__conversations") > conversations
            dbt(*run, env=env)
            assert _count(conn, "select count(*) from intermediate.int_whatsapp__conversations") == conversations

            # 1. a week of new data; 2. the late rows of the days before the cut
            assert all(release(conn, {t: _window(t, CUT, "2023-12-17") for t in RAW_EVENT_TIME}).values())
            dbt(*run, env=env)
            previous = _conversation(conn, late["previous"])
            assert all(release(conn, {t: _window(t, None, CUT) for t in RAW_EVENT_TIME}).values())
            dbt(*run, env=env)
            # the late messages merged two conversations (the later id is gone) and made a conversation
            # between two, which took the agent replies and wrap-up the previous one held: that previous
            # conversation and its consultation changed; a run recomputing from the new conversation's start
            # would have kept their old rows, and the comparison with a full refresh below would fail
            if late["merged"]:
                assert _conversation(conn, late["split"]) is None and _conversation(conn, late["merged"]) is not None
            assert _conversation(conn, late["between"])[0] > 0
            now = _conversation(conn, late["previous"])
            assert now[0] < previous[0] and now[1] != previous[1] and now[2] != previous[2], (previous, now)

            # 2b. a corrected CDR file (a new version of it) drops a call: the call goes; the file corrected
            # again (the first version back) brings it back, and nothing else of that file changed either time
            # (and its consultation goes and comes back: int_consultations__enriched keeps phone by content)
            cdr_file, sha256, dropped = _cdr_file_with_a_call_of_its_own(conn)
            calls = _calls(conn, cdr_file)
            consulted = "select count(*) from intermediate.int_consultations__enriched where consultation_id = %s"
            assert _count(conn, consulted, ("avaya-" + dropped,)) == 1
            _new_cdr_file_version(conn, cdr_file, "corrected-" + sha256, without_call=dropped)
            dbt(*run, env=env)
            assert _calls(conn, cdr_file) == calls - {dropped}
            assert _count(conn, consulted, ("avaya-" + dropped,)) == 0
            _new_cdr_file_version(conn, cdr_file, sha256, without_call=None)
            dbt(*run, env=env)
            assert _calls(conn, cdr_file) == calls
            assert _count(conn, consulted, ("avaya-" + dropped,)) == 1

            # 2c. Deskpro consultations are kept by content: a ticket marked spam leaves them, a person's new
            # institution changes that person's consultations and no other, and the rows as they were restore both
            deskpro = _deskpro_consultations(conn)
            spam, persons, saved_deskpro = _change_deskpro(conn)
            dbt(*run, env=env)
            changed = _deskpro_consultations(conn)
            assert spam in deskpro and spam not in changed
            assert persons and {k for k in changed if changed[k] != deskpro.get(k)} == persons - {spam}
            _restore_deskpro(conn, saved_deskpro)
            saved_deskpro = []
            dbt(*run, env=env)
            assert _deskpro_consultations(conn) == deskpro

            # 3. the rest, as a load that committed out of order: loaded an hour before the models' latest load
            release(
                conn,
                loaded_at="(select max(_loaded_at) from staging.stg_whatsapp__messages) - interval '1 hour'",
            )
            dbt(*run, "--vars", "{incremental_lookback_days: 0}", env=env)
            assert _missing_messages(conn) > 0, "without a lookback, an out-of-order load is missed"
            dbt(*run, env=env)
            assert _missing_messages(conn) == 0
            exercised = _exercised(conn, aged)
            assert all(exercised.values()), exercised

            relations = relations_to_compare(conn)
            assert len(relations) > 40
            snapshot(conn, relations, "incr_snap")
            dbt(*run, "--full-refresh", env=env)
            assert differences(conn, relations, "incr_snap") == {}
        finally:
            conn.rollback()  # a failed statement above leaves the transaction aborted
            _restore_deskpro(conn, saved_deskpro)
            release(conn)
            drop_holdback(conn)
            conn.execute("drop schema if exists incr_snap cascade")
            conn.commit()


def test_a_weekly_transform_tests_every_row_and_both_keep_the_parse(dbt_manifest):
    """`transform_full_tests` is `transform` with var full_test_scope (heavy tests over every row), weekly;
    both keep dbt's partial parse in a cache folder of their own."""
    from pathlib import Path

    from airflow.dag_processing.dagbag import DagBag

    dags = Path(__file__).resolve().parents[1] / "dags"
    bag = DagBag(dag_folder=str(dags / "transform.py"))
    assert bag.import_errors == {}
    daily, weekly = bag.dags["transform"], bag.dags["transform_full_tests"]
    assert [t.task_id for t in weekly.tasks] == [t.task_id for t in daily.tasks]
    assert weekly.get_task("dbt_build").vars == {"full_test_scope": True}
    assert not daily.get_task("dbt_build").vars
    assert weekly.timetable.expression == "0 3 * * 0"  # Sunday 03:00 WIB
    caches = {d.get_task("dbt_build").cache_dir for d in (daily, weekly)}
    assert len(caches) == 2 and all(c is not None for c in caches)
