"""The plugin's own dialogs (QGIS desktop only; Processing needs none of them)."""
