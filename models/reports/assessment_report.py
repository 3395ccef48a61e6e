"""The accuracy report (QGIS-free): an :class:`.assessment.Assessment` as a self-contained
HTML page (summary, confusion matrix as a heat map and a table, per-class accuracies as a
chart and a table) and as JSON beside it, both written or neither.

The page is built from the reports' HTML kit (:mod:`.html_kit`), as the training report is.
"""

from __future__ import annotations

import html
import json
import math
import os
from typing import Callable, List, Sequence, Tuple

from ..common.errors import CrnnError
from ..rasters.files import StagedFile
from .area_estimates import Estimate
from .assessment import UNCLASSIFIED, Assessment
from .html_kit import (
    area_figure,
    bar_figure,
    confusion_figure,
    decimals,
    figure_html,
    missing_figures_note,
    page,
    percent,
    swatch,
)


def json_path_for(report_path: str) -> str:
    """The JSON written beside an HTML report: same base name, ``.json``."""
    return os.path.splitext(report_path)[0] + ".json"


def write_json(assessment: Assessment, path: str) -> None:
    """Write the machine-readable result (matrix, classes, metrics) to ``path``."""
    _write_text(path, json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False) + "\n")


def write_html(assessment: Assessment, path: str, title: str = "Accuracy assessment") -> None:
    """Write the self-contained HTML report (inline CSS, no network) to ``path``."""
    _write_text(path, render_html(assessment, title))


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


def write_report(assessment: Assessment, html_path: str) -> str:
    """Write the HTML report and the JSON beside it; return the JSON path.

    Both are written, or neither: a report that cannot be written (a read-only folder,
    a folder or a file in the way) leaves no JSON behind and raises ``CrnnError``.
    """
    json_path = json_path_for(html_path)
    stage = None
    try:
        stage = StagedFile(html_path)  # both in one stage, moved into place together
        write_html(assessment, stage.temporary)
        write_json(assessment, stage.beside(json_path))
        stage.commit()
    except OSError as error:
        raise CrnnError(f"Cannot write the accuracy report '{html_path}' or its JSON "
                        f"'{json_path}': {error.strerror or error}. Choose a folder you "
                        "can write to and a file name that is not a folder.") from None
    finally:
        if stage is not None:
            stage.discard()
    return json_path


# --- the page ------------------------------------------------------------------------


def _class_label(assessment: Assessment, i: int) -> str:
    value = assessment.class_values[i]
    colour = assessment.class_colours.get(value)
    return f"{swatch(colour) if colour else ''}{value} {html.escape(assessment.class_names[i])}"


def html_summary(assessment: Assessment) -> str:
    """Section: what was compared and the overall figures."""
    low, high = assessment.overall_accuracy_interval
    rows = [
        ("Overall accuracy (OA)", percent(assessment.overall_accuracy)),
        ("95 % confidence interval of OA (Wilson score)",
         f"{percent(low)} &ndash; {percent(high)}"),
        ("Average accuracy (AA, mean producer's accuracy)",
         percent(assessment.average_accuracy)),
        ("Cohen's kappa", decimals(assessment.kappa, 4)),
        ("Reference pixels assessed", f"{assessment.total:,}"),
        ("Correctly classified", f"{assessment.correct:,}"),
        ("Left unclassified (counted as errors)", f"{assessment.unclassified:,}"),
    ]
    body = "".join(f'<tr><th class="name">{label}</th><td class="value">{value}</td></tr>'
                   for label, value in rows)
    sources = "".join(f"<li>{html.escape(key)}: {html.escape(value)}</li>"
                      for key, value in assessment.sources.items())
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in assessment.notes)
    return (
        "<h2>Summary</h2>"
        + (f"<ul>{sources}</ul>" if sources else "")
        + f'<table class="metrics">{body}</table>'
        + (f'<ul class="note">{notes}</ul>' if notes else "")
    )


def html_confusion_matrix(assessment: Assessment) -> str:
    """Section: the confusion matrix as a heat map (shade = share of the row)."""
    k = len(assessment.class_values)
    totals = assessment.reference_totals
    header = "".join(f'<th title="{html.escape(name)}">{value}</th>'
                     for value, name in zip(assessment.class_values, assessment.class_names))
    header += f"<th>{UNCLASSIFIED}</th><th>Total</th>"
    lines = []
    for i in range(k):
        cells = []
        for j in range(k + 1):
            count = int(assessment.matrix[i, j])
            share = count / totals[i] if totals[i] else 0.0
            # diagonal in blue (right), off-diagonal in red (errors)
            hue = "33, 102, 172" if j == i else "203, 24, 29"
            colour = "#fff" if share > 0.6 else "#222"
            cells.append(
                f'<td style="background: rgba({hue}, {share:.3f}); color: {colour}" '
                f'title="{100 * share:.1f} % of the row">{count:,}</td>'
            )
        lines.append(f'<tr><th class="name">{_class_label(assessment, i)}</th>'
                     f'{"".join(cells)}<td>{int(totals[i]):,}</td></tr>')
    column_totals = "".join(f"<td>{int(t):,}</td>" for t in assessment.predicted_totals)
    lines.append(f'<tr><th class="name">Total</th>{column_totals}'
                 f"<td>{assessment.unclassified:,}</td><td>{assessment.total:,}</td></tr>")
    return (
        "<h2>Confusion matrix</h2>"
        '<p class="note">Rows are reference classes, columns are predicted classes (by '
        "class value). Counts are pixels; the shade of a cell is its share of the row "
        "(blue: correct, red: errors). The column Unclassified counts reference pixels "
        "where the classification has no class; they count as errors.</p>"
        f'<table class="matrix"><tr><th class="name">Reference \\ Predicted</th>{header}'
        f'</tr>{"".join(lines)}</table>'
    )


