"""EnMAP L2A as delivered (issue 30): the product's ZIP, the archive's ZIP that holds it,
and the STAC catalogue's ``..._COG.TIF`` names, read without unzipping by hand: the
spectral image through GDAL's /vsizip/, its METADATA.XML beside it in the ZIP. The
products are written as the EnMAP product specification lays them out (the image and
the XML share a prefix). No QGIS."""

from __future__ import annotations

import zipfile

import pytest
from test_band_metadata import ENMAP_BANDS, ENMAP_NAME, _info, _write_enmap

from hyperspectral_crnn.models.importing.gdal_cubes import product_image
from hyperspectral_crnn.models.importing.importcube import Placement, import_cube
from hyperspectral_crnn.models.rasters.bands import enmap_metadata_path

WAVELENGTHS = [w for _, w, *_ in ENMAP_BANDS]
FWHM = [f for _, _, f, *_ in ENMAP_BANDS]


def product_zip(folder, name="product.ZIP", inner_folder=f"{ENMAP_NAME}/"):
    """The product's files in a ZIP, in a folder as DLR delivers them."""
    files = folder / "files"
    files.mkdir(exist_ok=True)
    _write_enmap(files)
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(files.iterdir()):
            archive.write(file, inner_folder + file.name)
    return path


@pytest.mark.parametrize("nested", [False, True], ids=["product-zip", "zip-in-zip"])
def test_a_product_zip_is_imported_with_its_metadata(tmp_path, nested):
    path = product_zip(tmp_path)
    if nested:  # the archive's download: a ZIP holding the product's ZIP
        outer = tmp_path / "download.zip"
        with zipfile.ZipFile(outer, "w") as archive:
            archive.write(path, f"{ENMAP_NAME}.ZIP")
        path = outer
    inside = product_image(str(path))
    assert inside.startswith("/vsizip/") and inside.endswith("-SPECTRAL_IMAGE.TIF")
    assert enmap_metadata_path(inside).endswith("-METADATA.XML")
    out = str(tmp_path / "enmap.tif")
    import_cube(str(path), out, Placement())
    bands = _info(out)
    assert [b.wavelength for b in bands] == pytest.approx(WAVELENGTHS)
    assert [b.fwhm for b in bands] == pytest.approx(FWHM)
    assert [(b.scale, b.offset) for b in bands] == [(g, o) for *_, g, o in ENMAP_BANDS]


def test_the_image_inside_a_zip_reads_its_metadata_as_a_layer_would(tmp_path):
    """What QGIS gives the plugin for a layer added from a ZIP: the /vsizip/ path."""
    inside = product_image(str(product_zip(tmp_path)))
    bands = _info(inside)
    assert [b.wavelength for b in bands] == pytest.approx(WAVELENGTHS)


def test_the_stac_catalogues_cog_names(tmp_path):
    image = _write_enmap(tmp_path)
    cog = image.replace("-SPECTRAL_IMAGE.TIF", "-SPECTRAL_IMAGE_COG.TIF")
    (tmp_path / image.split("/")[-1]).rename(cog)
    assert enmap_metadata_path(cog) == str(tmp_path / f"{ENMAP_NAME}-METADATA.XML")
    assert [b.wavelength for b in _info(cog)] == pytest.approx(WAVELENGTHS)


def test_a_zip_without_a_spectral_image_is_no_product(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "nothing here")
    assert product_image(str(path)) is None
    assert product_image(str(tmp_path / "missing.zip")) is None


def test_a_metadata_xml_with_entities_is_refused(tmp_path):
    """Entities are how an XML file makes a parser expand without bound (a 'billion
    laughs'): METADATA.XML has none, and one that declares them is not read."""
    from hyperspectral_crnn.models.common.errors import CrnnError
    from hyperspectral_crnn.models.rasters.bands import read_enmap_bands

    bomb = tmp_path / f"{ENMAP_NAME}-METADATA.XML"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE level_X [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><level_X>&b;</level_X>')
    with pytest.raises(CrnnError, match="declares a document type or entities"):
        read_enmap_bands(str(bomb))
