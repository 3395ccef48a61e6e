"""The training report: a self-contained page with curves, classes, spectra, filters, matrix."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from core_helpers import SMALL_NETWORK, synthetic_spectra

from hyperspectral_crnn.models.common.classes import ClassInfo
from hyperspectral_crnn.models.network.config import NetworkConfig, TrainingConfig
from hyperspectral_crnn.models.reports import html_kit, spectral_figures
from hyperspectral_crnn.models.reports import training_report as report
from hyperspectral_crnn.models.training.train import (
    ModelBands,
    TrainingData,
    TrainingSetup,
    class_targets,
    train_model,
)

N_BANDS = 40
CLASSES = [ClassInfo(10, "Maize", "#e41a1c"), ClassInfo(20, "Soy <beans>", "#377eb8"),
           ClassInfo(30, "Woods", "#4daf4a")]


def _train(groups=None, fraction=0.25):
    spectra, labels = synthetic_spectra(N_BANDS, 3, per_class=40)
    labels = labels * 10
    model = train_model(
        TrainingData(spectra, labels, CLASSES,
                     ModelBands(list(range(1, N_BANDS + 1)),
                                [f"Band {b}" for b in range(1, N_BANDS + 1)]),
                     groups=groups),
        TrainingSetup(SMALL_NETWORK, TrainingConfig(epochs=3, batch_size=32, device="cpu"),
                      validation_fraction=fraction),
        provenance={"source_raster": "fields.tif", "plugin_version": "0.1.0"})
    return model, spectra, labels


@pytest.fixture(scope="module")
def pixel_split():
    return _train()


@pytest.fixture(scope="module")
def page(pixel_split, tmp_path_factory):
    model, spectra, labels = pixel_split
    path = str(tmp_path_factory.mktemp("report") / "training.html")
    assert report.write_training_report(path, model, spectra, labels, seconds=12.5) == path
    with open(path, encoding="utf-8") as stream:
        return stream.read()


def test_report_has_every_section(page):
    for heading in ("Summary", "Training curves", "Classes", "Mean spectrum of each class",
                    "What the first convolution layer responds to", "Architecture",
                    "Hyperparameters", "Validation confusion matrix"):
        assert f"<h2>{heading}</h2>" in page
    assert page.count("<svg") == 4  # curves, spectra, convolution, confusion
    assert "best epoch" in page and "12.5 s" in page
    assert "Soy &lt;beans&gt;" in page and "Soy <beans>" not in page
    assert 'style="background:#377eb8"' in page  # the colour swatch


def test_report_is_self_contained(page):
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page


def test_class_table_and_confusion_match_the_validation_split(pixel_split, page):
    model, spectra, labels = pixel_split
    targets = class_targets(labels, model.classes)
    held_out = report.validation_indices(model, targets)
    samples = model.provenance["samples"]
    assert held_out.size == sum(s["validation"] for s in samples.values())
    for k, info in enumerate(model.classes):
        assert np.sum(targets[held_out] == k) == samples[info.name]["validation"]
    rows = re.findall(r"<tr><td>(\d+)</td><td class='name'>.*?</td><td class='name'>#\w+</td>"
                      r"<td>([\d,]+)</td><td>([\d,]+)</td></tr>", page)
    assert [(int(v), int(t), int(n)) for v, t, n in rows] == [
        (c.value, samples[c.name]["training"], samples[c.name]["validation"])
        for c in model.classes]
    assert f"<th class=\"name\">Validation pixels</th><td class=\"name\">{held_out.size}" \
        in page.replace("'", '"')


def test_polygon_split_is_rederived_from_the_groups():
    spectra, labels = synthetic_spectra(N_BANDS, 3, per_class=40)
    groups = np.arange(labels.size) // 8  # polygons of 8 pixels
    model, spectra, labels = _train(groups=groups)
    targets = class_targets(labels, model.classes)
    held_out = report.validation_indices(model, targets, groups)
    assert held_out.size == sum(s["validation"] for s in model.provenance["samples"].values())
    assert held_out.size > 0
    # without the polygon ids the split is not guessed: stored counts, no matrix
    text = report.render_training_report(model, spectra, labels)
    assert "were not given to the report" in text
    matrix = np.array([[5, 0, 0], [0, 4, 1], [0, 0, 6]])
    text = report.render_training_report(model, spectra, labels, validation_confusion=matrix)
    assert "Cohen&#x27;s kappa" in text and "<td class=\"name\">16</td>" in text


def test_first_layer_response_has_one_value_per_class_and_band(pixel_split):
    model, spectra, labels = pixel_split
    response, weights = spectral_figures.first_layer_response(
        model, spectra, class_targets(labels, model.classes))
    assert response.shape == (3, N_BANDS)
    assert np.all(response >= 0)  # after ReLU
    assert weights.shape == (SMALL_NETWORK.conv_channels[0], SMALL_NETWORK.kernel_sizes[0])


def test_without_matplotlib_the_tables_remain(pixel_split, monkeypatch):
    model, spectra, labels = pixel_split
    monkeypatch.setattr(html_kit, "matplotlib_figure", lambda *args: None)
    text = report.render_training_report(model, spectra, labels)
    assert "<svg" not in text
    assert "The figures need matplotlib" in text
    assert "<h2>Classes</h2>" in text and "Band of strongest response" in text
    assert "<h2>Validation confusion matrix</h2>" in text and "Reference \\ Predicted" in text


def test_architecture_says_what_the_network_reads(pixel_split):
    model, spectra, labels = pixel_split
    assert model.network.unit_length
    text = report.render_training_report(model, spectra, labels)
    assert "(one value per band; each spectrum scaled to unit length" in text
    windowed = dataclasses.replace(model, network=dataclasses.replace(
        model.network, input_window=5, unit_length=False))
    text = report.render_training_report(windowed, spectra, labels)
    assert "(per band, the mean of the 5x5 pixels around the pixel)" in text


def test_wrong_spectra_shape_is_refused(pixel_split):
    model, spectra, labels = pixel_split
    with pytest.raises(ValueError, match="spectra must be"):
        report.render_training_report(model, spectra[:, :10], labels)


def test_accuracy_report_has_heat_map_and_per_class_chart(monkeypatch):
    from hyperspectral_crnn.models.reports import assessment, assessment_report

    reference = np.repeat([1, 2, 3], 50)
    predicted = reference.copy()
    predicted[:7] = 2
    result = assessment.assess_arrays(reference, predicted, class_names={1: "Maize"})
    text = assessment_report.render_html(result)
    assert text.count("<svg") == 2 and "http" not in text
    assert "Confusion matrix (heat map)" in text and "Accuracy per class (chart)" in text
    assert "95 % Wilson" in text and "Rows are reference classes" in text  # tables kept
    monkeypatch.setattr(html_kit, "matplotlib_figure", lambda *args: None)
    text = assessment_report.render_html(result)
    assert "<svg" not in text and "The figures need matplotlib" in text


# --- the architecture as the network gives it, and why mixup lowers training accuracy -----


def _forward_shapes(network, n_bands, pixels=3):
    """The shapes of the tensors the network's modules really produce, step by step."""
    import torch

    network = network.eval()
    with torch.inference_mode():
        x = torch.randn(pixels, n_bands).unsqueeze(1)
        blocks = []
        for block in network.conv:
            x = block(x)
            blocks.append(tuple(x.shape))
        states, _ = network.rnn(x.transpose(1, 2))
        logits = network(torch.randn(pixels, n_bands))
    return blocks, tuple(x.transpose(1, 2).shape), tuple(states.shape), tuple(logits.shape)


