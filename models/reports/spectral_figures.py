"""The spectral figures of the training report (QGIS-free): what each class looks like along
the spectrum and what the network's first convolution layer responds to there.

The x axis is wavelength (nm) where the model knows every band's, else band number; bands
left out between two neighbours (water-vapour absorption, a ``bbl``, EXCLUDE_WAVELENGTHS)
break the lines and leave blank cells rather than being drawn across
(:class:`SpectralAxis`). Figures come from :mod:`.html_kit` (None without matplotlib);
:func:`first_layer_response` needs torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from ..network.modelfile import CrnnModel
from .html_kit import darker, is_pale, matplotlib_figure

# --- the spectral axis: wavelength where the model knows it, else band number ---------------

#: Where two neighbouring bands along the axis lie further apart than this many times the
#: usual (median) spacing, lines and cells break there: the bands left out between them
#: (water-vapour absorption bands, a ``bbl``, EXCLUDE_WAVELENGTHS) are not drawn across.
GAP_FACTOR = 3.0


@dataclass(frozen=True)
class SpectralAxis:
    """The model's bands along the x axis of the spectral figures."""

    order: np.ndarray  # positions in the model's band order, sorted along the axis
    positions: np.ndarray  # wavelength (nm) or band number of each, ascending
    gaps: np.ndarray  # per step from one sorted band to the next: True where a gap
    label: str  # "Wavelength (nm)" or "Band"

    @property
    def spacing(self) -> float:
        """The usual distance between neighbouring bands (1 where there is none)."""
        steps = np.diff(self.positions)
        usual = float(np.median(steps)) if steps.size else 0.0
        return usual if usual > 0 else 1.0


def spectral_axis(model: CrnnModel) -> SpectralAxis:
    """Wavelengths in nm where the model has one for every band, else band numbers."""
    if model.has_wavelengths and len(model.band_wavelengths) == model.n_bands:
        values, label = np.asarray(model.band_wavelengths, np.float64), "Wavelength (nm)"
    else:
        values, label = np.asarray(model.band_indices, np.float64), "Band"
    order = np.argsort(values, kind="stable")
    positions = values[order]
    steps = np.diff(positions)
    usual = float(np.median(steps)) if steps.size else 0.0
    gaps = steps > GAP_FACTOR * usual if usual > 0 else np.zeros(steps.shape, bool)
    return SpectralAxis(order, positions, gaps, label)


