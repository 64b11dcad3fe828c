"""Charts for the report, drawn with matplotlib (Agg) and inlined as PNG data URIs."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PALETTE = ["#0b4f8a", "#f2a900", "#2e8b57", "#c0392b", "#7d3c98", "#16a085", "#d35400", "#5d6d7e"]


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def bars(labels: list[str], values: list[float], title: str = "", horizontal: bool = True) -> str:
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * max(len(labels), 3) + 0.8 if horizontal else 3.2))
    if horizontal:
        ax.barh(labels[::-1], values[::-1], color=PALETTE[0])
        for i, v in enumerate(values[::-1]):
            ax.text(v, i, f" {v:,.0f}".replace(",", "."), va="center", fontsize=8)
    else:
        ax.bar(labels, values, color=PALETTE[0])
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    return _png(fig)


def donut(labels: list[str], values: list[float], title: str = "") -> str:
    fig, ax = plt.subplots(figsize=(4.8, 3.2))
    total = sum(values) or 1
    wedges, _ = ax.pie(values, colors=PALETTE[: len(values)], startangle=90, wedgeprops={"width": 0.4})
    ax.legend(
        wedges,
        [f"{label} ({v / total * 100:.1f}%)".replace(".", ",") for label, v in zip(labels, values, strict=True)],
        loc="center left",
        bbox_to_anchor=(1, 0.5),
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title, fontsize=10)
    return _png(fig)


def trend(months: list[str], series: dict[str, list[float | None]], title: str = "") -> str:
    fig, ax = plt.subplots(figsize=(6.8, 3.0))
    for i, (name, values) in enumerate(series.items()):
        ax.plot(months, values, marker="o", markersize=3, label=name, color=PALETTE[i % len(PALETTE)])
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, frameon=False, ncol=min(len(series), 5))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    return _png(fig)
