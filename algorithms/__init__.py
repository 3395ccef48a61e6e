"""The Processing layer: a thin shell of QGIS algorithms over the QGIS-free ``models``.

:func:`algorithm_classes` is the one list of algorithms the provider registers.
"""

from __future__ import annotations


def algorithm_classes() -> tuple[type, ...]:
    """Return the algorithm classes of the ``crnn`` provider, in toolbox order.

    Imports are done here, not at module import, so that loading the plugin stays
    cheap. To add an algorithm, import its class here and add it to the tuple, e.g.
    ``from .train import TrainAlgorithm``.
    """
    from .assess import AssessAlgorithm
    from .classify import ClassifyAlgorithm
    from .importcube import ImportCubeAlgorithm
    from .sample import SampleAlgorithm
    from .smooth import SmoothAlgorithm
    from .train import TrainAlgorithm
    from .trainclassify import TrainClassifyAlgorithm

    return (ImportCubeAlgorithm, TrainAlgorithm, ClassifyAlgorithm, TrainClassifyAlgorithm,
            SmoothAlgorithm, AssessAlgorithm, SampleAlgorithm)
