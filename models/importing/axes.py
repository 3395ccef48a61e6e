"""The axis order of a 3-D array: which axis holds the rows, the columns and the bands.

Set by the user (``axis_order``, one of :data:`AXIS_ORDERS`) or recognised from a known
product layout, the container's dimension names, the ground truth's shape, or the
array's sizes (:func:`resolve_axis_order`); where none of them decides, the import is
refused with a message asking for the axis order.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence, Tuple

import numpy as np

from ..common.callbacks import NO_HOOKS, LogCallback
from ..common.errors import CrnnError

AXIS_ORDERS = ("auto", "rows_cols_bands", "bands_rows_cols", "rows_bands_cols",
               "cols_rows_bands", "bands_cols_rows", "cols_bands_rows")
"""How a 3-D array's axes are stored, first axis first: "auto" recognises it; the others
name it (BIP = rows_cols_bands; BSQ = bands_rows_cols; BIL = rows_bands_cols). Written
with underscores: QGIS reads a comma in an enum value as a list of values;
:func:`normalise_axis_order` accepts "rows,cols,bands" and the like too."""
_AXIS_WORDS = {"rows": "rows", "row": "rows", "lines": "rows", "y": "rows",
               "cols": "cols", "col": "cols", "columns": "cols", "column": "cols",
               "samples": "cols", "x": "cols", "bands": "bands", "band": "bands"}


def normalise_axis_order(text: Optional[str]) -> str:
    """ "rows,bands,cols", "rows bands cols", "ROWS_BANDS_COLS" -> "rows_bands_cols";
    empty -> "auto"; anything else is refused with the accepted values."""
    words = [word for word in re.split(r"[\s,;_/-]+", (text or "").strip().lower()) if word]
    if not words or words == ["auto"]:
        return "auto"
    axes = [_AXIS_WORDS.get(word, "?") for word in words]
    if sorted(axes) != ["bands", "cols", "rows"]:
        raise CrnnError(f"Unknown axis order '{text}': use one of {', '.join(AXIS_ORDERS)}.")
    return "_".join(axes)


_AXIS_NAMES = {"rows": "rows", "cols": "columns", "bands": "bands"}
_BAND_AXIS_ORDERS = {0: "bands_rows_cols", 1: "rows_bands_cols", 2: "rows_cols_bands"}
# Dimension names that say what an axis is (netCDF / HDF5 dimension names, lower case).
_DIMENSION_ROLES = {
    "bands": ("band", "bands", "wavelength", "wavelengths", "wl", "lambda", "channel",
              "channels", "spectral", "spectrum", "nbands", "z"),
    "rows": ("y", "row", "rows", "line", "lines", "lat", "latitude", "nrows", "northing"),
    "cols": ("x", "col", "cols", "column", "columns", "sample", "samples", "lon",
             "longitude", "ncols", "easting"),
}


def describe_order(order: str) -> str:
    """ "rows_cols_bands" -> "(rows, columns, bands)"."""
    return "(" + ", ".join(_AXIS_NAMES[name] for name in order.split("_")) + ")"


def axis_permutation(order: str) -> Tuple[int, int, int]:
    """The transpose that turns an array stored in ``order`` into (rows, cols, bands)."""
    names = order.split("_")
    return names.index("rows"), names.index("cols"), names.index("bands")


def order_from_dimension_names(names: Sequence[str]) -> Optional[str]:
    """The axis order that a 3-D array's dimension names say, or None.

    All three named (``y, wavelength, x``), or only the bands' (``band``): then the other
    two are rows and columns in their stored order.
    """
    if len(names) != 3:
        return None
    roles = []
    for name in names:
        key = (name or "").strip().lower()
        roles.append(next((role for role, words in _DIMENSION_ROLES.items()
                           if key in words), None))
    known = [role for role in roles if role]
    if len(known) != len(set(known)) or "bands" not in known:
        return None
    if len(known) == 3:
        return "_".join(roles)
    band_axis = roles.index("bands")
    if len(known) == 2:  # the unnamed one is what is left
        missing = ({"rows", "cols"} - set(known)).pop()
        return "_".join(role or missing for role in roles)
    return _BAND_AXIS_ORDERS[band_axis]


def resolve_axis_order(
    shape: Sequence[int],
    requested: str = "auto",
    dimension_names: Sequence[str] = (),
    ground_truth_shape: Optional[Tuple[int, int]] = None,
    band_count: Optional[int] = None,
    known: Optional[Tuple[str, str]] = None,
    log: LogCallback = NO_HOOKS.say,
) -> str:
    """The axis order of a 3-D array of ``shape``, one of :data:`AXIS_ORDERS` but "auto".

    In this order of trust: the user's ``requested`` order; a ``known`` product layout
    (order, why); the container's ``dimension_names``; the ``ground_truth_shape`` (the
    axis left over by the truth's rows and columns holds the bands); a ``band_count``
    from the file's wavelength list; the sizes: a single smallest first or last axis
    (or the odd one out of two equal smallest, first or last: Indian Pines is
    145 x 145 x 200) holds the bands. A smallest middle axis (rows, bands, cols as
    PRISMA stores it, or a narrow scene?) or three equal sizes are refused: the user
    must say.
    """
    a, b, c = (int(size) for size in shape)
    sizes = f"{a} x {b} x {c}"
    requested = normalise_axis_order(requested)
    if requested != "auto":
        return _said(requested, shape, "as AXIS_ORDER says", log)
    if known is not None:
        return _said(known[0], shape, known[1], log)
    named = order_from_dimension_names(dimension_names)
    if named is not None:
        return _said(named, shape, "from its dimension names "
                     f"({', '.join(dimension_names)})", log)
    if ground_truth_shape is not None:
        truth = sorted(int(s) for s in ground_truth_shape)
        axes = [k for k in range(3)
                if sorted(int(shape[i]) for i in range(3) if i != k) == truth]
        if len(axes) == 1:
            return _said(_BAND_AXIS_ORDERS[axes[0]], shape,
                         "from the ground truth's {} x {} pixels".format(
                             *ground_truth_shape), log)
    if band_count is not None:
        axes = [k for k in range(3) if int(shape[k]) == int(band_count)]
        if len(axes) == 1:
            return _said(_BAND_AXIS_ORDERS[axes[0]], shape,
                         f"from its {band_count} wavelengths", log)
    smallest = min(a, b, c)
    axes = [k for k, size in enumerate((a, b, c)) if size == smallest]
    if len(axes) == 2:  # the odd one out holds the bands
        axes = [({0, 1, 2} - set(axes)).pop()]
    if len(axes) == 1 and axes[0] != 1:
        why = ("its first axis is the smallest" if axes[0] == 0 and smallest < min(b, c)
               else "its last axis is the smallest" if axes[0] == 2 and smallest < min(a, b)
               else "its first two axes are equal" if axes[0] == 2
               else "its last two axes are equal")
        return _said(_BAND_AXIS_ORDERS[axes[0]], shape, f"as {why}", log)
    raise CrnnError(
        f"Cannot tell which axis of the {sizes} array holds the bands. Set AXIS_ORDER: "
        "e.g. 'rows_bands_cols' for a cube stored band-interleaved by line (as PRISMA "
        "stores it), 'rows_cols_bands' or 'bands_rows_cols'.")


def _said(order: str, shape: Sequence[int], why: str, log: LogCallback) -> str:
    rows, cols, bands = (int(shape[i]) for i in axis_permutation(order))
    sizes = " x ".join(str(int(s)) for s in shape)
    log(f"The array is {sizes}, read as {describe_order(order)} {why}: {bands} bands of "
        f"{rows} x {cols} pixels.")
    return order


def orient_cube(array: np.ndarray, log: LogCallback = NO_HOOKS.say, order: str = "auto",
                ground_truth_shape: Optional[Tuple[int, int]] = None) -> np.ndarray:
    """Return a (rows, cols, bands) view of a cube stored in any axis order.

    ``order`` is one of :data:`AXIS_ORDERS`; "auto" recognises it
    (:func:`resolve_axis_order`). A 2-D array is one band; axes of length 1 of a
    higher-dimensional array are dropped.
    """
    if array.ndim == 2:
        log(f"The array is 2-D ({array.shape[0]} x {array.shape[1]}): written as one band.")
        return array[:, :, np.newaxis]
    if array.ndim != 3:
        squeezed = array.reshape([s for s in array.shape if s != 1])
        if squeezed.ndim not in (2, 3):
            raise CrnnError(f"The cube must be a 3-D array (rows, columns, bands); this one "
                            f"has shape {array.shape}.")
        return orient_cube(squeezed, log, order, ground_truth_shape)
    order = resolve_axis_order(array.shape, normalise_axis_order(order),
                               ground_truth_shape=ground_truth_shape, log=log)
    return array.transpose(axis_permutation(order))

