"""RasterGrid coordinates and FieldSet allocation follow the declarations."""

import numpy as np
import pytest

from sim.fields import FieldSet, FieldSpec, estimate_field_bytes
from sim.grid import RasterGrid


def test_cell_centres_and_extent():
    g = RasterGrid(shape=(2, 3), spacing_m=(10.0, 5.0), origin_m=(100.0, -20.0))
    np.testing.assert_array_equal(g.x, [102.5, 107.5, 112.5])
    np.testing.assert_array_equal(g.y, [-15.0, -5.0])
    assert g.extent_m == (100.0, 115.0, -20.0, 0.0)
    assert g.index_of(108.0, -1.0) == (1, 1)
    assert g.shape_at("face_x") == (2, 4) and g.shape_at("face_y") == (3, 3)


@pytest.mark.parametrize("kwargs", [dict(shape=(0, 3)), dict(spacing_m=(0.0, 1.0)), dict(dtype="int8"), dict(crs="WGS84")])
def test_bad_grids_are_refused(kwargs):
    base = dict(shape=(2, 3), spacing_m=(1.0, 1.0))
    base.update(kwargs)
    with pytest.raises(ValueError):
        RasterGrid(**base)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fieldset_allocates_declared_dtype_and_shape(dtype):
    g = RasterGrid(shape=(4, 5), spacing_m=(1.0, 1.0), dtype=dtype)
    fs = FieldSet(g)
    a = fs.add(FieldSpec("water_depth", at="cell", units="m", intent="out", doc="depth"))
    lvl = fs.add(FieldSpec("hazard_level", at="cell", units="", intent="out", doc="level", kind="level",
                           flag_values=(0, 1), flag_meanings=("low", "high")))
    q = fs.add(FieldSpec("discharge_x", at="face_x", units="m2 s-1", intent="out", doc="q"))
    assert a.dtype == np.dtype(dtype) and a.shape == (4, 5)
    assert lvl.dtype == np.int8 and q.shape == (4, 6)
    assert estimate_field_bytes(g, list(fs.specs.values())) == fs.nbytes()


def test_same_field_twice_must_agree():
    fs = FieldSet(RasterGrid(shape=(2, 2), spacing_m=(1.0, 1.0)))
    fs.add(FieldSpec("depth", at="cell", units="m", intent="out", doc="d"))
    fs.add(FieldSpec("depth", at="cell", units="m", intent="in", doc="d"))
    with pytest.raises(ValueError, match="declared twice"):
        fs.add(FieldSpec("depth", at="cell", units="cm", intent="in", doc="d"))


def test_views_are_read_only():
    fs = FieldSet(RasterGrid(shape=(2, 2), spacing_m=(1.0, 1.0)))
    fs.add(FieldSpec("depth", at="cell", units="m", intent="out", doc="d"))
    with pytest.raises(ValueError):
        fs.view()["depth"][0, 0] = 1.0


def test_field_names_must_be_snake_case():
    with pytest.raises(ValueError):
        FieldSpec("WaterDepth", at="cell", units="m", intent="out", doc="d")
