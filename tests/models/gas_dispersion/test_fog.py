"""Fog of a cold dense-gas cloud: homogeneous-equilibrium mixing with humid air (thermo.fog_mixing).

Checked: the Magnus saturation formula against tabulated values; the enthalpy balance closes; the
vapour is saturated wherever liquid exists (and at most saturated elsewhere); dry air makes no fog;
a cloud of nothing but ambient air is at the ambient temperature; a gas at the ambient temperature
makes no fog; the Numba kernel and its NumPy twin agree; the dense-gas model writes fog only below
the ambient dew point, near the source and not in the cloud's dilute fringe.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.gas_dispersion import source_terms, thermo
from models.gas_dispersion.dense_layer import DenseGas
from models.gas_dispersion.gases import GASES, R_GAS
from sim.grid import RasterGrid

from gas_runs import built, step_for

P = 101325.0
T_AIR = 288.15
M_W, M_D = 18.01528e-3, 28.9647e-3
C_PA, C_PV, C_W, L_0, T_0 = 1006.0, 1870.0, 4190.0, 2.501e6, 273.15


def propane_source():
    """The cold aerosol-free propane-air mixture of a flashing release (30 % flash) in 15 C air."""
    sub = thermo.substance("propane")
    mix = source_terms.aerosol_free_mixture(sub, 0.3 / source_terms.airborne_fraction(0.3), T_AIR, P)
    return mix.temperature_K, mix.substance_kg_m3 / mix.density_kg_m3


def e_sat(T):
    t = np.asarray(T) - 273.15
    return 610.94 * np.exp(17.625 * t / (t + 243.04))


def budget(phi, T_s, w_g, gas, rh, T, lwc):
    """Independent bookkeeping of a m3 of unmixed parts: (H_0, H(T, LWC), vapour pressure e, e_s(T))."""
    M_g = GASES[gas].molar_mass_kg_mol
    gamma = GASES[gas].gamma
    c_pg = gamma / (gamma - 1.0) * R_GAS / M_g
    e_a = rh * e_sat(T_AIR)
    r_a = M_W / M_D * e_a / (P - e_a)
    source = phi * P / (R_GAS * T_s) / (w_g / M_g + (1 - w_g) / M_D)  # kg of source gas
    ambient = (1 - phi) * (P - e_a + e_a * M_W / M_D) * M_D / (R_GAS * T_AIR)  # kg of humid air
    m_g, m_ds, m_da = source * w_g, source * (1 - w_g), ambient / (1 + r_a)
    m_t = (m_ds + m_da) * r_a
    H_0 = (m_g * c_pg + m_ds * C_PA) * (T_s - T_0) + m_da * C_PA * (T_AIR - T_0) + m_t * (L_0 + C_PV * (T_AIR - T_0))
    n_dry = m_g / M_g + (m_ds + m_da) / M_D
    # LWC = m_l / V with V = (n_dry + (m_t - m_l) / M_w) R T / p: solve for m_l
    v = R_GAS * T / P
    m_l = lwc * v * (n_dry + m_t / M_W) / (1 + lwc * v / M_W)
    m_v = m_t - m_l
    H = (m_g * c_pg + (m_ds + m_da) * C_PA) * (T - T_0) + m_v * (L_0 + C_PV * (T - T_0)) + m_l * C_W * (T - T_0)
    e = P * (m_v / M_W) / (n_dry + m_v / M_W)
    return H_0, H, e, e_sat(T), m_l


def test_the_fog_uses_the_source_terms_air():
    """The source mixture was found with source_terms' dry air: the fog balance must use the same."""
    assert thermo.DRY_AIR_MOLAR_MASS == source_terms.AIR_MOLAR_MASS
    assert thermo.DRY_AIR_HEAT_CAPACITY == source_terms.AIR_HEAT_CAPACITY


