"""Hyperspectral CRNN: a QGIS Processing plugin.

The package imports without QGIS (``models/`` is its QGIS-free core); QGIS itself is
only imported when QGIS calls :func:`classFactory`.
"""


def classFactory(iface):  # name fixed by QGIS
    """Return the plugin instance QGIS asks for when it loads the plugin.

    Args:
        iface: the ``QgisInterface`` of QGIS desktop, or None under ``qgis_process``.
    """
    from .plugin import CrnnPlugin

    return CrnnPlugin(iface)
