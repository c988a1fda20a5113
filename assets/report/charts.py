"""Charts as inline SVG (matplotlib, no pyplot state): offline, no script, same bytes each run.

Every drawn value is its own SVG group with an id (`<chart>-punt-<serie>-<jaar>`,
`<chart>-balk-<groep>-<i>`), and every value that is not drawn gets a visible note
(`<chart>-noot-...`) saying why: a suppressed year is never a bar of 0 or a silent gap.
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from assets.report.fmt import decimaal

BLAUW, GRIJS, LICHT, ROOD, GROEN = "#1f4e79", "#7f7f7f", "#b4c7dc", "#c00000", "#548235"
PALET = [BLAUW, "#ed7d31", GROEN, "#7030a0", "#bf9000", GRIJS, "#2e75b6", "#843c0c"]


@dataclass
class Serie:
    """One line: {jaar: (value or None, provisional[, history incomplete])}; `notes` {jaar: why no value}.
    Open circle: provisional; open square: history incomplete (a low value may be 'not observed')."""
    key: str
    label: str
    points: dict[int, tuple]
    color: str = BLAUW
    notes: dict[int, str] = field(default_factory=dict)
    dashed: bool = False
    point_ids: bool = True  # one SVG group per point (id ...-punt-<key>-<jaar>); False for comparison lines


@dataclass
class Groep:
    """One set of bars: per category (value or None, note when None, provisional)."""
    key: str
    label: str
    values: list[tuple[float | None, str, bool]]
    color: str = BLAUW


def _unit_formatter(unit: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _: f"{decimaal(v, 0 if float(v).is_integer() else 1)}{(' ' + unit) if unit else ''}")


def _svg(fig: Figure, chart_id: str) -> str:
    """The figure as an inline <svg> element: no XML prolog, DOCTYPE or metadata block;
    ids salted with the chart id so two charts on one page never share an id."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": chart_id, "svg.fonttype": "none", "svg.id": chart_id}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    # matplotlib's own numbered ids (figure_1, line2d_3, ...) repeat in every chart: prefix them
    text = re.sub(r'id="([A-Za-z][A-Za-z0-9.]*_[0-9]+)"', rf'id="{chart_id}-\1"', text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{chart_id}" class="grafiek" ', 1)


def _figure(width: float, height: float, left: float, right: float, bottom: float = 0.45, top: float = 0.15) -> Figure:
    """A figure with fixed margins in inches: one draw only (a 'tight' box would draw twice)."""
    fig = Figure(figsize=(width, height), dpi=96)
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)
    return fig


def _text_width(labels: list[str]) -> float:
    """Rough width in inches of the longest label at 9 pt (about 0.075 in per character)."""
    return max([len(t) for t in labels] + [4]) * 0.068 + 0.15