def html_per_class(assessment: Assessment) -> str:
    """Section: producer's and user's accuracy and F1 per class."""
    lines = []
    for i in range(len(assessment.class_values)):
        lines.append(
            f'<tr><td class="name">{_class_label(assessment, i)}</td>'
            f"<td>{int(assessment.reference_totals[i]):,}</td>"
            f"<td>{int(assessment.predicted_totals[i]):,}</td>"
            f"<td>{percent(assessment.producers_accuracy[i])}</td>"
            f"<td>{percent(assessment.users_accuracy[i])}</td>"
            f"<td>{percent(assessment.f1[i])}</td></tr>"
        )
    return (
        "<h2>Per class</h2>"
        '<table><tr><th class="name">Class</th><th>Reference pixels</th>'
        "<th>Predicted pixels</th><th>Producer's accuracy</th><th>User's accuracy</th>"
        f'<th>F1</th></tr>{"".join(lines)}</table>'
        '<p class="note">Producer\'s accuracy: correct / reference pixels of the class '
        "(recall). User's accuracy: correct / pixels classified as the class "
        "(precision). F1: their harmonic mean.</p>"
    )


def _class_colour_list(assessment: Assessment) -> List[str]:
    return [assessment.class_colours.get(v, "#ffffff") for v in assessment.class_values]


def html_confusion_heatmap(assessment: Assessment) -> str:
    """Section: the confusion matrix as a heat map image with the counts in its cells."""
    labels = [f"{v} {n}" for v, n in zip(assessment.class_values, assessment.class_names)]
    figure = confusion_figure(assessment.matrix, labels,
                              [str(v) for v in assessment.class_values] + [UNCLASSIFIED])
    if figure is None:
        return "<h2>Confusion matrix (heat map)</h2>" + missing_figures_note()
    return "<h2>Confusion matrix (heat map)</h2>" + figure_html(
        figure, "Rows: reference classes; columns: predicted classes and the reference "
        "pixels left unclassified. Each cell holds its pixel count; its shade is the share "
        "of the row, so a dark diagonal is a good map.", salt="assessment-confusion")


def html_per_class_chart(assessment: Assessment) -> str:
    """Section: producer's and user's accuracy per class as bars, OA and its 95 % CI."""
    names = [f"{v} {n}" for v, n in zip(assessment.class_values, assessment.class_names)]
    figure = bar_figure(names, {"Producer's accuracy": assessment.producers_accuracy,
                                "User's accuracy": assessment.users_accuracy},
                        _class_colour_list(assessment))
    if figure is None:
        return "<h2>Accuracy per class (chart)</h2>" + missing_figures_note()
    overall = assessment.overall_accuracy
    low, high = assessment.overall_accuracy_interval
    if math.isfinite(overall):
        axes = figure.axes[0]
        # behind the bars (zorder 0.5), so neither hides the bars' value labels
        axes.axvspan(100 * low, 100 * high, color="#fdb863", alpha=0.6, linewidth=0,
                     label="95 % CI of OA", zorder=0.4)
        axes.axvline(100 * overall, color="#222", linestyle="--", linewidth=1,
                     label=f"OA {100 * overall:.1f} %", zorder=0.5)
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4, fontsize=8,
                    frameon=False)
    return "<h2>Accuracy per class (chart)</h2>" + figure_html(
        figure, f"Producer's accuracy (recall) and user's accuracy (precision) of each class. "
        f"Dashed line: overall accuracy {percent(overall)}, orange band: its 95 % Wilson "
        f"interval {percent(low)} &ndash; {percent(high)}; average accuracy "
        f"{percent(assessment.average_accuracy)}, kappa {decimals(assessment.kappa, 3)}.",
        salt="assessment-per-class")