@pytest.mark.parametrize("n_bands, config", [
    (200, NetworkConfig()),
    (200, NetworkConfig(first_stride=1, pool_sizes=(2, 2, 4))),
    (103, NetworkConfig(first_stride=1, pool_sizes=(1, 3, 2), kernel_sizes=(8, 3, 4))),
    (103, NetworkConfig(first_stride=3, batch_norm=True, rnn_type="lstm", rnn_layers=1,
                        conv_channels=(16, 8), kernel_sizes=(5, 2), pool_sizes=(2, 1))),
    (40, SMALL_NETWORK),
])
def test_layer_shapes_are_those_of_the_forward_pass(n_bands, config):
    from hyperspectral_crnn.models.network.crnn import Crnn

    network = Crnn(config, n_bands, 5)
    network.train()
    shapes = network.layer_shapes(n_bands)
    assert network.training  # the mode it was in is given back
    blocks, rnn_input, states, logits = _forward_shapes(network, n_bands)
    assert shapes.bands == n_bands
    assert [(3, c, length) for c, length in shapes.blocks] == blocks
    assert (3, shapes.rnn_steps, shapes.rnn_features) == rnn_input
    assert (3, shapes.rnn_steps, shapes.rnn_hidden) == states
    assert (3, shapes.classes) == logits
    assert shapes.rnn_steps == config.sequence_length(n_bands)  # the config's formula agrees


