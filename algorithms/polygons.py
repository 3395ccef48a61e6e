"""Reading class polygons from a QGIS layer: one loop for training and reference polygons.

Both crnn:train and crnn:assess turn a polygon layer into (WKB, class value) pairs on the
raster's CRS; the checks on the values (integers or names) stay with each algorithm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Tuple

from qgis.core import (
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeatureRequest,
    QgsProcessingException,
    QgsWkbTypes,
)

from ..translate import tr


@dataclass
class ClassPolygons:
    """What a layer gave: (WKB, raw class value, raw name or None) per polygon, and what
    was skipped."""

    records: List[Tuple[bytes, Any, Any]] = field(default_factory=list)
    without_class: int = 0  # NULL or empty class value
    without_geometry: int = 0  # NULL or empty geometry
    cancelled: bool = False  # reading stopped early: the caller decides what that means


def is_empty(value: Any) -> bool:
    """A NULL, None or blank attribute value."""
    return (value is None or (hasattr(value, "isNull") and value.isNull())
            or str(value).strip() in ("", "NULL"))


def read_class_polygons(features, field_index: int, name_index: int = -1,
                        transform: Optional[QgsCoordinateTransform] = None,
                        is_cancelled: Optional[Callable[[], bool]] = None,
                        layer_crs: str = "", points: bool = False) -> ClassPolygons:
    """Every feature with a class value and a polygon, its geometry repaired where GEOS
    finds it invalid (a self-intersecting bow-tie) and reprojected by ``transform``.

    ``features``: an iterable of QgsFeature (e.g. ``layer.getFeatures(request)``);
    ``name_index``: a field naming each class, read beside the class (-1: none);
    ``layer_crs``: the layer's CRS as the messages name it; ``points``: the layer holds
    points (reference points), not polygons. A feature of the other kind, or whose
    coordinates the reprojection made infinite (metres in a layer tagged as degrees),
    raises a ``QgsProcessingException`` naming it.
    """
    wanted = (QgsWkbTypes.GeometryType.PointGeometry if points
              else QgsWkbTypes.GeometryType.PolygonGeometry)
    result = ClassPolygons()
    for feature in features:
        if is_cancelled is not None and is_cancelled():
            result.cancelled = True
            break
        value = feature.attribute(field_index)
        if is_empty(value):
            result.without_class += 1
            continue
        geometry = feature.geometry()
        if geometry is None or geometry.isNull() or geometry.isEmpty():
            result.without_geometry += 1
            continue
        if geometry.type() != wanted:
            raise QgsProcessingException((tr(
                "The reference layer holds points; feature {fid} is not one.") if points
                else tr("The training layer must hold polygons; feature {fid} is not "
                        "one.")).format(fid=feature.id()))
        if not points and not geometry.isGeosValid():
            geometry = geometry.makeValid()
        if transform is not None:
            try:
                geometry.transform(transform)
            except QgsCsException as error:
                raise QgsProcessingException(tr(
                    "Cannot reproject reference feature {} to the classification's "
                    "CRS: {}").format(feature.id(), error)) from None
        box = geometry.boundingBox()
        if not all(math.isfinite(v) for v in (box.xMinimum(), box.xMaximum(),
                                              box.yMinimum(), box.yMaximum())):
            raise QgsProcessingException(tr(
                "Polygon {fid} cannot be reprojected to the raster's CRS: its coordinates "
                "are not valid in the layer's CRS ({crs}). Check the layer's CRS: "
                "coordinates in metres in a layer tagged as degrees (EPSG:4326, or 'Undefined "
                "geographic SRS' where a file was written without a CRS) are a common "
                "mistake; assign the right CRS with 'Assign projection'.").format(
                    fid=feature.id(), crs=layer_crs or tr("unknown")))
        name = feature.attribute(name_index) if name_index >= 0 else None
        result.records.append((bytes(geometry.asWkb()), value, name))
    return result


def attribute_request(*indices: int) -> QgsFeatureRequest:
    """A request for the given attributes only (geometries included)."""
    return QgsFeatureRequest().setSubsetOfAttributes([i for i in indices if i >= 0])