def _plus_minus(estimate: Estimate, as_percent: bool) -> str:
    if estimate.estimate is None:
        return "&ndash;"
    if as_percent:
        text = percent(estimate.estimate)
        return text + (f" &plusmn; {100 * estimate.ci95:.1f}" if estimate.ci95 is not None
                       else "")
    return f"{estimate.estimate:,.1f}" + (f" &plusmn; {estimate.ci95:,.1f}"
                                          if estimate.ci95 is not None else "")


DESIGN_NAMES = {
    "stratified": "stratified random sample, the map's classes as strata (Olofsson et al. "
                  "2014)",
    "strata": "stratified random sample, strata other than the map's classes (Stehman "
              "2014)",
    "simple": "simple random (or systematic) sample",
    "clusters": "cluster sample: the reference polygons taken as a simple random sample "
                "of clusters, each one unit; intervals from the variance between clusters",
}


def html_area_estimates(assessment: Assessment) -> str:
    """Section: area and accuracy estimated under the sample's design, with intervals."""
    estimates = assessment.estimates
    if estimates is None:
        return ""
    names = assessment.names_by_value

    def in_units(area: Estimate) -> Estimate:
        return Estimate(estimates.in_map_units(area.estimate),
                        estimates.in_map_units(area.ci95))

    def units_in(value: int) -> str:
        if estimates.design != "stratified":
            return "&ndash;"
        return f"{estimates.samples_per_stratum.get(value, 0):,}"

    lines = []
    for c in estimates.classes:
        colour = assessment.class_colours.get(c.value)
        label = f"{swatch(colour) if colour else ''}{c.value} " + html.escape(
            names.get(c.value, str(c.value)))
        lines.append(
            f'<tr><td class="name">{label}</td><td>{c.map_area:,.1f}</td>'
            f"<td>{_plus_minus(c.area, False)}</td>"
            f"<td>{_plus_minus(in_units(c.area), False)}</td>"
            f"<td>{_plus_minus(c.users_accuracy, True)}</td>"
            f"<td>{_plus_minus(c.producers_accuracy, True)}</td>"
            f"<td>{units_in(c.value)}</td></tr>")
    sizes = list(estimates.samples_per_stratum.values())
    strata = (f"{len(sizes)} clusters of {min(sizes):,} to {max(sizes):,} pixels"
              if estimates.design == "clusters" and sizes else
              ", ".join(f"{h}: {n:,}" for h, n in estimates.samples_per_stratum.items()))
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in estimates.notes)
    figure = area_figure([f"{c.value} {names.get(c.value, c.value)}"
                          for c in estimates.classes],
                         [c.map_area for c in estimates.classes],
                         [c.area.estimate for c in estimates.classes],
                         [c.area.ci95 for c in estimates.classes],
                         [assessment.class_colours.get(c.value, "#ffffff")
                          for c in estimates.classes])
    chart = missing_figures_note() if figure is None else figure_html(
        figure, "Grey: each class's area as mapped (its pixels); blue: the area estimated "
        "from the reference sample, with its 95 % interval in red.", salt="assessment-area")
    return (
        "<h2>Area and accuracy estimated from the sample</h2>"
        f"<p>Design: {html.escape(DESIGN_NAMES[estimates.design])}. Sample units"
        f"{'' if estimates.design == 'clusters' else ' per stratum'}: {strata}. "
        f"Overall accuracy {_plus_minus(estimates.overall_accuracy, True)} (95 % "
        "interval).</p>"
        + chart
        + '<table><tr><th class="name">Class</th><th>Map area (ha)</th>'
        "<th>Estimated area (ha) &plusmn; 95 %</th>"
        f"<th>The same in square {html.escape(estimates.map_unit)}s</th>"
        "<th>User's accuracy (%)</th>"
        "<th>Producer's accuracy (%)</th><th>Sample units in its stratum</th></tr>"
        + "".join(lines) + "</table>"
        + (f'<ul class="note">{notes}</ul>' if notes else "")
        + '<p class="note">A map\'s pixel counts are biased by its errors: the estimated '
        "areas correct them with the reference sample (Olofsson et al. 2014, Remote Sens. "
        "Environ. 148:42-57). &plusmn; is the half-width of the 95 % interval.</p>"
    )


HTML_SECTIONS: Tuple[Callable[[Assessment], str], ...] = (
    html_summary,
    html_area_estimates,
    html_confusion_heatmap,
    html_confusion_matrix,
    html_per_class_chart,
    html_per_class,
)
"""The report's sections in order; each turns an Assessment into an HTML fragment.
Figures are inline SVG (matplotlib, see :mod:`.html_kit`); without matplotlib their
sections say so and the tables carry the numbers. Add a function here to extend the
report."""


def render_html(assessment: Assessment, title: str = "Accuracy assessment",
                sections: Sequence[Callable[[Assessment], str]] = HTML_SECTIONS) -> str:
    """The whole report as one self-contained HTML page."""
    return page(title, "\n".join(section(assessment) for section in sections))
