"""The CM CDR record layout, declared once: what ``display system-parameters cdr`` shows.

Communication Manager writes one fixed-position text record per call (segment)
in the format chosen on the ``system-parameters cdr`` form. This deployment uses
the **customized** format with the items below, in this order and these widths
(page 2 of the form); a CR LF closes every record. The parser
(``extractors.avaya.cdr``) and the stand-in's switch (``simulators.avaya``) both
read this one declaration; change the switch's form, change this list.

Condition codes are CM's (Administrator's Guide, "Condition codes"); with the
trunk group's *CDR Reports* field set to ``ring``, every incoming trunk call gets
an extra ring record: G = answered (duration = ring time to answer),
H = ringing call abandoned (duration = ring time to abandon), I = busy (0).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    name: str  # the record field (snake case of the CM item name)
    width: int
    cm_item: str  # the item as the CM form names it
    numeric: bool = False  # right-adjusted digits (blank-padded), e.g. sec-dur


SPACE = "space"


@dataclass(frozen=True)
class CdrLayout:
    name: str
    items: tuple[Item, ...]
    date_format: str  # CDR Date Format: "month/day" -> mmddyy, "day/month" -> ddmmyy
    record_end: str = "\r\n"  # return + line-feed items
    trailer_prefix: str = "#EOF"  # the collector's closing line: "#EOF records=<n>"

    @property
    def width(self) -> int:
        """Characters of one record, without the CR LF."""
        return sum(i.width for i in self.items)

    def slices(self) -> list[tuple[Item, int, int]]:
        out, pos = [], 0
        for item in self.items:
            out.append((item, pos, pos + item.width))
            pos += item.width
        return out

    def format(self, values: dict[str, str | int | None]) -> str:
        """One record (without CR LF) from field values; the stand-in's switch uses this."""
        parts = []
        for item in self.items:
            if item.name == SPACE:
                parts.append(" ")
                continue
            v = values.get(item.name)
            text = "" if v is None else str(v)
            if len(text) > item.width:
                raise ValueError(f"{item.cm_item}: {text!r} is wider than {item.width}")
            parts.append(text.rjust(item.width) if item.numeric else text.ljust(item.width))
        return "".join(parts)


def _sp() -> Item:
    return Item(SPACE, 1, "space")


# display system-parameters cdr, page 2 (customized record), as administered on the DJPK switch.
CUSTOMIZED = CdrLayout(
    name="djpk-customized",
    date_format="mmddyy",
    items=(
        Item("date", 6, "date", numeric=True),
        _sp(),
        Item("time", 4, "time", numeric=True),  # hhmm the call (segment) ended
        _sp(),
        Item("sec_dur", 5, "sec-dur", numeric=True),  # seconds
        _sp(),
        Item("cond_code", 1, "cond-code"),
        _sp(),
        Item("code_dial", 4, "code-dial"),
        _sp(),
        Item("code_used", 4, "code-used"),
        _sp(),
        Item("in_trk_code", 4, "in-trk-code"),
        _sp(),
        Item("dialed_num", 23, "dialed-num"),
        _sp(),
        Item("calling_num", 15, "calling-num"),
        _sp(),
        Item("vdn", 5, "vdn"),
        _sp(),
        Item("in_crt_id", 3, "in-crt-id"),
        _sp(),
        Item("acct_code", 15, "acct-code"),
        _sp(),
        Item("frl", 1, "frl"),
        _sp(),
        Item("ucid", 20, "ucid"),
    ),
)

# Every condition code of CM CDR: code -> (direction, what it means).
CONDITION_CODES: dict[str, tuple[str, str]] = {
    "0": ("internal", "intraswitch call"),
    "1": ("attendant", "attendant-handled or attendant-assisted call"),
    "4": ("long", "extremely long call (10 hours or more): an interim record per 10-hour period"),
    "6": ("lost", "calls not recorded because of resource exhaustion (time and duration of the outage)"),
    "7": ("outgoing", "call served by AAR or ARS route selection"),
    "8": ("outgoing", "call served on a delayed basis by Ringback Queuing"),
    "9": ("incoming", "incoming or tandem call"),
    "A": ("outgoing", "outgoing call"),
    "B": ("outgoing", "adjunct-placed outgoing call"),
    "C": ("conference", "conference call (one record per trunk on the conference)"),
    "E": ("incomplete", "call not completed: facilities unavailable"),
    "F": ("incomplete", "call not completed: restricted"),
    "G": ("ring", "ring record: call answered (duration = ring time to answer)"),
    "H": ("ring", "ring record: ringing call abandoned (duration = ring time to abandon)"),
    "I": ("ring", "ring record: destination busy (duration 0)"),
    "J": ("incoming", "incoming trunk call, new connection by ANF-PR or DCS with rerouting"),
    "K": ("outgoing", "outgoing trunk call, new connection by ANF-PR or DCS with rerouting"),
    "M": ("outgoing", "outgoing trunk call, special record (see the switch release's condition-code table)"),
    "T": ("incoming", "incoming trunk call, special record (see the switch release's condition-code table)"),
}
