"""Charts for the report, drawn with matplotlib (Agg) and inlined as PNG data URIs.

Indonesian throughout: month axes read "Jan … Mei … Agu … Des", counts have whole-number
ticks with a dot for thousands (1.469), and a chart with nothing to draw (no values, or
only zeros) says "tidak ada data" instead of failing or drawing an empty frame.
"""

from __future__ import annotations

import base64
import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from reporting import formatting as fmt  # noqa: E402

PALETTE = ["#0b4f8a", "#f2a900", "#2e8b57", "#c0392b", "#7d3c98", "#16a085", "#d35400", "#5d6d7e"]
NO_DATA = "tidak ada data"


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _has_data(values) -> bool:
    return any(v is not None and not (isinstance(v, float) and math.isnan(v)) and v != 0 for v in values)


def no_data(title: str = "", size: tuple[float, float] = (6.4, 1.6)) -> str:
    """A small chart frame that says there is nothing to draw."""
    fig, ax = plt.subplots(figsize=size)
    ax.axis("off")
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=11, color="#5d6d7e", style="italic")
    if title:
        ax.set_title(title, fontsize=10)
    return _png(fig)


def _count_axis(axis) -> None:
    """Whole-number ticks with Indonesian thousands separators (counts are never 2,5)."""
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.num(v)))


def bars(labels: list[str], values: list[float], title: str = "", horizontal: bool = True) -> str:
    if not labels or not _has_data(values):
        return no_data(title)
    values = [0 if v is None else v for v in values]
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * max(len(labels), 3) + 0.8 if horizontal else 3.2))
    if horizontal:
        ax.barh(labels[::-1], values[::-1], color=PALETTE[0])
        for i, v in enumerate(values[::-1]):
            ax.text(v, i, " " + fmt.num(v), va="center", fontsize=8)
        _count_axis(ax.xaxis)
    else:
        ax.bar(labels, values, color=PALETTE[0])
        _count_axis(ax.yaxis)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    return _png(fig)


def donut(labels: list[str], values: list[float], title: str = "") -> str:
    pairs = [(label, float(v)) for label, v in zip(labels, values, strict=True) if v]
    if not pairs:
        return no_data(title, (4.8, 1.6))
    labels, values = [p[0] for p in pairs], [p[1] for p in pairs]
    fig, ax = plt.subplots(figsize=(4.8, 3.2))
    total = sum(values)
    wedges, _ = ax.pie(values, colors=PALETTE[: len(values)], startangle=90, wedgeprops={"width": 0.4})
    ax.legend(
        wedges,
        [f"{label} ({fmt.pct(v / total * 100)})" for label, v in zip(labels, values, strict=True)],
        loc="center left",
        bbox_to_anchor=(1, 0.5),
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title, fontsize=10)
    return _png(fig)


def monthly(periods: list[str], series: dict[str, list[float | None]], title: str = "", kind: str = "bar") -> str:
    """One value per month ("YYYY-MM") for one or more series, months in Indonesian.

    ``kind`` "bar" (grouped or single bars), "stacked" (stacked bars) or "line"."""
    if not periods or not any(_has_data(v) for v in series.values()):
        return no_data(title)
    return _png(monthly_figure(periods, series, title, kind))


def monthly_figure(periods: list[str], series: dict[str, list[float | None]], title: str = "", kind: str = "bar"):
    """The figure of ``monthly`` (drawn, not yet saved)."""
    span_years = len({p[:4] for p in periods}) > 1
    labels = [fmt.month_abbr(p, with_year=span_years) for p in periods]
    x = list(range(len(periods)))
    fig, ax = plt.subplots(figsize=(6.8, 3.0))
    n = max(len(series), 1)
    bottom = [0.0] * len(periods)
    for i, (name, values) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        if kind == "line":
            ax.plot(
                x, [float("nan") if v is None else v for v in values], marker="o", markersize=3, label=name, color=color
            )
        elif kind == "stacked":
            vals = [0 if v is None else v for v in values]
            ax.bar(x, vals, bottom=bottom, label=name, color=color)
            bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
        else:
            width = 0.8 / n
            offs = [xi - 0.4 + width * (i + 0.5) for xi in x]
            vals = [0 if v is None else v for v in values]
            ax.bar(offs, vals, width=width, label=name, color=color)
            if n == 1:
                for xi, v in zip(x, values, strict=True):
                    if v:
                        ax.text(xi, v, fmt.num(v), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, labels)
    _count_axis(ax.yaxis)
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=10)
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False, ncol=min(len(series), 5))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    fig.canvas.draw()
    return fig


def trend(months: list[str], series: dict[str, list[float | None]], title: str = "") -> str:
    """Lines over months ("YYYY-MM"), e.g. consultations per channel over 13 months."""
    return monthly(months, series, title, kind="line")
