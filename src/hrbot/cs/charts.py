"""Bar charts as inline SVG, so the HR report is one self-contained file (no CDN, no images
to lose). Only what the report needs: horizontal bars, optionally stacked, with a reference
line for the team figure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

PALETTE = ("#2f6fb0", "#4aa57a", "#e0a030", "#c0504d", "#8064a2", "#4bacc6")
ROW = 26
LABEL_WIDTH = 170
VALUE_WIDTH = 90


def _frame(title: str, width: int, height: int, body: list[str], chart_id: str) -> str:
    return (
        f'<svg class="chart" id="{escape(chart_id)}" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, float]],
    *,
    chart_id: str,
    value_text: Callable[[float], str] = lambda v: f"{v:,.2f}",
    reference: tuple[str, float] | None = None,
    width: int = 720,
    color: str = PALETTE[0],
) -> str:
    """One bar per row; `reference` draws a dashed line (e.g. the team mean) with its label."""
    top = 28
    plot = width - LABEL_WIDTH - VALUE_WIDTH
    peak = max([v for _, v in rows] + ([reference[1]] if reference else []) + [1e-9])
    height = top + ROW * len(rows) + (22 if reference else 8)
    body = []
    for position, (label, value) in enumerate(rows):
        y = top + position * ROW
        length = max(0.0, value) / peak * plot
        body.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 17}" font-size="12" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        body.append(
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{ROW - 8}" '
            f'fill="{color}" data-value="{value:.4f}"><title>{escape(label)}: {escape(value_text(value))}'
            f"</title></rect>"
        )
        body.append(
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 17}" font-size="12">'
            f"{escape(value_text(value))}</text>"
        )
    if reference:
        x = LABEL_WIDTH + reference[1] / peak * plot
        bottom = top + ROW * len(rows)
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#555" stroke-dasharray="4 3"/>'
        )
        body.append(
            f'<text x="{x:.1f}" y="{bottom + 15}" font-size="11" text-anchor="middle">'
            f"{escape(reference[0])} {escape(value_text(reference[1]))}</text>"
        )
    return _frame(title, width, height, body, chart_id)


def stacked_bar_chart(
    title: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    *,
    chart_id: str,
    value_text: Callable[[float], str] = lambda v: f"{v:,.1f}",
    width: int = 720,
) -> str:
    """Bars made of segments, one per series, with a legend underneath."""
    top = 28
    plot = width - LABEL_WIDTH - VALUE_WIDTH
    peak = max([sum(values) for _, values in rows] + [1e-9])
    legend_y = top + ROW * len(rows) + 14
    body = []
    for position, (label, values) in enumerate(rows):
        y = top + position * ROW
        x = float(LABEL_WIDTH)
        body.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 17}" font-size="12" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        for index, value in enumerate(values):
            length = max(0.0, value) / peak * plot
            if length <= 0:
                continue
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y + 4}" width="{length:.1f}" height="{ROW - 8}" '
                f'fill="{PALETTE[index % len(PALETTE)]}" data-value="{value:.4f}"><title>{escape(label)} '
                f"{escape(series[index])}: {escape(value_text(value))}</title></rect>"
            )
            x += length
        body.append(
            f'<text x="{x + 4:.1f}" y="{y + 17}" font-size="12">{escape(value_text(sum(values)))}</text>'
        )
    x = float(LABEL_WIDTH)
    for index, name in enumerate(series):
        body.append(
            f'<rect x="{x:.1f}" y="{legend_y - 10}" width="12" height="12" '
            f'fill="{PALETTE[index % len(PALETTE)]}"/>'
        )
        body.append(f'<text x="{x + 16:.1f}" y="{legend_y}" font-size="12">{escape(name)}</text>')
        x += 26 + 13 * len(name) + 8
    return _frame(title, width, legend_y + 10, body, chart_id)