def along_axis(axis: SpectralAxis, values: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` to plot ``values`` (..., bands; the model's band order) along the axis:
    sorted, with a NaN between the bands either side of each gap, so a line breaks there."""
    values = np.asarray(values, np.float64)[..., axis.order]
    breaks = np.flatnonzero(axis.gaps) + 1
    return (np.insert(axis.positions, breaks, np.nan),
            np.insert(values, breaks, np.nan, axis=-1))


def cells_along_axis(axis: SpectralAxis,
                     values: np.ndarray) -> Tuple[np.ndarray, np.ma.MaskedArray]:
    """``(edges, cells)`` for a heat map of ``values`` (rows, bands; the model's band
    order) along the axis: one cell per band, bounded halfway to its neighbours (half the
    usual spacing at the ends and beside a gap), and an empty (masked) cell over each gap."""
    values = np.asarray(values, np.float64)[:, axis.order]
    half = axis.spacing / 2
    positions = axis.positions
    edges = [positions[0] - half]
    columns: List[Optional[int]] = []
    for i, position in enumerate(positions):
        columns.append(i)
        if i == len(positions) - 1:
            edges.append(position + half)
        elif axis.gaps[i]:
            edges += [position + half, positions[i + 1] - half]
            columns.append(None)
        else:
            edges.append((position + positions[i + 1]) / 2)
    cells = np.ma.masked_all((values.shape[0], len(columns)))
    for j, column in enumerate(columns):
        if column is not None:
            cells[:, j] = values[:, column]
    return np.asarray(edges), cells


def gap_note(axis: SpectralAxis, marks: str) -> str:
    """A caption's sentence on the gaps (``marks``: what shows them), if there are any."""
    if not axis.gaps.any():
        return ""
    return (f" {marks} left-out bands (more than {GAP_FACTOR:g} times the usual band "
            "spacing between two neighbours).")


# --- the figures -------------------------------------------------------------------------


def spectra_figure(model: CrnnModel, spectra: np.ndarray, targets: np.ndarray):
    """Each class's mean spectrum with its spread, along wavelength (nm) where the model
    knows the bands' wavelengths, else along band number; a Figure, or None without
    matplotlib."""
    axis = spectral_axis(model)
    k = model.n_classes
    columns = 1 if k <= 1 else min(4, k)
    rows = -(-k // columns)
    figure = matplotlib_figure(2.6 * columns + 0.8, 2.0 * rows + 0.6)
    if figure is None:
        return None
    from matplotlib import patheffects

    x, overall = along_axis(axis, spectra.mean(axis=0))
    top = float(np.percentile(spectra, 99.5)) if spectra.size else 1.0
    bottom = float(min(0.0, np.percentile(spectra, 0.5))) if spectra.size else 0.0
    axes_list = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    for index, axes in enumerate(axes_list.ravel()):
        if index >= k:
            axes.set_visible(False)
            continue
        info = model.classes[index]
        members = spectra[targets == index]
        axes.plot(x, overall, color="#999", linewidth=0.8, linestyle=":")
        if members.shape[0]:
            _, mean = along_axis(axis, members.mean(axis=0))
            _, spread = along_axis(axis, members.std(axis=0))
            pale = is_pale(info.color)  # a light colour on white gets a dark edge
            axes.fill_between(x, mean - spread, mean + spread, linewidth=0, alpha=0.3,
                              color=darker(info.color) if pale else info.color)
            edge = [patheffects.withStroke(linewidth=2.6, foreground="#555")] if pale else []
            axes.plot(x, mean, color=info.color, linewidth=1.3, path_effects=edge)
        axes.set_title(f"{info.value} {info.name} ({members.shape[0]})", fontsize=8)
        axes.tick_params(labelsize=7)
        axes.set_ylim(bottom, top * 1.05)
        axes.grid(color="#eee")
    figure.supxlabel(axis.label, fontsize=9)
    figure.supylabel("Pixel value", fontsize=9)
    return figure


def first_layer_response(model: CrnnModel, spectra: np.ndarray, targets: np.ndarray,
                         max_per_class: int = 500) -> Tuple[np.ndarray, np.ndarray]:
    """What the first convolution layer responds to along the spectrum.

    Returns ``(response, weights)``: ``response[k, b]`` is the activation of the first
    convolution block after its ReLU (before pooling, so one value per band), averaged over
    the block's filters and over (at most ``max_per_class``) pixels of class ``k``;
    ``weights`` is the first convolution's kernel, (filters, kernel size). Needs torch.
    """
    import torch

    classifier = model.classifier(device="cpu", batch_size=1024)
    block = classifier.network.conv[0]
    layers = [layer for layer in block if not isinstance(layer, torch.nn.MaxPool1d)]
    head = torch.nn.Sequential(*layers).eval()
    response = np.zeros((model.n_classes, model.n_bands), np.float64)
    rng = np.random.default_rng(0)
    with torch.inference_mode():
        for k in range(model.n_classes):
            members = np.flatnonzero(targets == k)
            if members.size == 0:
                continue
            if members.size > max_per_class:
                members = np.sort(rng.choice(members, max_per_class, replace=False))
            x = classifier.network_input(spectra[members])
            activation = head(x.unsqueeze(1))  # (pixels, filters, bands / stride)
            per_position = activation.mean(dim=(0, 1)).numpy()
            # with a stride, output position i sits over band i * stride: spread it back
            per_band = np.repeat(per_position, model.network.first_stride)[: model.n_bands]
            response[k, : per_band.size] = per_band
    weights = np.asarray(model.weights["conv.0.0.weight"])[:, 0, :]
    return response, weights


def response_figure(model: CrnnModel, response: np.ndarray, weights: np.ndarray):
    """Left: the first convolution layer's mean activation per class along wavelength (nm)
    or band number, left-out bands blank; right: its filters. A Figure, or None without
    matplotlib."""
    figure = matplotlib_figure(10, max(3.2, 0.25 * model.n_classes + 1.6))
    if figure is None:
        return None
    axis = spectral_axis(model)
    grid = figure.add_gridspec(1, 2, width_ratios=(4, 1))
    axes = figure.add_subplot(grid[0, 0])
    edges, cells = cells_along_axis(axis, response)
    image = axes.pcolormesh(edges, np.arange(model.n_classes + 1) - 0.5, cells, cmap="magma",
                            shading="flat")
    axes.set_ylim(model.n_classes - 0.5, -0.5)
    axes.set_yticks(range(model.n_classes), [f"{c.value} {c.name}" for c in model.classes],
                    fontsize=7 if model.n_classes > 8 else 8)
    axes.set_xlabel(axis.label)
    per = "wavelength" if axis.label.startswith("Wavelength") else "band"
    axes.set_title(f"Mean activation after ReLU, per class and {per}", fontsize=9)
    figure.colorbar(image, ax=axes, shrink=0.8, pad=0.01)
    filters = figure.add_subplot(grid[0, 1])
    limit = float(np.abs(weights).max()) or 1.0
    filters.imshow(weights, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit,
                   interpolation="nearest")
    filters.set_xlabel("Kernel position")
    filters.set_ylabel("Filter")
    from matplotlib.ticker import MaxNLocator

    for axis_of_filters in (filters.xaxis, filters.yaxis):  # positions and filters: whole
        axis_of_filters.set_major_locator(MaxNLocator(integer=True))
    filters.set_title(f"Weights of the {weights.shape[0]} filters", fontsize=9)
    return figure