def trend(chart_id: str, years: list[int], series: list[Serie], doel: dict[int, float] | None = None,
          unit: str = "%", ylabel: str = "") -> str:
    """Lines over the years; open markers are provisional; the target as a dashed red step."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.size": 9}):
        legend = _text_width([s.label for s in series] + (["doel"] if doel else [])) + 0.5
        fig = _figure(6.0 + legend, 3.4, left=0.75, right=legend, bottom=0.6 if len(years) > 10 else 0.45)
        ax = fig.add_subplot()
        top = 0.0
        for s in series:
            ys = [s.points.get(y, (None, False))[0] for y in years]
            ax.plot(years, [math.nan if v is None else v for v in ys], color=s.color, lw=1.8,
                    ls="--" if s.dashed else "-", label=s.label, gid=f"{chart_id}-lijn-{s.key}")
            if not s.point_ids:  # a comparison line: its markers in one artist per style (cheaper)
                for style, (marker, fill) in {"final": ("o", s.color), "open": ("o", "white")}.items():
                    pts = [(y, v) for y, (v, prov, *inc) in sorted(s.points.items())
                           if v is not None and y in years and (style == "open") == bool(prov or any(inc))]
                    if pts:
                        ax.plot(*zip(*pts), marker=marker, ms=4, color=s.color, mfc=fill, ls="none",
                                gid=f"{chart_id}-punten-{s.key}-{style}")
                        top = max([top, *(v for _, v in pts)])
                continue
            for y, (v, provisional, *incomplete) in sorted(s.points.items()):
                if v is None or y not in years:
                    continue
                ax.plot([y], [v], marker="s" if any(incomplete) else "o", ms=5, color=s.color,
                        mfc="white" if provisional or any(incomplete) else s.color,
                        ls="none", gid=f"{chart_id}-punt-{s.key}-{y}")
                top = max(top, v)
        if doel:
            dy = [y for y in years if y in doel]
            ax.step(dy, [doel[y] for y in dy], where="mid", color=ROOD, ls="--", lw=1.2,
                    label="doel", gid=f"{chart_id}-doel")
            top = max([top, *doel.values()])
        top = top * 1.2 if top > 0 else 10.0
        ax.set_ylim(0, top)
        for s in series:
            for y, note in sorted(s.notes.items()):
                if y in years:
                    ax.text(y, top * 0.03, note, rotation=90, ha="center", va="bottom", fontsize=7, color=GRIJS,
                            gid=f"{chart_id}-noot-{s.key}-{y}")
        ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 10 else 0)
        ax.set_xlim(min(years) - 0.6, max(years) + 0.6) if years else None
        ax.yaxis.set_major_formatter(_unit_formatter(unit))
        ax.yaxis.set_major_locator(MaxNLocator(6))
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", color="#dddddd", lw=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return _svg(fig, chart_id)


def bars(chart_id: str, categories: list[str], groups: list[Groep], doel: float | None = None,
         unit: str = "%", highlight: str | None = None, decimals: int = 1) -> str:
    """Horizontal bars, one row per category, one bar per group; value labels in Dutch format,
    '(v)' after a provisional value; a category without a value shows its note instead."""
    n, k = len(categories), max(1, len(groups))
    with matplotlib.rc_context({"font.family": "sans-serif", "font.size": 9}):
        legend = _text_width([g.label for g in groups]) + 0.5 if k > 1 else 0.2
        fig = _figure(6.0 + _text_width(categories) + legend, max(1.6, 0.3 * n * k + 0.9),
                      left=_text_width(categories) + 0.1, right=legend)
        ax = fig.add_subplot()
        height = 0.8 / k
        top = max([v for g in groups for v, _, _ in g.values if v is not None] + [doel or 0, 1e-9])
        for gi, g in enumerate(groups):
            for ci, (v, note, provisional) in enumerate(g.values):
                y = ci + (gi - (k - 1) / 2) * height
                if v is None:
                    ax.text(0, y, f" {note}", va="center", ha="left", fontsize=8, color=GRIJS, style="italic",
                            gid=f"{chart_id}-noot-{g.key}-{ci}")
                    continue
                color = g.color
                if highlight is not None and k == 1:
                    color = BLAUW if categories[ci] == highlight else LICHT
                ax.barh([y], [v], height=height * 0.9, color=color, hatch="//" if provisional else None,
                        edgecolor="white" if not provisional else color, gid=f"{chart_id}-balk-{g.key}-{ci}")
                ax.text(v + top * 0.01, y, f"{decimaal(v, decimals)}{(' ' + unit) if unit else ''}{' (v)' if provisional else ''}",
                        va="center", ha="left", fontsize=7.5)
        if doel is not None:
            ax.axvline(doel, color=ROOD, ls="--", lw=1.2, gid=f"{chart_id}-doel")
            ax.text(doel, -0.7, f"doel {decimaal(doel)}{(' ' + unit) if unit else ''}", color=ROOD, fontsize=7.5,
                    ha="center", va="bottom")
        # category names as plain text, not as tick labels: a matplotlib tick costs two lines,
        # two texts and a grid line; at national scale (1,000 charts) that is half the time
        ax.set_yticks([])
        for ci, name in enumerate(categories):
            ax.text(-0.01, ci, name, transform=ax.get_yaxis_transform(), ha="right", va="center")
        ax.set_ylim(n - 0.5, -0.9)
        ax.set_xlim(0, top * 1.22)
        ax.xaxis.set_major_formatter(_unit_formatter(unit))
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.grid(axis="x", color="#dddddd", lw=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        if k > 1:  # every group in the legend, also one without a single drawn bar
            ax.legend(handles=[Patch(facecolor=g.color, label=g.label) for g in groups],
                      loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return _svg(fig, chart_id)