def test_default_network_on_200_bands_is_50_25_12():
    from hyperspectral_crnn.models.network.crnn import Crnn

    shapes = Crnn(NetworkConfig(), 200, 16).layer_shapes(200)
    assert shapes.blocks == ((32, 50), (64, 25), (64, 12))
    assert (shapes.rnn_steps, shapes.rnn_features, shapes.rnn_hidden) == (12, 64, 64)
    assert shapes.classes == 16


@pytest.fixture(scope="module")
def default_network_without_mixup():
    """The default network on 200 bands, trained for an epoch without mixup."""
    spectra, labels = synthetic_spectra(200, 3, per_class=20)
    labels = labels * 10
    model = train_model(
        TrainingData(spectra, labels, CLASSES,
                     ModelBands(list(range(1, 201)), [f"Band {b}" for b in range(1, 201)])),
        TrainingSetup(NetworkConfig(),
                      TrainingConfig(epochs=1, batch_size=32, mixup=0.0, device="cpu"),
                      validation_fraction=0.25))
    return model, spectra, labels


def test_report_shows_the_shapes_the_network_gives(default_network_without_mixup):
    model, spectra, labels = default_network_without_mixup
    text = report.render_training_report(model, spectra, labels)
    blocks, rnn_input, _, logits = _forward_shapes(model.classifier().network, 200)
    for i, (_, channels, length) in enumerate(blocks):
        assert re.search(rf"<th class=\"name\">Convolution block {i + 1}</th><td class=\"name\">"
                         rf"[^<]* -&gt; {channels} x {length}</td>", text)
    assert f"reads {rnn_input[1]} steps of {rnn_input[2]} features" in text
    assert f"-&gt; {logits[1]} classes (softmax)" in text
    # the figures: the first stride halves 200 bands before the first pool
    assert "-&gt; 32 x 50<" in text and "-&gt; 64 x 25<" in text and "-&gt; 64 x 12<" in text
    assert "reads 12 steps" in text and "32 filters of 7 bands, stride 2 + ReLU" in text
    assert "32 x 100" not in text and "reads 25 steps" not in text


def test_mixup_note_only_where_training_used_mixup(pixel_split, default_network_without_mixup):
    model, spectra, labels = pixel_split
    assert model.provenance["training_config"]["mixup"] == 0.2
    text = report.render_training_report(model, spectra, labels)
    assert "Why the training accuracy is lower: training used mixup (MIXUP = 0.2)" in text
    assert "measured on the mixed-up pixels" in text
    model, spectra, labels = default_network_without_mixup
    assert model.provenance["training_config"]["mixup"] == 0.0
    text = report.render_training_report(model, spectra, labels)
    assert "<h2>Training curves</h2>" in text
    assert text.count("mixup") == 1  # only the hyperparameter table's row
    assert '<th class="name">mixup</th><td class="name">0.0</td>' in text
    assert "mixed-up" not in text and "Why the training accuracy" not in text


# --- spectra and filter responses against wavelength, with gaps at left-out bands ---------

# the 40 bands at 400..590 nm and 1500..1690 nm (10 nm apart; 600-1490 left out), given to
# the model in descending order, as a raster with its bands reversed would have them
GAPPED_NM = [float(w) for w in list(range(400, 600, 10)) + list(range(1500, 1700, 10))]


def _with_wavelengths(model, wavelengths):
    return dataclasses.replace(model, band_wavelengths=list(wavelengths))


def test_without_wavelengths_the_axis_is_the_band_number(pixel_split):
    model, spectra, labels = pixel_split
    assert not model.has_wavelengths
    axis = spectral_figures.spectral_axis(model)
    assert axis.label == "Band" and axis.positions.tolist() == list(range(1, N_BANDS + 1))
    assert not axis.gaps.any()
    figure = spectral_figures.spectra_figure(model, spectra, class_targets(labels, model.classes))
    assert "Band" in [text.get_text() for text in figure.texts]  # the shared x label
    assert not np.isnan(figure.axes[0].lines[1].get_xdata()).any()


