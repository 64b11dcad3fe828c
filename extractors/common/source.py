"""The source contract: what every source declares, once, in ``extractors/<source>/source.py``.

A ``Source`` names its Airflow connection, its schedule and its streams, and gives
one function, ``extract(ctx)``, that builds its client from the connection and
fills a ``Batch``. Everything else is the runner's (``extractors.runner``): state
and watermarks, loading, the completeness guard, quarantine, retention, progress
and the run summary; the DAG factory (``pipeline.dag_factory``) and the CLI
(``python -m extractors``) are built from the registry (``extractors.registry``).

Declarations import nothing heavy: the DAG files read them at parse time. The
stream declarations are checked against the extractor's ``Stream`` classes by the
contract test (``tests/test_source_contract.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Mode = Literal["incremental", "full_refresh", "append"]
MODES = ("incremental", "full_refresh", "append")

# How a personal-data field is treated on its way to the marts (UU 27/2022).
PERSONAL_TREATMENTS = (
    "pseudonymised",  # keyed HMAC-SHA256 (dbt macro pseudonymise) before anything bi_reader reads
    "counted",  # reaches BI only as counts
    "engineers_only",  # stays in raw/staging, never in a relation bi_reader can select
    "hashed_at_extract",  # replaced by its keyed hash in the extractor; never landed raw
)


@dataclass(frozen=True)
class StreamDecl:
    """One stream: its raw table ``raw.<source>__<name>``, keys, cursor and mode.

    ``mode``: ``incremental`` (merge by key from the cursor on; a requested full
    refresh reconciles deletions under the completeness guard), ``full_refresh``
    (read whole every run; deletions under the guard) or ``append`` (never deletes).
    ``expected_total``: how the extract proves its listing complete (what the
    source says it holds), or why it need not. ``personal``: field -> treatment.
    """

    name: str
    primary_key: tuple[str, ...]
    cursor: str | None
    mode: Mode
    expected_total: str
    personal: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"stream {self.name}: mode {self.mode!r} is not one of {MODES}")
        bad = {f: t for f, t in self.personal.items() if t not in PERSONAL_TREATMENTS}
        if bad:
            raise ValueError(f"stream {self.name}: unknown personal-data treatment {bad}")


@dataclass
class RunContext:
    """What one extract gets: the connection (an Airflow ``Connection``), where to
    land, the window, and a way to read the warehouse's state (loaded files,
    mailbox cursor) when the source needs it (``None`` when there is no warehouse)."""

    connection: Any
    landing_dir: Path
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    full_refresh: bool = False
    warehouse: Callable[[], Any] | None = None

    def state(self, read: Callable[[Any], Any], default: Any) -> Any:
        """``read(conn)`` on a warehouse connection, or ``default`` without a warehouse."""
        if self.warehouse is None:
            return default
        with self.warehouse() as conn:
            return read(conn)

    def run_window(self, config: Any, run_extract: Callable[..., Any]) -> Any:
        """The extract of a source read by window: ``run_extract`` on ``config.from_connection``
        of this connection, with this landing folder, window and full-refresh flag."""
        return run_extract(
            config.from_connection(self.connection),
            self.landing_dir,
            since=self.since,
            until=self.until,
            full_refresh=self.full_refresh,
        )


@dataclass(frozen=True)
class Source:
    """One source system: how to reach it, what it holds, when to read it."""

    name: str
    conn_id: str
    title: str
    schedule: str
    streams: tuple[StreamDecl, ...]
    extract: Callable[[RunContext], Any]  # -> Batch (committed); imports lazily
    description: str  # the DAG's documentation (markdown)
    full_refresh_help: str
    tags: tuple[str, ...] = ()
    retry_delay_minutes: int = 5
    after_load: Callable[[str], Any] | None = None  # e.g. the WhatsApp spool's retention
    # The weekday (0 = Monday) whose scheduled run is a full refresh: the periodic
    # reconciliation of id sets with the source, deleting only under the completeness guard.
    reconcile_weekday: int | None = None

    def reconciles(self, data_interval_start: dt.datetime | None) -> bool:
        """Whether the scheduled run of this data interval reconciles (full refresh)."""
        return (
            self.reconcile_weekday is not None
            and data_interval_start is not None
            and data_interval_start.weekday() == self.reconcile_weekday
        )

    @property
    def asset_name(self) -> str:
        return f"raw_{self.name}"

    def stream(self, name: str) -> StreamDecl:
        for s in self.streams:
            if s.name == name:
                return s
        raise KeyError(f"{self.name} has no stream {name!r} (it has {', '.join(s.name for s in self.streams)})")
