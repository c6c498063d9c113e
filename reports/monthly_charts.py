"""The charts of the monthly report, drawn with matplotlib (every text literal), and the cache that draws each
one once per content."""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.files import write_atomically
from reports.monthly_data import ReportData
from resources import settings as settings_module
from transform.indicators import INDICATOR_LABELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHART_CACHE_FOLDER = "chart-cache"
CHART_CACHE_DAYS = 7
CHART_ENTRY = re.compile(r"[0-9a-f]{64}\.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
MAX_CHART_BYTES = 16 * 2**20
# Every text of a chart is drawn as written: no mathtext (`$…$`), no TeX.
CHART_TEXT = {"text.parse_math": False, "text.usetex": False}
CHART_LABEL_CHARS = 60
CHART_BREAKS = re.compile("[\t\n\v\f\r\x85\u2028\u2029]")
CHART_UNDRAWABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
INDICATOR_ORDER = list(INDICATOR_LABELS)


@dataclass
class Chart:
    """One rendered chart: file name, caption and PNG bytes."""

    name: str
    caption: str
    png: bytes


@dataclass(frozen=True)
class ChartSpec:
    """A chart of the report: file name and caption, how it is drawn, the `ReportData` fields it reads."""

    name: str
    caption: str
    draw: Callable[[ReportData], Figure]
    inputs: tuple[str, ...]


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A matplotlib figure of that size (matplotlib is imported when the first chart is drawn)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def _integer_locator() -> Any:
    """A tick locator that puts ticks on integers only."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def chart_label(value: Any) -> str:
    """A source text as a chart label: on one line (breaks become spaces), characters no font draws become
    U+FFFD, cut to CHART_LABEL_CHARS (ending in `…`). Drawn under CHART_TEXT, `$` is shown as written."""
    text = CHART_UNDRAWABLE.sub("\ufffd", CHART_BREAKS.sub(" ", str(value)))
    return text if len(text) <= CHART_LABEL_CHARS else text[: CHART_LABEL_CHARS - 1] + "…"


def render_chart(spec: ChartSpec, data: ReportData) -> Chart:
    """Draw a chart with CHART_TEXT in force (every text literal) and render it to PNG."""
    import matplotlib  # drawn rarely: not imported when the code location loads

    with matplotlib.rc_context(CHART_TEXT):
        return Chart(spec.name, spec.caption, png_bytes(spec.draw(data)))


def all_units_chart(data: ReportData) -> Figure:
    """Bar chart: each indicator of the whole Department against its target."""
    rows = {row.indicator_code: row for row in data.month_rows if row.unit_code == "ALL"}
    codes = [code for code in INDICATOR_ORDER if code in rows]
    figure = new_figure(figsize=(9, 0.5 * max(len(codes), 1) + 1.2))
    axes = figure.subplots()
    values = [float(rows[code].value) * 100 for code in codes]
    colours = ["#2f855a" if rows[code].meets_target else "#c53030" for code in codes]
    axes.barh([INDICATOR_LABELS[code] for code in codes], values, color=colours)
    for position, code in enumerate(codes):
        if rows[code].target is not None:
            axes.plot(
                [float(rows[code].target) * 100] * 2, [position - 0.4, position + 0.4], color="#1a202c", lw=2
            )
    axes.invert_yaxis()
    axes.set_xlim(0, 105)
    axes.set_xlabel("% (vạch đen: chỉ tiêu)")
    axes.set_title("Toàn Sở: chỉ số so với chỉ tiêu")
    return figure


def trend_chart(data: ReportData) -> Figure:
    """Small multiples: 12 months of each indicator for the whole Department and the provisional month."""
    figure = new_figure(figsize=(12, 9))
    grid = figure.subplots(3, 3)
    months = sorted({row.period_month for row in data.trend_rows})
    complete = [month for month in months if data.month is None or month <= data.month]
    for axes, code in zip(grid.flat, INDICATOR_ORDER, strict=True):
        values = {
            row.period_month: float(row.value) * 100 for row in data.trend_rows if row.indicator_code == code
        }
        axes.plot(
            range(len(complete)),
            [values.get(month, float("nan")) for month in complete],
            marker="o",
            color="#2b6cb0",
        )
        if len(months) > len(complete):
            tail = range(max(len(complete) - 1, 0), len(months))
            axes.plot(
                tail, [values.get(months[i], float("nan")) for i in tail], linestyle=":", color="#718096"
            )
            axes.plot(
                range(len(complete), len(months)),
                [values.get(month, float("nan")) for month in months[len(complete) :]],
                marker="o", markerfacecolor="white", linestyle="none", color="#718096",
            )  # fmt: skip
        if data.targets.get(code) is not None:
            axes.axhline(float(data.targets[code]) * 100, color="#c53030", linestyle="--", lw=1)
        axes.set_title(INDICATOR_LABELS[code], fontsize=9)
        axes.set_ylim(0, 105)
        axes.set_xticks(range(len(months)), [month_tick(data, month) for month in months])
        axes.tick_params(axis="x", labelrotation=60, labelsize=7)
    figure.suptitle("Xu hướng 12 tháng (toàn Sở; nét đứt đỏ: chỉ tiêu; điểm rỗng: tháng hiện tại, tạm tính)")
    figure.tight_layout()
    return figure


def month_tick(data: ReportData, month: date) -> str:
    """`MM/YY`, with `(tạm tính)` for a month after the report month."""
    label = month.strftime("%m/%y")
    return f"{label}\n(tạm tính)" if data.month is not None and month > data.month else label


def burndown_chart(data: ReportData) -> Figure:
    """Backlog still open on Egov since the cutover, and the residue snapshots."""
    figure = new_figure(figsize=(10, 4))
    axes = figure.subplots()
    if data.open_backlog:
        axes.plot(
            [row.day for row in data.open_backlog], [row.still_open for row in data.open_backlog],
            color="#2b6cb0", label="Hồ sơ tồn chưa kết thúc (theo ngày kết thúc)",
        )  # fmt: skip
    if data.snapshots:
        axes.step(
            [row.as_of_date for row in data.snapshots], [row.residue for row in data.snapshots],
            where="post", color="#c53030", marker="o", label="Hồ sơ tồn trên Egov (ảnh chụp hằng ngày)",
        )  # fmt: skip
    if not (data.open_backlog or data.snapshots):
        axes.text(0.5, 0.5, "Chưa có dữ liệu", ha="center", va="center", transform=axes.transAxes)
    else:
        axes.legend(loc="upper right", fontsize=8)
    axes.set_ylim(bottom=0)
    axes.set_title("Tiến độ xử lý hồ sơ tồn từ thời điểm chuyển đổi hệ thống")
    figure.autofmt_xdate()
    return figure


def late_chart(data: ReportData) -> Figure:
    """Bar charts of the units and officials with the most late cases this month (source names as
    `chart_label`s, one bar each even when two labels read the same)."""
    figure = new_figure(figsize=(11, 4))
    left, right = figure.subplots(1, 2)
    for axes, rows, label, title in (
        (left, data.late_units, "unit_code", "Đơn vị"),
        (right, data.late_officials, "official", "Cán bộ xử lý cuối"),
    ):
        names = [chart_label(getattr(row, label)) for row in rows]
        axes.barh(range(len(rows)), [row.late_cases for row in rows], color="#dd6b20")
        axes.set_yticks(range(len(rows)), names)
        axes.xaxis.set_major_locator(_integer_locator())
        axes.invert_yaxis()
        axes.set_title(f"{title}: hồ sơ không đúng hạn", fontsize=10)
        if not rows:
            axes.text(0.5, 0.5, "Không có", ha="center", va="center", transform=axes.transAxes)
    figure.tight_layout()
    return figure


CHARTS: dict[str, ChartSpec] = {
    "all": ChartSpec(
        "chi-so-toan-so.png", "Chỉ số của toàn Sở so với chỉ tiêu (xanh: đạt, đỏ: chưa đạt)", all_units_chart,
        ("month_rows",),
    ),
    "trend": ChartSpec(
        "xu-huong-12-thang.png", "Xu hướng 12 tháng của từng chỉ số, toàn Sở", trend_chart,
        ("trend_rows", "month", "targets"),
    ),
    "burndown": ChartSpec(
        "ho-so-ton.png", "Hồ sơ tồn trên hệ thống Egov từ ngày chuyển đổi", burndown_chart,
        ("open_backlog", "snapshots"),
    ),
    "late": ChartSpec(
        "ho-so-tre-han.png", "Đơn vị và cán bộ có nhiều hồ sơ không đúng hạn nhất", late_chart,
        ("late_units", "late_officials"),
    ),
}  # fmt: skip


class ChartCache:
    """Charts drawn once per content: a chart whose inputs are unchanged is read back, not drawn again.

    The entry of a chart is `<key>.png` in a private folder: the key is the SHA-256 of the chart's spec (name,
    caption, drawing code), the matplotlib version and the `ReportData` fields the chart reads; it holds the
    PNG bytes only. The chart's file name and caption always come from its spec, never from the cache, and an
    entry that is not a complete PNG (or a link, or too large) is drawn again. Entries unused for
    CHART_CACHE_DAYS are pruned.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.drawn = 0
        self.reused = 0

    def chart(self, data: ReportData, spec: ChartSpec) -> Chart:
        """The chart of `data`, read back when drawn before from the same inputs."""
        entry = self.folder / f"{self.key(data, spec)}.png"
        stored = read_chart_entry(entry)
        if stored is not None:
            os.utime(entry, follow_symlinks=False)
            self.reused += 1
            return Chart(spec.name, spec.caption, stored)
        chart = render_chart(spec, data)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomically(entry, chart.png, mode=0o600)
        self.drawn += 1
        return chart

    @staticmethod
    def key(data: ReportData, spec: ChartSpec) -> str:
        """The hex SHA-256 naming a chart's entry: its spec, its drawing code and matplotlib, its inputs."""
        code = spec.draw.__code__
        drawing = (spec.name, spec.caption, spec.draw.__qualname__, code.co_code, code.co_consts,
                   version("matplotlib"), sorted(CHART_TEXT.items()))  # fmt: skip
        content = repr((drawing, [getattr(data, name) for name in spec.inputs]))
        return hashlib.sha256(content.encode()).hexdigest()

    def prune(self) -> None:
        """Remove entries not used for CHART_CACHE_DAYS."""
        if not self.folder.is_dir():
            return
        oldest = time.time() - CHART_CACHE_DAYS * 86_400
        for entry in self.folder.iterdir():
            if CHART_ENTRY.fullmatch(entry.name) and entry.lstat().st_mtime < oldest:
                entry.unlink(missing_ok=True)


def chart_cache_folder() -> Path:
    """The chart cache: private to the pipeline, in the data folder, never in the published reports folder."""
    return settings_module.data_dir() / CHART_CACHE_FOLDER


def read_chart_entry(entry: Path) -> bytes | None:
    """The PNG bytes of a cache entry: a regular file (not a link) holding a complete PNG of at most
    MAX_CHART_BYTES; None otherwise."""
    try:
        if not entry.is_file() or entry.is_symlink() or entry.stat().st_size > MAX_CHART_BYTES:
            return None
        content = entry.read_bytes()
    except OSError:
        return None
    if content.startswith(PNG_SIGNATURE) and content.endswith(PNG_END):
        return content
    return None