def test_spectra_are_plotted_against_wavelength_with_a_gap(pixel_split):
    model, spectra, labels = pixel_split
    model = _with_wavelengths(model, GAPPED_NM[::-1])
    targets = class_targets(labels, model.classes)
    axis = spectral_figures.spectral_axis(model)
    assert axis.label == "Wavelength (nm)"
    assert axis.positions.tolist() == GAPPED_NM
    assert np.flatnonzero(axis.gaps).tolist() == [19]  # between 590 and 1500 nm
    figure = spectral_figures.spectra_figure(model, spectra, targets)
    assert "Wavelength (nm)" in [text.get_text() for text in figure.texts]
    axes = figure.axes[0]  # the first class
    mean_line = axes.lines[1]
    x, y = mean_line.get_xdata(), mean_line.get_ydata()
    assert len(x) == N_BANDS + 1 and np.isnan(x[20]) and np.isnan(y[20])
    assert x[:20].tolist() == GAPPED_NM[:20] and x[21:].tolist() == GAPPED_NM[20:]
    # the model's first band is the reddest: the spectrum is drawn reversed
    expected = spectra[targets == 0].mean(axis=0)[::-1]
    assert np.allclose(y[:20], expected[:20]) and np.allclose(y[21:], expected[20:])
    assert len(axes.collections[0].get_paths()) == 2  # the spread, in two pieces


def test_filter_responses_are_drawn_against_wavelength_with_an_empty_gap(pixel_split):
    model, spectra, labels = pixel_split
    model = _with_wavelengths(model, GAPPED_NM[::-1])
    response, weights = spectral_figures.first_layer_response(
        model, spectra, class_targets(labels, model.classes))
    figure = spectral_figures.response_figure(model, response, weights)
    axes = figure.axes[0]
    assert axes.get_xlabel() == "Wavelength (nm)"
    mesh = axes.collections[0]
    cells = mesh.get_array().reshape(3, N_BANDS + 1)
    assert np.ma.getmaskarray(cells)[:, 20].all()  # the cell over 600-1490 nm is empty
    assert not np.ma.getmaskarray(cells)[:, :20].any()
    assert np.allclose(cells[:, 0], response[:, -1])  # 400 nm is the model's last band
    edges = mesh.get_coordinates()[0, :, 0]
    # cells halfway between bands; 5 nm (half the 10 nm spacing) at the ends and the gap
    assert edges[0] == 395 and edges[1] == 405 and edges[20] == 595
    assert edges[21] == 1495 and edges[-1] == 1695 and len(edges) == N_BANDS + 2


def test_report_with_wavelengths_says_so(pixel_split):
    model, spectra, labels = pixel_split
    text = report.render_training_report(_with_wavelengths(model, GAPPED_NM), spectra, labels)
    assert "(bands 1-40; 400-1690 nm)" in text
    assert "against wavelength;" in text and "fires at each wavelength" in text
    assert text.count("Breaks in the lines mark left-out bands") == 1
    assert text.count("Blank stripes mark left-out bands") == 1
    contiguous = [400.0 + 10 * b for b in range(N_BANDS)]
    text = report.render_training_report(_with_wavelengths(model, contiguous), spectra, labels)
    assert "left-out bands" not in text and "400-790 nm" in text


def test_hyperparameters_are_named_as_their_parameters(pixel_split, qgis_app):
    """Every setting the model file stores is shown by its parameter's label and key,
    never by its Python name (ema_decay, class_weighting)."""
    from hyperspectral_crnn.algorithms.parameters import setting_names

    model, spectra, labels = pixel_split
    names = setting_names()
    stored = list(model.network.to_dict()) + list(model.provenance["training_config"])
    assert [key for key in stored if key not in names] == []
    text = report.render_training_report(model, spectra, labels, setting_names=names)
    table = text[text.index("<h2>Hyperparameters</h2>"):]
    assert "Weight averaging" in table or "(EMA_DECAY)" in table
    for python_name in ("ema_decay", "class_weighting", "conv_channels", "rnn_hidden"):
        assert f">{python_name}<" not in table


def test_epoch_ticks_are_whole_numbers(pixel_split, monkeypatch):
    """Three epochs drawn: no tick at 1.5 or 2.5."""
    drawn = []
    original = html_kit.figure_html

    def keep(figure, *args, **kwargs):
        drawn.append(figure)
        return original(figure, *args, **kwargs)

    monkeypatch.setattr(report, "figure_html", keep)
    model, spectra, labels = pixel_split
    report.render_training_report(model, spectra, labels)
    curves = drawn[0]
    for axes in curves.axes:
        ticks = [t for t in axes.get_xticks() if axes.get_xlim()[0] <= t <= axes.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)
