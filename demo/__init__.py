"""Demo and benchmark data: not part of the plugin's core (models/) nor of its zip.

``make demo``, the tests and the benchmarks write their scenes from here; it needs
tensorly (the Indian Pines copy it ships), which the plugin itself never needs.
"""