def test_magnus_saturation_matches_tabulated_values():
    """Alduchov & Eskridge (1996): e_s(0 C) = 610.94 Pa by construction; e_s(20 C) = 2339 Pa and
    e_s(-20 C) = 125.6 Pa over supercooled water (Wagner & Pruss 2002; Murphy & Koop 2005) to 0.5 %."""
    assert thermo.saturation_vapour_pressure_water(273.15) == pytest.approx(610.94, rel=1e-12)
    assert thermo.saturation_vapour_pressure_water(293.15) == pytest.approx(2339.2, rel=5e-3)
    assert thermo.saturation_vapour_pressure_water(253.15) == pytest.approx(125.6, rel=5e-3)


@pytest.mark.parametrize("rh", [0.3, 0.8, 1.0])
def test_enthalpy_closes_and_the_vapour_is_saturated_where_there_is_liquid(rh):
    T_s, w_g = propane_source()
    phi = np.linspace(0.0, 1.0, 201)
    T, lwc = thermo.fog_mixing(phi, T_s, w_g, "propane", T_AIR, P, rh)
    H_0, H, e, e_s, m_l = budget(phi, T_s, w_g, "propane", rh, T, lwc)
    scale = np.abs(H_0) + 1.0 * 1006.0 * 100.0  # J per m3 of a 100-K change
    np.testing.assert_allclose(H, H_0, rtol=0, atol=1e-9 * scale.max())
    fog = lwc > 0
    assert fog.any() and (lwc >= 0).all()
    np.testing.assert_allclose(e[fog], e_s[fog], rtol=1e-9)  # saturated over the droplets
    assert (e[~fog] <= e_s[~fog] * (1 + 1e-12)).all()  # never supersaturated
    # colder where there is more source gas; liquid grows with it near the source
    assert (np.diff(T) < 0).all()


def test_dry_air_makes_no_fog_and_ambient_air_is_at_ambient_temperature():
    T_s, w_g = propane_source()
    phi = np.linspace(0.0, 1.0, 101)
    T, lwc = thermo.fog_mixing(phi, T_s, w_g, "propane", T_AIR, P, 0.0)
    assert (lwc == 0.0).all()
    # dry: the mixing line of sensible heat alone, T between T_s and T_a
    assert T[0] == T_AIR and T_s <= T.min() and T.max() <= T_AIR
    for rh in (0.0, 0.5, 1.0):
        T, lwc = thermo.fog_mixing(np.array([0.0, 1e-12]), T_s, w_g, "propane", T_AIR, P, rh)
        assert T[0] == T_AIR and lwc[0] == 0.0
        assert T[1] == pytest.approx(T_AIR, abs=1e-8)
        # saturated air condenses at the least cooling, in proportion to it; unsaturated air does not
        assert lwc[1] < 1e-12 if rh == 1.0 else lwc[1] == 0.0


def test_a_gas_at_the_ambient_temperature_makes_no_fog():
    """Mixing an unsaturated parcel with a dry gas at the same temperature only dilutes its vapour."""
    phi = np.linspace(0.0, 1.0, 51)
    T, lwc = thermo.fog_mixing(phi, T_AIR, 1.0, "chlorine", T_AIR, P, 0.95)
    assert (lwc == 0.0).all()
    np.testing.assert_allclose(T, T_AIR, rtol=1e-12)


@pytest.mark.parametrize(("gas", "source", "rh"), [("propane", None, 0.8), ("ammonia", 239.82, 0.6),
                                                    ("propane", None, 1.0), ("chlorine", 239.1, 0.3)])
def test_numba_kernel_and_numpy_twin_agree(gas, source, rh):
    if source is None:
        T_s, w_g = propane_source()
    else:
        T_s, w_g = source, 1.0
    phi = np.r_[0.0, 1.0, np.random.default_rng(4).random(500)]
    T, lwc = thermo.fog_mixing(phi, T_s, w_g, gas, T_AIR, P, rh)
    g = GASES[gas]
    c_pg = g.gamma / (g.gamma - 1.0) * R_GAS / g.molar_mass_kg_mol
    T_ref, lwc_ref = thermo.fog_mixing_reference(phi, T_s, w_g, g.molar_mass_kg_mol, c_pg, T_AIR, P,
                                                 thermo.mixing_ratio(rh, T_AIR, P))
    np.testing.assert_allclose(T, T_ref, rtol=1e-12, atol=0)
    np.testing.assert_allclose(lwc, lwc_ref, rtol=1e-10, atol=1e-15)
    assert lwc.max() > 0.0


