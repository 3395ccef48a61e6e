"""QGIS-free core: the CRNN, its training, the LOP, inference and the model file.

Imports numpy, scipy, GDAL and (lazily, inside functions) torch only, so it can be
tested and used without QGIS.
"""
