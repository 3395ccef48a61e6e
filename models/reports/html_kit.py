"""The one HTML kit of the reports (QGIS-free): the page, its CSS, tables, numbers, figures.

The training report (:mod:`.training_report`) and the accuracy report
(:mod:`.assessment_report`) are built from these pieces, so both pages look alike and print
a missing number, a percentage or a colour swatch the same way.

Figures are inline SVG drawn with matplotlib (imported only when a figure is drawn, through
its object-oriented API, never ``pyplot``, so no GUI backend or global state is touched).
Without matplotlib :func:`matplotlib_figure` gives None and a report keeps its tables and
says why the figures are missing (:data:`MATPLOTLIB_MISSING`). Nothing is loaded from the
network: no external CSS, JS or fonts.
"""

from __future__ import annotations

import html
import io
import math
import re
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np

MATPLOTLIB_MISSING = (
    "The figures need matplotlib, which the Python running QGIS cannot import; the "
    "tables below hold the same numbers. Install it (Debian/Ubuntu: "
    "'apt install python3-matplotlib'; elsewhere 'python -m pip install matplotlib' with "
    "QGIS's Python) to get the plots."
)

#: What a table cell shows for a number that does not exist (NaN, no pixels, not recorded).
MISSING = "-"

CSS = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 75em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: right; }
th { background: #f0f0f0; }
th.name, td.name { text-align: left; }
.metrics td.value { font-weight: bold; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #666;
          margin-right: 0.3em; vertical-align: middle; }
.note { color: #555; font-size: 0.9em; max-width: 60em; }
table.matrix td { min-width: 3em; }
figure { margin: 0.5em 0 1em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.9em; max-width: 60em; }
"""


# --- the page and its text ----------------------------------------------------------------


def page(title: str, body: str) -> str:
    """A whole self-contained page: ``title`` as its title and heading, then ``body``."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n"
        f"<body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def note(text: str) -> str:
    """A paragraph in the grey note style (``text`` is HTML)."""
    return f'<p class="note">{text}</p>'


def missing_figures_note() -> str:
    """The note that stands where figures would be without matplotlib."""
    return note(MATPLOTLIB_MISSING)


def swatch(colour: str) -> str:
    """A small square in a class's colour, put before its name."""
    return f'<span class="swatch" style="background:{html.escape(colour)}"></span>'


def table(rows: Sequence[Tuple[str, Any]]) -> str:
    """A two-column table of names and values, both given as plain text (escaped here)."""
    body = "".join(f'<tr><th class="name">{html.escape(str(k))}</th>'
                   f'<td class="name">{html.escape(str(v))}</td></tr>' for k, v in rows)
    return f"<table>{body}</table>"


def percent(value: Optional[float]) -> str:
    """A fraction as a percentage with two decimals; :data:`MISSING` for None or NaN."""
    if value is None or not math.isfinite(value):
        return MISSING
    return f"{100 * value:.2f} %"


def decimals(value: Optional[float], places: int) -> str:
    """A number with ``places`` decimals (a kappa); :data:`MISSING` for None or NaN."""
    if value is None or not math.isfinite(value):
        return MISSING
    return f"{value:.{places}f}"


# --- figures -----------------------------------------------------------------------------


def is_pale(colour: str) -> bool:
    """Whether a '#rrggbb' colour is too light to see on white (relative luminance above
    0.75: the palette's light greens, yellows and pinks)."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.75


def darker(colour: str, factor: float = 0.7) -> str:
    """The same hue, each channel scaled by ``factor``."""
    r, g, b = (int(int(colour[i:i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def matplotlib_figure(width: float, height: float):
    """A matplotlib ``Figure`` of ``width`` x ``height`` inches, or None without matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure(figsize=(width, height), layout="constrained")


def have_matplotlib() -> bool:
    """Whether figures can be drawn (else the reports show their tables alone)."""
    return matplotlib_figure(1, 1) is not None


def figure_html(figure, caption: str = "", salt: str = "figure") -> str:
    """A figure as an inline ``<svg>`` in a ``<figure>`` with its caption.

    Text is drawn as paths, so it looks the same whatever fonts the browser has;
    ``salt`` keeps the SVG ids of several figures on one page apart and the output
    reproducible.
    """
    import matplotlib

    stream = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": salt}):
        figure.savefig(stream, format="svg", metadata={"Date": None})
    svg = stream.getvalue()
    svg = svg[svg.find("<svg"):]  # drop the XML prolog and DOCTYPE for inline use
    # Inline SVG in HTML needs no namespace declarations (the HTML parser knows svg and
    # xlink:href) nor matplotlib's RDF metadata: without them the page names no URL.
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    text = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{svg}{text}</figure>"


def confusion_figure(matrix: np.ndarray, row_labels: Sequence[str],
                     column_labels: Sequence[str], title: str = ""):
    """Heat map of a confusion matrix: shade = share of the row, counts in the cells.

    ``matrix`` has one row per reference class and may have more columns than rows (e.g.
    an "Unclassified" column). Returns a Figure, or None without matplotlib.
    """
    matrix = np.asarray(matrix, dtype=np.int64)
    rows, columns = matrix.shape
    size = max(4.0, 0.5 * columns + 2.5)
    figure = matplotlib_figure(size, max(3.5, 0.45 * rows + 2.0))
    if figure is None:
        return None
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    axes = figure.add_subplot()
    image = axes.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    font = 9 if columns <= 10 else 7 if columns <= 18 else 5
    for i in range(rows):
        for j in range(columns):
            if matrix[i, j]:
                axes.text(j, i, f"{matrix[i, j]:d}", ha="center", va="center", fontsize=font,
                          color="white" if share[i, j] > 0.6 else "#222")
    axes.set_xticks(range(columns), [str(c) for c in column_labels], rotation=90,
                    fontsize=font + 1)
    axes.set_yticks(range(rows), [str(r) for r in row_labels], fontsize=font + 1)
    axes.set_xlabel("Predicted class")
    axes.set_ylabel("Reference class")
    if title:
        axes.set_title(title)
    colorbar = figure.colorbar(image, ax=axes, shrink=0.8)
    colorbar.set_label("Share of the reference class")
    return figure


def bar_figure(names: Sequence[str], series: Dict[str, Sequence[float]],
               colours: Sequence[str], xlabel: str = "Accuracy (%)"):
    """Horizontal bars per class, one bar per series (values 0-1, NaN = no bar).

    ``colours`` are the classes' colours, drawn as a swatch beside each name. Returns a
    Figure, or None without matplotlib.
    """
    figure = matplotlib_figure(7.5, max(2.5, 0.3 * len(names) + 1.4))
    if figure is None:
        return None
    axes = figure.add_subplot()
    count = max(1, len(series))
    height = 0.8 / count
    fills = ("#2166ac", "#f4a582", "#92c5de", "#b2182b")
    positions = np.arange(len(names))
    for k, (label, values) in enumerate(series.items()):
        values = np.array([np.nan if v is None else v for v in values], dtype=float)
        offsets = positions - 0.4 + height * (k + 0.5)
        axes.barh(offsets, np.nan_to_num(values * 100.0), height=height, label=label,
                  color=fills[k % len(fills)])
        for y, value in zip(offsets, values):
            if math.isfinite(value) and value >= 0.12:  # the value inside its bar's end
                axes.text(value * 100.0 - 1.0, y, f"{value * 100:.1f}", ha="right",
                          va="center", fontsize=6, color="white" if k % 2 == 0 else "#222")
    axes.set_yticks(positions, list(names), fontsize=8)
    for tick, colour in zip(axes.get_yticklabels(), colours):
        tick.set_bbox({"facecolor": colour or "white", "edgecolor": "#666", "alpha": 0.35,
                       "pad": 1.5})
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_ylim(len(names) - 0.5, -0.5)
    axes.set_xlabel(xlabel)
    axes.grid(axis="x", color="#ddd")
    axes.set_axisbelow(True)
    if len(series) > 1:
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4, fontsize=8,
                    frameon=False)
    return figure


def area_figure(names: Sequence[str], map_areas: Sequence[float],
                areas: Sequence[Optional[float]], half_widths: Sequence[Optional[float]],
                colours: Sequence[str], unit: str = "ha") -> Optional[Any]:
    """Horizontal bars per class: the map's area beside the estimated area with its 95 %
    interval as an error bar. Returns a Figure, or None without matplotlib."""
    figure = matplotlib_figure(7.5, max(2.5, 0.45 * len(names) + 1.4))
    if figure is None:
        return None
    axes = figure.add_subplot()
    positions = np.arange(len(names))
    estimated = np.array([np.nan if a is None else a for a in areas], float)
    errors = np.array([0.0 if h is None else h for h in half_widths], float)
    axes.barh(positions - 0.2, np.asarray(map_areas, float), height=0.4, color="#bbbbbb",
              label="Map area (pixel count)")
    axes.barh(positions + 0.2, np.nan_to_num(estimated), height=0.4, color="#2166ac",
              xerr=errors, error_kw={"ecolor": "#b2182b", "capsize": 3, "linewidth": 1.2},
              label="Estimated area, 95 % interval")
    axes.set_yticks(positions, list(names), fontsize=8)
    for tick, colour in zip(axes.get_yticklabels(), colours):
        tick.set_bbox({"facecolor": colour or "white", "edgecolor": "#666", "alpha": 0.35,
                       "pad": 1.5})
    axes.set_ylim(len(names) - 0.5, -0.5)
    axes.set_xlim(left=0)
    axes.set_xlabel(f"Area ({unit})")
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    axes.grid(axis="x", color="#ddd")
    axes.set_axisbelow(True)
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8,
                frameon=False)
    return figure
