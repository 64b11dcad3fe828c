"""The Avaya extractor against the stand-in's landing folder: CDR layout, condition codes, damaged files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from extractors.avaya import AvayaConfig, cdr as cdr_format, run_extract
from extractors.avaya.errors import FileFormatError, LineError, TruncatedFileError
from extractors.avaya.folders import LocalFolder
from extractors.avaya.layout import CONDITION_CODES, CUSTOMIZED
from extractors.common.batch import MANIFEST
from simulators.avaya import AvayaStandIn, cdr_name, hsplit_name

ROOT = Path(__file__).resolve().parents[1]

# One record as the switch writes it, column by column (123 characters, CR LF not included):
# date   time sec-d c code code in-t dialed-num (23)          calling-num(15) vdn   crt acct-code (15)  f ucid (20)
LITERAL = "120423 0931   265 9           801  3005                    03189882964     50420 010 21              0 00001000021701656794"


@pytest.fixture(scope="module")
def drop(tmp_path_factory):
    """Two months of the simulated landing folder (November and December 2023)."""
    return AvayaStandIn(tmp_path_factory.mktemp("drop"), seed=2023, start="2023-11-01", end="2024-01-01").write()


def fresh_drop(tmp_path, **kw) -> AvayaStandIn:
    return AvayaStandIn(
        tmp_path / "drop", seed=2023, start=kw.pop("start", "2023-12-01"), end="2024-01-01", **kw
    ).write()


def extract(folder: Path, landing: Path, **kw):
    return run_extract(AvayaConfig(LocalFolder(folder)), landing, **kw)


def rows(batch, stream: str) -> list[dict]:
    with open(batch.folder / f"{stream}.csv", newline="", encoding="utf-8") as fh:
        return [json.loads(r["record"]) for r in csv.DictReader(fh)]


def rejects(batch, stream: str) -> list[dict]:
    path = batch.folder / f"{stream}.rejects.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# --------------------------------------------------------------------------- CDR layout


def test_the_layout_is_the_width_of_a_literal_record():
    assert len(LITERAL) == CUSTOMIZED.width == 123


def test_a_literal_record_is_read_field_by_field():
    r = cdr_format.parse_line(LITERAL)
    assert r["call_date"] == "2023-12-04" and r["call_time"] == 931 and r["duration_seconds"] == 265
    assert r["cond_code"] == "9" and r["in_trk_code"] == "801" and r["dialed_num"] == "3005"
    assert r["calling_num"] == "03189882964" and r["vdn"] == "50420" and r["in_crt_id"] == "010"
    assert r["acct_code"] == "21" and r["frl"] == "0" and r["code_dial"] is None and r["code_used"] is None
    assert r["ucid"] == "00001000021701656794" and r["ucid_recorded"] is True
    assert r["raw_record"] == LITERAL


def test_day_month_date_format_is_a_layout_setting():
    from dataclasses import replace

    dmy = replace(CUSTOMIZED, date_format="ddmmyy")
    assert cdr_format.parse_line("041223" + LITERAL[6:], dmy)["call_date"] == "2023-12-04"
    with pytest.raises(LineError, match="not ddmmyy"):
        cdr_format.parse_line("123123" + LITERAL[6:], dmy)


@pytest.mark.parametrize("code", sorted(CONDITION_CODES))
def test_every_condition_code_of_the_layout_is_parsed(code):
    line = CUSTOMIZED.format(
        {
            "date": "010223",
            "time": "2359",
            "sec_dur": 35999 if code == "4" else 7,
            "cond_code": code,
            "calling_num": "2101",
            "dialed_num": "2102",
            "ucid": "" if code == "6" else "00001123451675270000",
        }
    )
    r = cdr_format.parse_line(line)
    assert r["cond_code"] == code
    assert (r["call_date"], r["call_time"]) == ("2023-01-02", 2359)
    assert r["duration_seconds"] == (35999 if code == "4" else 7)
    if code == "6":  # no UCID: keyed by a hash of the record, flagged
        assert r["ucid"].startswith("nouid-") and r["ucid_recorded"] is False
    else:
        assert r["ucid"] == "00001123451675270000"


def test_the_condition_code_seed_is_the_layouts_list():
    with open(ROOT / "dbt_project" / "seeds" / "avaya_condition_codes.csv", newline="") as fh:
        seed = {r["cond_code"]: (r["direction"], r["description"]) for r in csv.DictReader(fh)}
    assert seed == CONDITION_CODES
    assert {"0", "9", "A", "C", "4", "6", "7", "G", "H", "I"} <= set(seed)


@pytest.mark.parametrize(
    "line, reason",
    [
        (LITERAL[:-7], "record has 116 characters"),
        (LITERAL[:50] + LITERAL[51:] + " ", "expected a space at column"),
        ("133123" + LITERAL[6:], "date '133123' is not mmddyy"),
        (LITERAL[:7] + "2460" + LITERAL[11:], "time '2460' is not hhmm"),
        (LITERAL[:12] + "  2x5" + LITERAL[17:], "sec-dur '2x5'"),
        (LITERAL[:18] + "Z" + LITERAL[19:], "unknown condition code 'Z'"),
        (LITERAL[:-20] + "0000100002170165679X", "ucid '0000100002170165679X' is not digits"),
        (LITERAL[:60] + "\x00" + LITERAL[61:], "non-printable"),
    ],
    ids=["short", "shifted", "date", "time", "duration", "code", "ucid", "binary"],
)
def test_a_malformed_record_is_refused_with_its_reason(line, reason):
    with pytest.raises(LineError, match=reason.replace("(", r"\(")):
        cdr_format.parse_line(line)


# --------------------------------------------------------------------------- files


def test_every_file_of_the_drop_is_read_with_the_records_the_world_has(drop, tmp_path):
    batch = extract(drop.folder, tmp_path)
    assert batch.window["files_read"] == len(drop.files) == 61 * 3
    expected_cdr = sum(1 for m in drop.world.months for r in m.cdr if not r.garbled)
    garbled = sum(1 for m in drop.world.months for r in m.cdr if r.garbled)
    assert batch.streams["cdr"].records == expected_cdr
    assert batch.streams["cdr"].rejected == garbled
    assert batch.streams["hsplit"].records == sum(len(m.hsplit) for m in drop.world.months)
    assert batch.streams["hagent"].records == sum(len(m.hagent) for m in drop.world.months)
    assert batch.streams["files"].records == len(drop.files)
    files = {r["file_name"]: r for r in rows(batch, "files")}
    cdr_dec4 = files[cdr_name(dt.date(2023, 12, 4))]
    assert cdr_dec4["kind"] == "cdr" and len(cdr_dec4["sha256"]) == 64
    assert cdr_dec4["records"] == len(drop.lines(cdr_name(dt.date(2023, 12, 4)))) - 1  # minus the trailer


def test_cdr_answered_calls_reconcile_with_cms_acdcalls_per_month(drop, tmp_path):
    """The extracted files agree: G records at the consultation VDN = hsplit acdcalls of split 1."""
    batch = extract(drop.folder, tmp_path)
    cdr = Counter()
    for r in rows(batch, "cdr"):
        if r["vdn"] == "50420" and r["cond_code"] in ("G", "H"):
            cdr[(r["call_date"][:7], r["cond_code"])] += 1
    cms = Counter()
    for r in rows(batch, "hsplit"):
        if r["split"] == 1:
            cms[(r["row_date"][:7], "G")] += r["acdcalls"]
            cms[(r["row_date"][:7], "H")] += r["abncalls"]
    assert cdr == cms
    assert cdr[("2023-12", "G")] == 149 and cdr[("2023-11", "G")] == 103
    assert 0 < cdr[("2023-12", "H")] < cdr[("2023-12", "G")] / 4  # abandoned: plausible share of offered


def test_a_truncated_cdr_file_fails_the_extract_naming_the_file(tmp_path):
    drop = fresh_drop(tmp_path)
    name = cdr_name(dt.date(2023, 12, 5))
    drop.truncate(name, drop_bytes=40)  # mid-record, and the trailer is gone
    with pytest.raises(TruncatedFileError, match=rf"{name}: truncated: the last record has no line end"):
        extract(drop.folder, tmp_path / "landing")
    assert not list((tmp_path / "landing").rglob(MANIFEST)), "no batch may be committed"


def test_a_cdr_file_without_its_trailer_fails_naming_the_file(tmp_path):
    drop = fresh_drop(tmp_path)
    name = cdr_name(dt.date(2023, 12, 6))
    drop.drop_trailer(name)  # whole records, but the collector never closed the file
    with pytest.raises(TruncatedFileError, match=rf"{name}: truncated: no trailer line '#EOF records=<n>'"):
        extract(drop.folder, tmp_path / "landing")


def test_a_cdr_file_missing_records_before_its_trailer_fails(tmp_path):
    drop = fresh_drop(tmp_path)
    name = cdr_name(dt.date(2023, 12, 7))
    lines = drop.lines(name)
    drop.path(name).write_bytes(("\r\n".join(lines[:2] + lines[-1:]) + "\r\n").encode())
    with pytest.raises(
        TruncatedFileError,
        match=rf"{name}: truncated: the trailer announces {len(lines) - 1} records, the file holds 2",
    ):
        extract(drop.folder, tmp_path / "landing")


def test_a_truncated_cms_export_fails_and_a_wrong_header_is_named(tmp_path):
    drop = fresh_drop(tmp_path)
    name = hsplit_name(dt.date(2023, 12, 5))
    original = drop.path(name).read_bytes()
    drop.truncate(name, drop_bytes=5)
    with pytest.raises(TruncatedFileError, match=rf"{name}: truncated"):
        extract(drop.folder, tmp_path / "l1")
    drop.path(name).write_bytes(original.replace(b"acdcalls", b"acd_calls", 1))
    with pytest.raises(FileFormatError, match=rf"{name}: not a CMS hsplit export: missing columns acdcalls"):
        extract(drop.folder, tmp_path / "l2")


def test_bad_lines_are_rejected_with_file_line_and_reason_and_the_rest_are_kept(tmp_path):
    drop = fresh_drop(tmp_path, mess=False)
    cdr_file = cdr_name(dt.date(2023, 12, 4))
    cms_file = hsplit_name(dt.date(2023, 12, 4))
    good = len(drop.lines(cdr_file)) - 1
    drop.replace_line(cdr_file, 3, drop.lines(cdr_file)[2][:-9])  # a record cut short
    drop.replace_line(cms_file, 4, "2023-12-04,830,30,1,1,x")  # a row cut short
    batch = extract(drop.folder, tmp_path / "landing")
    cdr_rejects, cms_rejects = rejects(batch, "cdr"), rejects(batch, "hsplit")
    assert [(r["key"], r["reason"]) for r in cdr_rejects] == [
        (f"{cdr_file}:3", "record has 114 characters, the djpk-customized layout has 123 (truncated or garbled record)")
    ]
    assert cdr_rejects[0]["record"]["raw_record"] == drop.lines(cdr_file)[2]
    assert [(r["key"], r["reason"]) for r in cms_rejects] == [(f"{cms_file}:4", "row has 6 fields, the header has 17")]
    kept = [r for r in rows(batch, "cdr") if r["source_file"] == cdr_file]
    assert len(kept) == good - 1 and 3 not in {r["line_no"] for r in kept}
    registry = {r["file_name"]: r for r in rows(batch, "files")}
    assert (registry[cdr_file]["records"], registry[cdr_file]["rejected"]) == (good - 1, 1)


def test_files_already_loaded_are_skipped_and_a_changed_file_is_read_again(tmp_path):
    drop = fresh_drop(tmp_path)
    first = extract(drop.folder, tmp_path / "landing")
    loaded = {r["file_name"]: r["sha256"] for r in rows(first, "files")}
    again = extract(drop.folder, tmp_path / "landing", loaded=loaded)
    assert (again.window["files_read"], again.window["files_skipped"]) == (0, len(loaded))
    assert all(s.records == 0 for s in again.streams.values())
    name = hsplit_name(dt.date(2023, 12, 4))
    drop.path(name).write_bytes(drop.path(name).read_bytes())  # rewritten, same bytes
    assert extract(drop.folder, tmp_path / "landing", loaded=loaded).window["files_read"] == 0  # same bytes
    drop.path(name).write_bytes(drop.path(name).read_bytes().replace(b"\r\n", b"\n"))  # re-exported: new version
    changed = extract(drop.folder, tmp_path / "landing", loaded=loaded)
    assert changed.window["files_read"] == 1
    assert [r["file_name"] for r in rows(changed, "files")] == [name]
    full = extract(drop.folder, tmp_path / "landing", loaded=loaded, full_refresh=True)
    assert full.window["files_read"] == len(loaded)


def test_the_connection_points_at_the_folder_and_its_patterns(tmp_path):
    from types import SimpleNamespace

    (tmp_path / "x").mkdir()
    conn = SimpleNamespace(conn_type="fs", host=None, extra_dejson={"path": str(tmp_path), "cdr_glob": "x/*.cdr"})
    config = AvayaConfig.from_connection(conn)
    assert isinstance(config.folder, LocalFolder) and config.folder.root == tmp_path
    assert config.options.patterns["cdr"] == "x/*.cdr" and config.options.patterns["hsplit"] == "cms/hsplit_*.csv"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        AvayaConfig.from_connection(
            SimpleNamespace(conn_type="fs", host=None, extra_dejson={"path": str(tmp_path / "no")})
        )


def test_the_stand_in_is_deterministic(tmp_path):
    a = AvayaStandIn(tmp_path / "a", seed=7, start="2023-12-01", end="2024-01-01").write()
    b = AvayaStandIn(tmp_path / "b", seed=7, start="2023-12-01", end="2024-01-01").write()
    c = AvayaStandIn(tmp_path / "c", seed=8, start="2023-12-01", end="2024-01-01").write()
    name = cdr_name(dt.date(2023, 12, 12))
    assert a.path(name).read_bytes() == b.path(name).read_bytes() != c.path(name).read_bytes()
    assert (
        a.world.figures[("consultation", "2023-12")].answered
        == 149
        == c.world.figures[("consultation", "2023-12")].answered
    )
