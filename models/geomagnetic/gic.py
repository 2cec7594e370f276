"""Geomagnetically induced currents (GIC) in a grounded power network: the Lehtinen-Pirjola method.

A power network is, for the quasi-DC GIC, a resistor network: nodes (substation neutral points,
bus bars) joined by branches (transmission lines, transformer windings), some nodes tied to
earth through an earthing resistance. A geoelectric field E drives, along every branch from
node a to node b, the electromotive force

    V_ab = integral_a^b E . dl                       (line EMF; zero for a transformer winding),

and the currents follow from Kirchhoff's laws. Lehtinen & Pirjola (1985, Ann. Geophys.
3:479-484), as written for power grids by Boteler & Pirjola (2014, Ann. Geophys. 32:1177-1187;
2017, Space Weather 15:258-276) and used for the benchmark of Horton et al. (2012, IEEE Trans.
Power Delivery 27(4):2368-2373), replace each EMF by a Norton source and solve

    J_i   = sum_{branches b->i} V_b / R_b - sum_{branches i->b} V_b / R_b   (source currents),
    Y_n   = network admittance matrix: Y_ii = sum_b 1/R_b over branches at i,
            Y_ij = -sum_b 1/R_b over branches joining i and j,
    Z_e   = earthing impedance matrix, diag(R_e,i) (earthing points far enough apart not to
            couple through the ground),
    I_e   = (1 + Y_n Z_e)^-1 J                       (GIC from node i into the earth),
    U     = Z_e I_e                                  (node voltage against remote earth),
    I_ab  = (U_a - U_b + V_ab) / R_ab                (GIC in branch a->b, positive a to b).

Current conservation: every column of Y_n sums to zero, so sum_i I_e,i = sum_i J_i = 0.

Floating nodes
--------------
A bus bar, or a substation without a grounded neutral, has R_e = infinity: it carries no
ground current but still has a voltage. (1 + Y_n Z_e) then has an infinite column. Dividing
that column by R_e (i.e. taking U_i instead of I_e,i as the unknown) gives the column Y_n[:, i];
the system stays the Lehtinen-Pirjola one for every grounded node and is exact for floating
ones (no "large resistance" stand-in). Each connected part of the network needs at least one
grounded node, otherwise its voltage level is undetermined (ValueError).

Three phases
------------
Branch resistances R_b are those the GIC sees: the three phases of a line (or the three
windings of a transformer) carry GIC in parallel, so R_b = R_phase / 3 and the branch and
earth currents are three-phase totals (``three_phase_resistance``). Horton et al. tabulate
per-phase resistances and three-phase neutral (earth) currents; the Horton network below
divides by 3 when it is built.

Line EMF for a uniform field
----------------------------
For a uniform field and a straight line between (lat_a, lon_a) and (lat_b, lon_b)

    V_ab = E_N L_N + E_E L_E,

with the north and east extents from the formulas used by Horton et al. (2012): the length
of one degree on the WGS-84 ellipsoid evaluated at the mean latitude phi of the two ends:

    L_N = (111.133 - 0.56 cos 2 phi) (lat_b - lat_a)              km,
    L_E = (111.5065 - 0.1872 cos 2 phi) cos phi (lon_b - lon_a)   km.

``line_extent_km(..., method="spherical")`` instead uses a sphere of radius R_E = 6371 km:
L_N = R_E dlat, L_E = R_E cos(phi) dlon (angles in rad). The two differ by < 0.6 % at mid
latitudes.

Transformers
------------
The general solver takes any nodes and branches, so transformers enter at winding level
(``horton_2012_network``): a grounded-wye winding is a branch from its bus to the substation
neutral (R_winding / 3); an autotransformer is a series-winding branch from its high- to its
low-voltage bus plus a common-winding branch from the low-voltage bus to the neutral; delta
windings carry no GIC and are left out; the substation neutral is the node with the earthing
resistance. A simpler model, one node per substation with R_e including the transformers,
is the same solver with fewer nodes.

Time series
-----------
``GICNetwork`` factorises the system matrix once (scipy.linalg.lu_factor); each time step of
the EMF is one right-hand side of lu_solve, so a time series costs one matrix product per step.

Horton et al. (2012) test case
------------------------------
``HORTON_2012_*`` tabulate the published test network (8 substations, 20 buses, 15 transformers,
15 lines; per-phase resistances, ohm) of Horton et al. (2012), transcribed from public
reproductions of the case (two independent ones agree on every line, transformer, position and
earthing resistance except those of substations 1 and 7, which carry no GIC in the base case
whatever their value; the paper itself was not at hand). In the base case the neutral of T1 (substation 1) has a GIC
blocking device and the line from bus 5 to bus 11 carries no DC, so both are open circuits;
substation 7 is a switching station with no grounded equipment. ``HORTON_2012_GIC_A`` holds
the published substation earth GIC of Horton et al. (2012) for 1 V/km northward and eastward
fields, as quoted with that citation in the supplementary code of Liu et al. (2022, "Reduced
nodal admittance matrix method for probabilistic GIC analysis in power grids"); with the
Horton distance formulas this module reproduces all 16 values within 0.02 A (the spherical
formula: within 0.8 A, 0.3 %).

Symbols
-------

========== ============================================================ ==============
symbol     meaning                                                      unit
========== ============================================================ ==============
E_N, E_E   northward, eastward geoelectric field                        V km-1
L_N, L_E   northward, eastward extent of a straight line                km
phi        mean latitude of a line's ends                               deg
V_ab       EMF along branch a->b, integral of E . dl                    V
R_b        branch resistance seen by GIC (three phases in parallel)     ohm
R_e,i      earthing resistance of node i (inf: floating)                ohm
J_i        Norton source current into node i                            A
Y_n        network admittance matrix                                    S
Z_e        earthing impedance matrix, diag(R_e)                         ohm
I_e,i      GIC from node i into the earth (three-phase total)           A
U_i        voltage of node i against remote earth                       V
I_ab       GIC in branch a->b, positive from a to b                     A
R_E        earth radius for the spherical formula, 6371                 km
========== ============================================================ ==============
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import lu_factor, lu_solve
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

EARTH_RADIUS_KM = 6371.0  # mean radius, for the spherical extent formula
PHASES = 3


def three_phase_resistance(per_phase_resistance_ohm):
    """Resistance seen by GIC: three phases carry it in parallel, R / 3."""
    return np.asarray(per_phase_resistance_ohm, dtype=float) / PHASES


def line_extent_km(lat_from_deg, lon_from_deg, lat_to_deg, lon_to_deg, method: str = "horton"):
    """North and east extents (L_N, L_E) in km of straight lines between geographic points.

    ``method="horton"``: degree lengths on the WGS-84 ellipsoid at the mean latitude
    (as used by Horton et al. 2012). ``method="spherical"``: sphere of radius 6371 km.
    """
    lat_from, lon_from, lat_to, lon_to = (np.asarray(x, dtype=float)
                                          for x in (lat_from_deg, lon_from_deg, lat_to_deg, lon_to_deg))
    mean_lat_rad = np.radians(0.5 * (lat_from + lat_to))
    dlat_deg = lat_to - lat_from
    dlon_deg = lon_to - lon_from
    if method == "horton":
        km_per_deg_north = 111.133 - 0.56 * np.cos(2 * mean_lat_rad)
        km_per_deg_east = (111.5065 - 0.1872 * np.cos(2 * mean_lat_rad)) * np.cos(mean_lat_rad)
    elif method == "spherical":
        km_per_deg_north = EARTH_RADIUS_KM * np.pi / 180.0
        km_per_deg_east = km_per_deg_north * np.cos(mean_lat_rad)
    else:
        raise ValueError(f"unknown method {method!r}; use 'horton' or 'spherical'")
    return km_per_deg_north * dlat_deg, km_per_deg_east * dlon_deg


def uniform_field_emf(e_north_V_km, e_east_V_km, length_north_km, length_east_km):
    """Branch EMF V = E_N L_N + E_E L_E for a uniform field.

    Field arrays of shape (n_time,) (or scalars) and extents of shape (n_branches,) give
    shape (n_time, n_branches) (or (n_branches,)).
    """
    e_north = np.asarray(e_north_V_km, dtype=float)[..., None]
    e_east = np.asarray(e_east_V_km, dtype=float)[..., None]
    return e_north * np.asarray(length_north_km, dtype=float) + e_east * np.asarray(length_east_km, dtype=float)


@dataclass(frozen=True)
class GICSolution:
    """GIC for each time step (leading axis, absent for a single EMF vector)."""

    ground_gic_A: np.ndarray   # (..., n_nodes): from node into earth; 0 where floating
    branch_gic_A: np.ndarray   # (..., n_branches): positive from branch_from to branch_to
    node_voltage_V: np.ndarray  # (..., n_nodes): against remote earth


class GICNetwork:
    """A grounded resistor network, factorised once for the Lehtinen-Pirjola solve.

    earthing_resistance_ohm: (n_nodes,), np.inf for a floating node.
    branch_from, branch_to: (n_branches,) node indices; the EMF of a branch is taken from
        branch_from to branch_to.
    branch_resistance_ohm: (n_branches,) resistance seen by GIC (use three_phase_resistance
        for per-phase data); np.inf for an open (DC-blocked) branch.
    """

    def __init__(self, earthing_resistance_ohm, branch_from, branch_to, branch_resistance_ohm):
        self.earthing_resistance_ohm = np.asarray(earthing_resistance_ohm, dtype=float)
        self.branch_from = np.asarray(branch_from, dtype=np.intp)
        self.branch_to = np.asarray(branch_to, dtype=np.intp)
        self.branch_resistance_ohm = np.asarray(branch_resistance_ohm, dtype=float)
        n_nodes = self.earthing_resistance_ohm.size
        n_branches = self.branch_resistance_ohm.size
        if self.branch_from.shape != (n_branches,) or self.branch_to.shape != (n_branches,):
            raise ValueError("branch_from, branch_to and branch_resistance_ohm must have the same length")
        if n_branches and (min(self.branch_from.min(), self.branch_to.min()) < 0
                           or max(self.branch_from.max(), self.branch_to.max()) >= n_nodes):
            raise ValueError("branch node index out of range")
        if np.any(self.branch_from == self.branch_to):
            raise ValueError("a branch must join two different nodes")
        if np.any(self.branch_resistance_ohm <= 0) or np.any(self.earthing_resistance_ohm <= 0):
            raise ValueError("resistances must be positive (np.inf for open circuits)")

        # 1/inf = 0: a blocked branch or a floating node simply drops out of the admittances.
        self.branch_conductance_S = 1.0 / self.branch_resistance_ohm
        self.grounded = np.isfinite(self.earthing_resistance_ohm)
        self._check_every_part_grounded(n_nodes)

        # Signed incidence: +1 at the branch's end node, -1 at its start node, so that
        # J = (V / R) @ incidence is the Norton source current flowing into each node.
        self.incidence = np.zeros((n_branches, n_nodes))
        self.incidence[np.arange(n_branches), self.branch_to] = 1.0
        self.incidence[np.arange(n_branches), self.branch_from] = -1.0
        self.network_admittance_S = (self.incidence.T * self.branch_conductance_S) @ self.incidence

        # Lehtinen-Pirjola matrix 1 + Y_n Z_e; a floating node's column is divided by its
        # infinite R_e, leaving Y_n[:, i], and its unknown becomes U_i instead of I_e,i.
        system = self.network_admittance_S.copy()
        grounded = self.grounded
        system[:, grounded] *= self.earthing_resistance_ohm[grounded]
        system[grounded, grounded] += 1.0
        self.system_matrix = system
        self._lu = lu_factor(system)

    def _check_every_part_grounded(self, n_nodes: int) -> None:
        joined = np.isfinite(self.branch_resistance_ohm)
        graph = coo_matrix((np.ones(joined.sum()), (self.branch_from[joined], self.branch_to[joined])),
                           shape=(n_nodes, n_nodes))
        n_parts, part_of_node = connected_components(graph, directed=False)
        grounded_parts = np.unique(part_of_node[self.grounded])
        if grounded_parts.size != n_parts:
            raise ValueError("every connected part of the network needs a grounded node "
                             "(otherwise its voltage is undetermined)")

    def source_currents(self, branch_emf_V):
        """J (..., n_nodes) from branch EMFs (..., n_branches)."""
        emf = np.asarray(branch_emf_V, dtype=float)
        # inf * 0 would be NaN for a blocked branch with zero EMF; the conductance is 0 there.
        return (emf * self.branch_conductance_S) @ self.incidence

    def solve(self, branch_emf_V) -> GICSolution:
        """GIC for branch EMFs of shape (n_branches,) or (n_time, n_branches)."""
        emf = np.asarray(branch_emf_V, dtype=float)
        if emf.shape[-1] != self.branch_resistance_ohm.size:
            raise ValueError("last axis of branch_emf_V must have one entry per branch")
        source = self.source_currents(emf)
        flat_source = source.reshape(-1, source.shape[-1])
        unknown = lu_solve(self._lu, flat_source.T).T  # one factorisation, all time steps
        grounded = self.grounded
        ground_gic = np.where(grounded, unknown, 0.0)
        node_voltage = np.where(grounded, unknown * np.where(grounded, self.earthing_resistance_ohm, 0.0),
                                unknown)
        ground_gic = ground_gic.reshape(source.shape)
        node_voltage = node_voltage.reshape(source.shape)
        voltage_drop = node_voltage[..., self.branch_from] - node_voltage[..., self.branch_to]
        branch_gic = (voltage_drop + emf) * self.branch_conductance_S
        return GICSolution(ground_gic_A=ground_gic, branch_gic_A=branch_gic, node_voltage_V=node_voltage)


# --- Horton et al. (2012) test case ------------------------------------------------------------
# Substation: (latitude deg, longitude deg, earthing resistance ohm). Substation 7 is a switching
# station with no grounded equipment (no earthing path: inf).
HORTON_2012_SUBSTATIONS = {
    1: (33.6135, -87.3737, 0.2),
    2: (34.3104, -86.3658, 0.2),
    3: (33.9551, -84.6794, 0.2),
    4: (33.5479, -86.0746, 1.0),
    5: (32.7051, -84.6634, 0.1),
    6: (33.3773, -82.6188, 0.1),
    7: (34.2522, -82.8363, np.inf),
    8: (34.1956, -81.0980, 0.1),
}
# Bus -> substation. Buses 1, 7, 8, 13, 14, 18, 19 are generator (delta-side) buses: no DC path.
HORTON_2012_BUS_SUBSTATION = {1: 1, 2: 1, 17: 2, 18: 2, 19: 2, 15: 3, 16: 3, 3: 4, 4: 4, 5: 5, 20: 5,
                              6: 6, 7: 6, 8: 6, 11: 7, 12: 8, 13: 8, 14: 8}
# Lines: (from bus, to bus, per-phase resistance ohm); inf = DC-blocked in the base case.
HORTON_2012_LINES = (
    (2, 3, 3.512), (2, 17, 3.525), (15, 4, 1.986), (17, 16, 4.665), (4, 5, 2.345), (4, 5, 2.345),
    (5, 6, 2.975), (5, 11, np.inf), (6, 11, 1.444), (4, 6, 4.666), (15, 6, 2.924), (15, 6, 2.924),
    (11, 12, 2.324), (16, 20, 4.049), (17, 20, 6.940),
)
# Transformers: (name, type, high-voltage bus, low-voltage bus, W1 ohm, W2 ohm), per phase.
# gsu: grounded-wye HV winding W1 (LV delta); gy: grounded-wye HV W1 and LV W2 (GY-GY, GY-GY-D);
# auto: series winding W1 (HV bus to LV bus) and common winding W2 (LV bus to neutral).
# T1 has a GIC blocking device in its neutral in the base case (inf).
HORTON_2012_TRANSFORMERS = (
    ("T1", "gsu", 2, 1, np.inf, None), ("T2", "gy", 4, 3, 0.2, 0.1), ("T3", "gsu", 17, 18, 0.1, None),
    ("T4", "gsu", 17, 19, 0.1, None), ("T5", "auto", 15, 16, 0.04, 0.06), ("T6", "gsu", 6, 7, 0.15, None),
    ("T7", "gsu", 6, 8, 0.15, None), ("T8", "gy", 5, 20, 0.04, 0.06), ("T9", "gy", 5, 20, 0.04, 0.06),
    ("T10", "gsu", 12, 13, 0.1, None), ("T11", "gsu", 12, 14, 0.1, None), ("T12", "auto", 4, 3, 0.04, 0.06),
    ("T13", "gy", 4, 3, 0.2, 0.1), ("T14", "auto", 4, 3, 0.04, 0.06), ("T15", "auto", 15, 16, 0.04, 0.06),
)
# Published substation earth GIC, A, substations 1-8 (Horton et al. 2012; positive into the earth).
HORTON_2012_GIC_A = {
    "north": (0.0, 115.63, 139.85, 19.98, -279.08, -57.29, 0.0, 60.90),
    "east": (0.0, -189.29, -109.49, -124.58, -65.46, 354.52, 0.0, 134.30),
}


@dataclass(frozen=True)
class HortonNetwork:
    network: GICNetwork
    node_names: tuple[str, ...]          # "bus 2", ..., "neutral 1", ...
    neutral_node_of_substation: dict     # substation -> node index
    line_node_from: np.ndarray
    line_node_to: np.ndarray
    line_length_north_km: np.ndarray
    line_length_east_km: np.ndarray
    line_branch: np.ndarray              # branch index of each HORTON_2012_LINES entry

    def line_emf_V(self, e_north_V_km, e_east_V_km):
        """EMF of every branch (transformer windings 0) for a uniform field, (..., n_branches)."""
        line_emf = uniform_field_emf(e_north_V_km, e_east_V_km, self.line_length_north_km, self.line_length_east_km)
        emf = np.zeros(line_emf.shape[:-1] + (self.network.branch_resistance_ohm.size,))
        emf[..., self.line_branch] = line_emf
        return emf

    def substation_gic_A(self, e_north_V_km, e_east_V_km):
        """Earth GIC at substations 1-8 (..., 8), 0 where a substation has no grounded neutral."""
        solution = self.network.solve(self.line_emf_V(e_north_V_km, e_east_V_km))
        out = np.zeros(solution.ground_gic_A.shape[:-1] + (len(HORTON_2012_SUBSTATIONS),))
        for substation, node in self.neutral_node_of_substation.items():
            out[..., substation - 1] = solution.ground_gic_A[..., node]
        return out


def horton_2012_network(distance_method: str = "horton") -> HortonNetwork:
    """The Horton et al. (2012) test network at winding level (see module docstring)."""
    dc_buses = sorted({b for line in HORTON_2012_LINES for b in line[:2]}
                      | {t[2] for t in HORTON_2012_TRANSFORMERS}
                      | {t[3] for t in HORTON_2012_TRANSFORMERS if t[1] in ("gy", "auto")})
    node_names = [f"bus {b}" for b in dc_buses]
    node_of_bus = {b: i for i, b in enumerate(dc_buses)}
    earthing = [np.inf] * len(dc_buses)  # bus bars touch earth only through transformer neutrals
    neutral_node = {}
    for substation in sorted({HORTON_2012_BUS_SUBSTATION[t[2]] for t in HORTON_2012_TRANSFORMERS}):
        neutral_node[substation] = len(node_names)
        node_names.append(f"neutral {substation}")
        earthing.append(HORTON_2012_SUBSTATIONS[substation][2])

    branch_from, branch_to, branch_r = [], [], []

    def add(a, b, per_phase_r):
        branch_from.append(a)
        branch_to.append(b)
        branch_r.append(per_phase_r)

    for bus_from, bus_to, r in HORTON_2012_LINES:
        add(node_of_bus[bus_from], node_of_bus[bus_to], r)
    for _name, kind, hv_bus, lv_bus, w1, w2 in HORTON_2012_TRANSFORMERS:
        neutral = neutral_node[HORTON_2012_BUS_SUBSTATION[hv_bus]]
        if kind == "gsu":
            add(node_of_bus[hv_bus], neutral, w1)
        elif kind == "gy":
            add(node_of_bus[hv_bus], neutral, w1)
            add(node_of_bus[lv_bus], neutral, w2)
        else:  # auto
            add(node_of_bus[hv_bus], node_of_bus[lv_bus], w1)
            add(node_of_bus[lv_bus], neutral, w2)

    network = GICNetwork(earthing, branch_from, branch_to, three_phase_resistance(branch_r))
    n_lines = len(HORTON_2012_LINES)
    sub_from = [HORTON_2012_BUS_SUBSTATION[line[0]] for line in HORTON_2012_LINES]
    sub_to = [HORTON_2012_BUS_SUBSTATION[line[1]] for line in HORTON_2012_LINES]
    lat = {s: v[0] for s, v in HORTON_2012_SUBSTATIONS.items()}
    lon = {s: v[1] for s, v in HORTON_2012_SUBSTATIONS.items()}
    l_north, l_east = line_extent_km([lat[s] for s in sub_from], [lon[s] for s in sub_from],
                                     [lat[s] for s in sub_to], [lon[s] for s in sub_to], method=distance_method)
    return HortonNetwork(network=network, node_names=tuple(node_names), neutral_node_of_substation=neutral_node,
                         line_node_from=np.array(branch_from[:n_lines]), line_node_to=np.array(branch_to[:n_lines]),
                         line_length_north_km=l_north, line_length_east_km=l_east, line_branch=np.arange(n_lines))
