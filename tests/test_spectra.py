"""Unit-length spectra: brightness drops out of what the network and the edge LOP read."""

import dataclasses

import numpy as np
import pytest
from core_helpers import SMALL_NETWORK, small_model, synthetic_spectra

from hyperspectral_crnn.models.network.spectra import scale_spectra


def test_scaled_spectra_have_unit_length_and_zero_stays_zero():
    spectra = np.array([[3, 4, 0], [0, 0, 0], [-1, 2, 2]], np.int16)
    scaled = scale_spectra(spectra, unit_length=True)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled, [[0.6, 0.8, 0], [0, 0, 0], [-1 / 3, 2 / 3, 2 / 3]],
                               rtol=1e-6)
    unscaled = scale_spectra(spectra, unit_length=False)
    assert unscaled.dtype == np.float32 and np.array_equal(unscaled, spectra)


@pytest.fixture(scope="module")
def models():
    return {unit: small_model(epochs=3, network=dataclasses.replace(SMALL_NETWORK,
                                                                    unit_length=unit))
            for unit in (True, False)}


def test_a_brighter_copy_of_a_pixel_is_read_the_same(models):
    spectra, _ = synthetic_spectra(40, per_class=5)
    brighter = 2.5 * spectra
    model = models[True]
    classifier = model.classifier()
    np.testing.assert_allclose(classifier.predict_proba(brighter),
                               classifier.predict_proba(spectra), atol=1e-5)
    np.testing.assert_allclose(model.guide(brighter), model.guide(spectra), atol=1e-4)
    raw = models[False]
    assert not np.allclose(raw.guide(brighter), raw.guide(spectra), atol=1e-2)


def test_the_standardisation_is_fitted_on_the_scaled_spectra(models):
    spectra, _ = synthetic_spectra(40)
    scaled = spectra / np.linalg.norm(spectra, axis=1, keepdims=True)
    assert np.all(np.abs(models[True].mean - scaled.mean(axis=0)) < 1e-3)
    assert np.all(np.abs(models[False].mean - spectra.mean(axis=0)) < 1.0)