def test_extinction_of_droplets_and_bad_input():
    """beta = 3 LWC / (2 rho_w r_e): 1 g m-3 of 5-um droplets is 0.3 m-1 (a visibility of ~13 m)."""
    assert float(thermo.fog_extinction_coefficient(1e-3, 5e-6)) == pytest.approx(0.3, rel=1e-12)
    with pytest.raises(ValueError, match="relative_humidity"):
        thermo.fog_mixing(0.5, 220.0, 1.0, "propane", T_AIR, P, 1.2)
    with pytest.raises(ValueError, match="source_fraction"):
        thermo.fog_mixing(np.array([0.5, 1.5]), 220.0, 1.0, "propane", T_AIR, P, 0.5)
    with pytest.raises(ValueError, match="effective_radius_m"):
        thermo.fog_extinction_coefficient(1e-3, 0.0)


def dew_point(rh):
    """Inverse of the Magnus form at e = RH e_s(T_a)."""
    x = math.log(rh * thermo.saturation_vapour_pressure_water(T_AIR) / 610.94)
    return 273.15 + 243.04 * x / (17.625 - x)


def test_dense_gas_cloud_is_foggy_near_the_source_and_clear_in_its_fringe():
    """A flashing propane leak in humid air: fog at the source, only below the ambient dew point, none in
    the dilute fringe; the cloud's temperature is ambient where there is no cloud. (The layer keeps its
    passive fringe here, which would otherwise leave it for the particles.)"""
    grid = RasterGrid(shape=(40, 60), spacing_m=(5.0, 5.0))
    tank = {"kind": "tank", "x_m": 60.0, "y_m": 100.0, "substance": "propane", "volume_m3": 10.0,
            "fill_fraction": 0.8, "temperature_K": T_AIR, "hole_diameter_m": 0.02, "hole_in": "liquid"}
    params = {"gas": "propane", "air_temperature_k": T_AIR, "air_relative_humidity": 0.8, "release": tank,
              "passive_richardson_number": None,
              "atmosphere": {"wind_speed_m_s": 1.0, "wind_direction_deg": 270.0, "stability_class": "F",
                             "roughness_length_m": 0.05}}
    model, state = built(DenseGas, grid, params)
    assert (state["gas_cloud_temperature"] == T_AIR).all() and (state["fog_liquid_water_content"] == 0).all()
    step_for(model, state, 120.0)
    lwc, T = state["fog_liquid_water_content"], state["gas_cloud_temperature"]
    phi = model.cloud.volume_fraction()
    source = model.cloud.cell_index(60.0, 100.0)
    assert lwc[source] > 1e-4  # over 0.1 g m-3 at the source
    fog = lwc > 0
    assert (T[fog] < dew_point(0.8)).all()
    fringe = (phi > 0) & (phi < 1e-3)
    assert fringe.any() and (lwc[fringe] == 0).all()
    assert (T[phi == 0] == T_AIR).all()
    np.testing.assert_allclose(state["fog_extinction_coefficient"], 3 * lwc / (2 * 1000.0 * 5e-6), rtol=1e-6)
    # the cameras get the fog over the layer's depth
    layers = model.visual_layers(state, 120.0)
    assert layers.fog_extinction_per_m.shape == grid.shape
    np.testing.assert_allclose(layers.fog_liquid_water_path_kg_m2, lwc * layers.fog_depth_m, rtol=1e-6)
    assert (layers.fog_depth_m[fog] > 0).all()
    # the same release into dry air: no fog anywhere
    dry, dry_state = built(DenseGas, grid, {**params, "air_relative_humidity": 0.0})
    step_for(dry, dry_state, 60.0)
    assert (dry_state["fog_liquid_water_content"] == 0).all()
