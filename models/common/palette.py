"""The one palette of class colours for every class raster the plugin writes.

Twenty colours that stay distinct on a map (Sasha Trubetskoy's list of 20 distinct
colours); past them, golden-ratio hues, so any number of classes gets colours.
"""

from __future__ import annotations

import colorsys
from typing import Optional, Tuple

PALETTE = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
    "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3",
    "#808000", "#ffd8b1", "#000075", "#808080",
)


def class_colour(position: int) -> str:
    """'#rrggbb' of the class at ``position`` (0-based) in a class list."""
    if 0 <= position < len(PALETTE):
        return PALETTE[position]
    hue = (position * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.75, 0.95)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def rgb(colour: str) -> Optional[Tuple[int, int, int]]:
    """(r, g, b) of a '#rrggbb' colour, or None when it is not one."""
    text = str(colour).strip().lstrip("#")
    if len(text) != 6:
        return None
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return None
