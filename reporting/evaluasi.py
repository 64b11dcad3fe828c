"""The section "Evaluasi dan Saran": written by the contact center's managers, never generated.

One Markdown file per month, ``reports/evaluasi/<YYYY-MM>.md`` at the repository root
(another folder with ``DJPK_EVALUASI_DIR``). A manager edits it with any text editor
or on the Git host's web page; the next render prints it. Without a file (or with an
empty one) the section says it has not been filled in: nothing is invented.

The Markdown understood is the small part people write in such a note::

    ## Manajemen Informasi            a sub-heading (## or ###)
    Koordinasi antara unit teknis …   a paragraph (lines joined until a blank line)
    - Penanggung Jawab …              a list item ("- ", "* " or "1. ")
    **tebal** and *miring*            bold and italic

Everything else is text: HTML typed into the file is shown as typed, not run.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

ENV = "DJPK_EVALUASI_DIR"
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "reports" / "evaluasi"
NOT_FILLED = "Evaluasi dan saran untuk bulan ini belum diisi."


def directory() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT_DIR)


def path_for(period: str) -> Path:
    return directory() / f"{period}.md"


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", text)


def to_html(markdown: str) -> str:
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    ordered = False

    def flush() -> None:
        nonlocal para, items
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            para = []
        if items:
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{tag}>")
            items = []

    for raw in markdown.splitlines():
        line = raw.strip()
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        item = re.match(r"^(?:[-*•]|(\d+)[.)])\s+(.*)$", line)
        if not line:
            flush()
        elif heading:
            flush()
            out.append(f"<h3>{_inline(heading.group(1).strip())}</h3>")
        elif item:
            if para:
                flush()
            if items and ordered != bool(item.group(1)):
                flush()
            ordered = bool(item.group(1))
            items.append(item.group(2))
        elif items and raw[:1].isspace():
            items[-1] += " " + line  # a list item continued on the next line
        else:
            if items:
                flush()
            para.append(line)
    flush()
    return "\n".join(out)


def load(period: str) -> str | None:
    """The month's Evaluasi dan Saran as HTML, or None when nobody has written it."""
    path = path_for(period)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8").strip()
    return to_html(text) if text else None
