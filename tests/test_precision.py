"""The network's arithmetic: float32, or bfloat16 where the CPU has it natively.

bfloat16 keeps float32's exponent with an 8-bit mantissa, so posteriors move by about
1e-2 at most and the winning class of a well-separated pixel does not change.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from core_helpers import small_model, synthetic_spectra

from hyperspectral_crnn.models.common.errors import CrnnError
from hyperspectral_crnn.models.network.crnn import cpu_has_native_bf16, resolve_precision

CPU = torch.device("cpu")


def test_precision_settings():
    assert resolve_precision("float32", CPU) is None
    assert resolve_precision("bfloat16", CPU) is torch.bfloat16
    expected = torch.bfloat16 if cpu_has_native_bf16() else None
    assert resolve_precision("auto", CPU) is expected
    assert resolve_precision("auto", torch.device("cuda")) is torch.float16
    with pytest.raises(CrnnError, match="Unknown precision 'half'"):
        resolve_precision("half", CPU)


def test_native_bf16_follows_the_cpu_flags():
    with open("/proc/cpuinfo") as stream:
        flags = next(line for line in stream if line.startswith("flags")).split()
    assert cpu_has_native_bf16() == ("avx512_bf16" in flags or "amx_bf16" in flags)


def test_bfloat16_posteriors_stay_close_to_float32():
    model = small_model(n_bands=40, epochs=15)
    spectra, _ = synthetic_spectra(40, 3, per_class=200, seed=9)
    exact = model.classifier(threads=1).predict_proba(spectra)
    reduced = model.classifier(threads=1, precision="bfloat16").predict_proba(spectra)
    assert reduced.dtype == np.float32
    np.testing.assert_allclose(reduced.sum(axis=1), 1.0, atol=1e-5)
    assert np.abs(reduced - exact).max() < 0.05
    assert np.abs(reduced - exact).max() > 0  # bf16 really ran: not float32 again
    assert (reduced.argmax(1) == exact.argmax(1)).mean() >= 0.99
