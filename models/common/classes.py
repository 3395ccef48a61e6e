"""The classes of a map, as every part of the core names them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClassInfo:
    """One output class: its pixel value in the class raster, name and '#rrggbb' colour."""

    value: int
    name: str
    color: str
