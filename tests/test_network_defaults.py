"""The default network at the band counts users bring (issue 31): how many steps its
recurrent layers read, counted by hand (each stride and pool halves the sequence, rounding
down), and the warning crnn:train gives where they are few."""

from __future__ import annotations

import pytest
from recording import Recorder
from scenes import FAST_PARAMETERS

from hyperspectral_crnn.models.network.config import NetworkConfig
from hyperspectral_crnn.models.network.crnn import FEW_RECURRENT_STEPS, recurrent_steps


@pytest.mark.parametrize("bands,steps", [
    (50, 3), (100, 6), (200, 12), (285, 17), (425, 26),  # EMIT: 285, AVIRIS-NG: 425
])
def test_the_default_networks_steps_by_hand(bands, steps):
    """200 -> 100 (first stride) -> 50 -> 25 -> 12 (three pools of 2), and so on."""
    assert recurrent_steps(NetworkConfig(), bands) == steps


def test_the_advised_settings_keep_ten_steps_at_50_bands():
    config = NetworkConfig(first_stride=1, pool_sizes=(2, 2, 1))
    assert recurrent_steps(config, 50) == 12 >= FEW_RECURRENT_STEPS


@pytest.mark.parametrize("pools,stride,warned", [("4", 2, True), ("2", 1, False)])
def test_crnn_train_warns_of_a_short_sequence(provider, fields, tmp_path, pools, stride,
                                              warned):
    """40 bands: pooled by 4 after a stride of 2 they are 5 steps; pooled by 2, 20."""
    import processing

    feedback = Recorder()
    processing.run("crnn:train", {
        **FAST_PARAMETERS, "EPOCHS": 1, "POOL_SIZES": pools, "FIRST_STRIDE": stride,
        "INPUT": fields["raster"], "TRAINING": fields["polygons"], "CLASS_FIELD": "crop",
        "OUTPUT_MODEL": str(tmp_path / "model.crnn")}, feedback=feedback)
    notes = [w for w in feedback.warnings if "recurrent layers" in w]
    assert bool(notes) is warned, feedback.warnings
    if warned:
        assert "40 bands as a sequence of only 5 steps" in notes[0]
