"""Measured data sets, resolved by name.

A data set is found in this order:

1. ``$HAZSIM_DATA_DIR/<name>/`` when every file is there. CI and developers
   share one read-only folder, so nothing is downloaded or copied into the
   repository.
2. The user cache ``pooch.os_cache("hazsim")/<name>/`` when every file is there
   with its registered sha256 (files downloaded by an earlier call).
3. A download from the public source into that cache with pooch, checked
   against the same sha256. ``download=False`` or ``HAZSIM_OFFLINE=1`` turns
   this step off (the tests do).

Files are checked against their sha256 wherever they are found, so a
validation result never rests silently on altered data. A file may be kept
gzip-compressed as ``<file>.gz`` in a local folder; its sha256 is still that of
the file itself, so the download and the compressed copy are checked alike. Any
failure is a one-line :class:`DataUnavailable` that says what to do.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pooch

__all__ = ["DATASETS", "DataSet", "DataUnavailable", "cache_dir", "dataset_dir", "dataset_file", "open_text",
           "resolve_path"]


class DataUnavailable(Exception):
    """A measured data set cannot be found, verified or downloaded (the message is one line)."""


@dataclass(frozen=True)
class DataSet:
    """A named set of files with their sha256 and the public place they come from."""

    name: str
    files: dict[str, str]  # local file name -> sha256 hex
    base_url: str
    remote_names: dict[str, str] = field(default_factory=dict)  # local name -> remote name, where they differ
    citation: str = ""

    def url(self, filename: str) -> str:
        return self.base_url + self.remote_names.get(filename, filename)


DATASETS: dict[str, DataSet] = {
    ds.name: ds
    for ds in [
        DataSet(
            name="gas/prairie_grass",
            files={
                "PGARCS.txt": "d79bc678d0e5ba409039d7a864d7664c1d38564344453fe872c20f8fa2cfcfb4",
                "PGrassEvapLossTABLE_5_4.txt": "b883821e5d06c43bd9bddd2df44682765c09035ed75d5fbeebb7b410f182e746",
                "PG_meteo_modelParamList.txt": "e2454d6da7a7ea7301b96f7aecf10e5dc23b341c014427053c40b65de1ef7b27",
            },
            base_url="https://raw.githubusercontent.com/GuBij/dataAssimLangevin/"
            "564fe114f955521c2fa2f5c98528a45599549d1c/Data/inputFiles/",
            remote_names={"PG_meteo_modelParamList.txt": "modelParamList.txt"},
            citation="Barad, M.L. (ed.) 1958, Project Prairie Grass, a Field Program in Diffusion, "
            "Geophysical Research Papers No. 59, AFCRC-TR-58-235, US Air Force Cambridge Research "
            "Center; digital copy from GitHub GuBij/dataAssimLangevin (commit 564fe11), "
            "G. Bijloos 2022, PhD thesis, KU Leuven.",
        ),
        DataSet(
            name="flood/ea_test5_lisflood",
            files={
                "ea5-10m.dem.raw.gz": "2b71e6a8540e6fb52fa2447c3a06773b789948e0847c6bc749811d331d22131b",
                "ea5-10m.bci": "26a799edc5431c87473d3bbb3faf74a6e46cbebae8b01a4f3fa56e304b5426dd",
                "ea5.bdy": "a24d3af3504463c6353a996bb0b673da6c4d595d929dcc69095c8c6222fc4e58",
                "ea5.stage": "82b84143b91c8ebb20fa9f5904e49821aeacd5b01c95a0f59fa4323022de65dc",
            },
            base_url="https://raw.githubusercontent.com/ci1xgk/Fellowship_Webpage/"
            "47d23c05bf293d71375da039f3263e5996d973e7/Data/T06/",
            citation="Neelz, S. & Pender, G. 2013, Benchmarking the latest generation of 2D hydraulic modelling "
            "packages, Environment Agency report SC120002, test 5; DEM, inflow and points as distributed with "
            "LISFLOOD-FP 8.1 (Shaw et al. 2021, GMD 14:3577).",
        ),
        DataSet(
            name="flood/malpasset",
            files={
                "malpasset_26000_merged.tsh": "df27d0ff76607291818eaed8e19a4f9a0d6edcafe01ba06f8b396bb92787951f",
            },
            # The ANUGA ASCII triangulation of the EDF/TELEMAC mesh. The gauges, the dam line and
            # the initial level are published figures, kept in validation/malpasset/case.toml.
            base_url="https://raw.githubusercontent.com/stoiver/anuga_malpasset/"
            "3ff7d8cd52895ba0263ed719c09d1bd2974db9ef/",
            citation="Hervouet & Petitjean 1999 (J. Hydraul. Res. 37:777): topography of the EDF/TELEMAC "
            "Malpasset case (26,000-element mesh), as distributed with github stoiver/anuga_malpasset.",
        ),
        DataSet(
            name="geomag/omni_hourly_1998_2002",
            files={"omni_1998_2002_hourly.csv": "d28b9de8db835e333fb76999a6fee9fd6113ee2fb391205c976ccb8f875b021c"},
            base_url="https://raw.githubusercontent.com/spacedr/dst_rnn/698bb519d0beb23813eefebb7ae6875515a862c0/data/",
            remote_names={"omni_1998_2002_hourly.csv": "omni.csv"},
            citation="NASA GSFC SPDF OMNI hourly solar wind (King & Papitashvili 2005, JGR 110:A02104) with Kyoto "
            "Dst (WDC for Geomagnetism, Kyoto), 1998-2002, as compiled by P. Wintoft (github spacedr/dst_rnn).",
        ),
        DataSet(
            name="geomag/dst_kp_2006_2022",
            files={
                "dst_kyoto_wdc_2006_2022.dat": "fac8a618e9bb29e8f9d19dadbcc3a7fc2416b14333465128493d295d86f37e23",
                "kp_gfz_2006_2022.csv": "464327c837dfbf81e29bf337433f3f99eeab33098b349381dd821c7f2e1384bc",
            },
            base_url="https://raw.githubusercontent.com/Eugene-van-Berd/GeoClimate_EMS/"
            "f516c28c4e3523b7c7cc64574f92e53481e59ac0/data/raw/",
            remote_names={"dst_kyoto_wdc_2006_2022.dat": "WDC_Kyoto.dat", "kp_gfz_2006_2022.csv": "GFZ_Potsdam_Kp.csv"},
            citation="Dst: WDC for Geomagnetism, Kyoto (final to 2020, provisional 2021-2022); Kp: GFZ Potsdam, "
            "Matzka et al. 2021 (Space Weather 19:e2020SW002641), CC BY 4.0.",
        ),
        DataSet(
            name="geomag/omni2_2023",
            files={"omni2_2023.dat": "ded7685526e33e871273c3f562f65adbbe05dac35c12526ef8e0a21f8a2bdad9"},
            base_url="https://raw.githubusercontent.com/LuizFillip/PlanetaryIndices/"
            "707d404deaed56483757ed1548a8648dd2baa2c1/src/omni/data/",
            citation="NASA GSFC SPDF OMNI2 hourly data, 2023 (King & Papitashvili 2005, JGR 110:A02104).",
        ),
        DataSet(
            name="geomag/symh_storm_benchmark",
            files={
                "symh_5min_test_storms_with_1h_forecast.csv":
                    "6d2c579b31b5b49f92f445af88a472b36995abf8ad58c807b02720ded3fa5444",
            },
            base_url="https://raw.githubusercontent.com/Redxgit/sym-h-confidence-intervals/"
            "3cc099a7e24f916dc5b9ac88fdb5b44ad49cfb5f/predictions/",
            remote_names={"symh_5min_test_storms_with_1h_forecast.csv": "old_split_model_1h_sym_test.csv"},
            citation="SYM-H (WDC Kyoto) of 36 test storms 1998-2015 with the 1-h-ahead deep-learning forecast of "
            "Collado-Villaverde, Munoz & Cid (Space Weather 2023/2024), github Redxgit/sym-h-confidence-intervals.",
        ),
        DataSet(
            name="crowd/jupedsim_validation/test_13/experiments",
            files={
                "2006EG.txt": "b04f85bcde102e50f556c92cf904ac8b9fada80bd1883cfed90b693941ffca01",
                "2006Kretz.txt": "267d30c8e0a5a5eeaad81470ffbd71c6dbe8a61c6bd06fe80db6aae7b8376b6d",
                "2009Seyfried.txt": "dfc40412a504e6dec9a6499bd38237cd577c099c5314b9b579808c147e1549ac",
            },
            base_url="https://raw.githubusercontent.com/PedestrianDynamics/jupedsim/18a653af941a20bee06bf87503bbcdd26dfd1122/"
            "systemtest/Validation/test_13/experiments/",
            citation="Bottleneck flow against width: Kretz, Gruenebohm & Schreckenberg 2006, J. Stat. Mech. P10014 "
            "(2006Kretz); Seyfried et al. 2009, Transp. Sci. 43:395 (2009Seyfried); 2006EG (source label "
            "unidentified); as tabulated in github PedestrianDynamics/jupedsim systemtest/Validation/test_13 "
            "(commit 18a653af, LGPL-3.0-or-later).",
        ),
        DataSet(
            name="crowd/jupedsim_validation/test_13/experiments/others",
            files={
                "1981Mueller.txt": "c9a0e0f4edad3bbc9873eaff36d80a125c5c6ce067ae56acd8d224a865d92ccc",
                "2006Nagai.txt": "ff26da6a38fd5075bde2a95cb067138230f680bf77e381c6c8bf39e83ea41330",
                "2010Daamen.txt": "eae75e1747783e8ab289f7c196dc1443d2f8c217ca4223549d34e9c42ecdbd75",
            },
            base_url="https://raw.githubusercontent.com/PedestrianDynamics/jupedsim/18a653af941a20bee06bf87503bbcdd26dfd1122/"
            "systemtest/Validation/test_13/experiments/others/",
            citation="Bottleneck flow against width: Mueller 1981; Nagai et al. 2006; Daamen & Hoogendoorn 2010; as "
            "tabulated in github PedestrianDynamics/jupedsim systemtest/Validation/test_13 (commit 18a653af, "
            "LGPL-3.0-or-later).",
        ),
        DataSet(
            name="crowd/jupedsim_validation/1test_1D/data",
            files={
                "n14.dat": "3cd6c4a788e1da13966f0ccdfc52a3c472858a2e0bc57bff8d880f42f78354f2",
                "n17.dat": "70bba50a6d97f31ca9c77b5c55b1c7be761c3a8e7021015a0767b9a09a7f8f71",
                "n20.dat": "2b9a21e8e2a03bc204b623700397c268f4c16324aa2fbfd1b65b9ab43515052c",
                "n22.dat": "4f92494fd840abac6c9af477ee8c3fb04ff2121efe40f8d434f424e5703a8c6f",
                "n25.dat": "42af1a72d0cfb80b7d6dc8c6f5ff3d889c3cd63048a38264fbcdf321dcf01452",
                "n28.dat": "4c8d08e86a1be2f29eac68dbcaac903147dde67ea6402068d8d3a54d81193143",
                "n34.dat": "dbbb7c64713a21f22a44e0e4b62f49951506f636d6572576bde733eb1b276ea5",
                "n39.dat": "6adae62b7084e1df07653ae6de2ca3926ebfb602afbd382865a78a64c29530e7",
                "n45.dat": "f879d27ad039dcf53c25fcf1e46262dd27765b5d2a1028ab5de47394f14418c2",
                "n56.dat": "12f3f346b4fbd1546105704ff709ccdb5f8e3339d970a34322fba85a12573ece",
                "n62.dat": "ad1c399b655ddec511d644c0ef7732e26606cbf60b905fa976bb65beb785508f",
                "n70.dat": "b97e5ed405c08a040983a9af38ff0670e3c02a020c1319b04f558256de7416b1",
            },
            base_url="https://raw.githubusercontent.com/PedestrianDynamics/jupedsim/18a653af941a20bee06bf87503bbcdd26dfd1122/"
            "systemtest/Validation/1test_1D/data/",
            citation="Single-file fundamental diagram (density 1/m, speed m/s), N persons on a ring, Juelich "
            "single-file experiments (e.g. Seyfried et al. 2005, J. Stat. Mech. P10002; which run belongs to which "
            "paper is not verified); github PedestrianDynamics/jupedsim systemtest/Validation/1test_1D "
            "(commit 18a653af, LGPL-3.0-or-later).",
        ),
        DataSet(
            name="crowd/jupedsim_validation/2test_2D/data",
            files={
                "ug-180-015.txt": "c5f757fc7b3b3d4683f3b3229890786dea897a38f3ab9509b25e6d7539ede9eb",
                "ug-180-030.txt": "0b682066ccd44242d90454f369743dbe60c678f5ccb962fb6074643d3844971e",
                "ug-180-060.txt": "c2377d7e921ea41f13af6b0581a3ede81e4e8e61d8c1170c23bfa7a3bda99edb",
                "ug-180-085.txt": "55cc8fd9facaddc900b6e7b13ad1492cb8c87cb1442b8726dcf8b7d9c13fe778",
                "ug-180-095.txt": "fff3460b8670634860c68dc619c793cb965d90c899e385b4f5348a134e069e13",
                "ug-180-110_v2.txt": "13650e8ceb52bfe8c7e172c9eede7dde8526162624e3eac79a6c02943c6d9f52",
                "ug-180-140.txt": "6361614463717de0eb3749811c26d2556006be231c9cbcba53c1fbbde2dd6d20",
                "ug-180-230.txt": "301fb97bdd072a2379bd4b0c03f8c46995fcd28b1852aff83deb81159d96975c",
            },
            base_url="https://raw.githubusercontent.com/PedestrianDynamics/jupedsim/18a653af941a20bee06bf87503bbcdd26dfd1122/"
            "systemtest/Validation/2test_2D/data/",
            citation="HERMES closed-loop corridor 1.8 m (ug-180-*), density 1/m^2 and speed m/s; Zhang, Klingsch, "
            "Schadschneider & Seyfried 2011, J. Stat. Mech. P06004 (HERMES 2009 corridor experiments, Juelich "
            "Pedestrian Dynamics Data Archive ped.fz-juelich.de/da); github PedestrianDynamics/jupedsim "
            "systemtest/Validation/2test_2D (commit 18a653af, LGPL-3.0-or-later).",
        ),
        DataSet(
            name="crowd/jupedsim_validation/3test_UO/data",
            files={
                "uo-080-300-300.dat": "71f1464ed4972eb38911457ab0f35bc2246bfbb8b2f103c55451460f6fbc9147",
                "uo-100-300-300.dat": "d5841614856b6a6bd14a60f7593e093fd2a1465cc80ce454f5c33b8d8190dbdc",
                "uo-120-300-300.dat": "bf37de66c87a2fa99c0f4fbb1b9e0d4d7ac98d5219e605b877dfb12724eb3fc4",
                "uo-180-300-300.dat": "811b12a509a4c8ac6c036aa0e58afa8f847f01a1dd8753b2fcaafd1cb4b78efa",
                "uo-240-300-300.dat": "29edcd2c7d438d24bd187d02c319745a06ba7e650ed94fd5f756e768de2ec7d6",
                "uo-300-300-080.dat": "9ff5f1cde248dda1aa140eaf79ebc9c640df2b074607101bd9dd6f6320429eb0",
                "uo-300-300-120.dat": "7452e237b2d35284c4aaeb1f586696521c650b698b251c1b08683b4b2dbbbb98",
                "uo-300-300-160.dat": "ed60dd8c4b8d5a96851b6fc5f7a6cf74c191c410235667c78116fa62adb86108",
                "uo-300-300-200.dat": "cead9d4cb772815e94aaa1d48e114c11b5eedcc62c080cd7dbaa0e830e99b67f",
                "uo-300-300-300.dat": "e4aac12d1ca1aea0559def815faeece2393a087091cd974f09ec051c189a0cea",
            },
            base_url="https://raw.githubusercontent.com/PedestrianDynamics/jupedsim/18a653af941a20bee06bf87503bbcdd26dfd1122/"
            "systemtest/Validation/3test_UO/data/",
            citation="HERMES unidirectional corridor 3.0 m (uo-*), density 1/m^2 and speed m/s; Zhang, Klingsch, "
            "Schadschneider & Seyfried 2011, J. Stat. Mech. P06004 (HERMES 2009 corridor experiments, Juelich "
            "Pedestrian Dynamics Data Archive ped.fz-juelich.de/da); github PedestrianDynamics/jupedsim "
            "systemtest/Validation/3test_UO (commit 18a653af, LGPL-3.0-or-later).",
        ),
        DataSet(
            name="crowd/pedpy_demo/bottleneck",
            files={
                "040_c_56_h-.txt": "aa36fd35f4af8f729441488415d7e558035fded26b3f060b051cbc20a85b4a67",
            },
            base_url="https://raw.githubusercontent.com/PedestrianDynamics/PedPy/8179b4b39e7c1e09eeb6b7d0f4e41f66e98cd6e4/"
            "notebooks/demo-data/bottleneck/",
            citation="Entrance-bottleneck experiment 040_c_56_h- (Adrian et al. 2020, J. R. Soc. Interface 17:20190871; "
            "DOI 10.34735/ped.2018.1), PeTrack trajectories in m at 25 fps, from the PedPy demo data (github "
            "PedestrianDynamics/PedPy commit 8179b4b, MIT).",
        ),
        DataSet(
            name="crowd/pedpy_demo/uni-directional",
            files={
                "traj_UNI_CORR_500_01.txt": "8b97309a9eddf218e3d791ab9c35c381210b0febe984e2a7784a173263843690",
                "uo-050-180-180.txt": "444cf174d1023050f436ed2192eb32ee79397bafee4ac752c2af7bb2472ccc17",
                "uo-100-180-180.txt": "c295b33f9ea632b1f01b99e0db76ef111d16db7e9423f35be9dffc64e8a7c47f",
                "uo-145-180-180.txt": "60b60a090b6d097e31ff01ec0c23fd2e4ae889392bf94c660e6f4066c702a9e6",
                "uo-180-180-070.txt": "e520a93409c16226cf5f7b95a8a06beaf0d447caaabd5a4df4963cfa21516c9c",
                "uo-180-180-095.txt": "6ef980de738e925c140918beb435f8fcd9e0bd0dd1e68ead25808c1529f13869",
                "uo-180-180-120.txt": "8c2dc7c275246abd67576ead1c98edb0a01eb12b8074f7042cd5d3ab88c4089b",
                "uo-180-180-180.txt": "8036c017394046303bf2ef6ff5b91c71f484c6438e14311bccf437a364045746",
            },
            base_url="https://raw.githubusercontent.com/PedestrianDynamics/PedPy/8179b4b39e7c1e09eeb6b7d0f4e41f66e98cd6e4/"
            "notebooks/demo-data/uni-directional/",
            citation="Unidirectional corridors: HERMES uo-* (headerless, cm, 16 fps; Zhang, Klingsch, Schadschneider & "
            "Seyfried 2011, J. Stat. Mech. P06004 (HERMES 2009 corridor experiments, Juelich Pedestrian Dynamics "
            "Data Archive ped.fz-juelich.de/da)) and BaSiGo Wuppertal 2013 UNI_CORR_500_01 (m, 25 fps); from the "
            "PedPy demo data (github PedestrianDynamics/PedPy commit 8179b4b, MIT).",
        ),
        DataSet(
            name="wildfire/reference",
            files={
                "behave_surface_reference.csv": "896006882922de14b4e2e70e3b84b170330051cad10a7b0641850d3e92cb673f",
                "behave_crown_scott_reinhardt_reference.csv":
                    "9fcfdfa33bf8d626243c1a27394158923f2f2eabf8d62ba24e05b38c2830b853",
            },
            base_url="",  # generated with behave; no public copy of these tables
            citation="Tables generated with the USFS behave library (github firelab/behave, commit d963287f, public "
            "domain): 53 fuel models x 4 moisture scenarios x 4 winds x 2 slopes, and Scott & Reinhardt crown runs; "
            "regenerate them with behave to run these checks",
        ),
        DataSet(
            name="wildfire/measured/annaburroo_1986",
            files={"Plot_Average_Data.csv": "4425d11fe970e263d400b7a9d089b8eea70bda4de4a1e29cbeedea28bc727934"},
            base_url="https://raw.githubusercontent.com/yazidears/Ginger/b8174012cacb4334970e3fdb73e6f82de4bb09cd/"
            "data/ginger-o1/annaburroo/",
            citation="Gould, Cruz & Sullivan 2023, 1986 Annaburroo Experimental Grassland Fire Data, CSIRO Data "
            "Access Portal, https://doi.org/10.25919/ycd3-w209 (CC BY 4.0); the fires of Cheney, Gould & "
            "Catchpole 1993, 1998.",
        ),
        DataSet(
            name="wildfire/measured/crown_fire_alexander_cruz_2006",
            files={"Alexander_and_Cruz_2006.csv": "f680598979d2bf385797bb6538fef0c61b8315537ac5e61910146cab7fcf5148"},
            base_url="https://raw.githubusercontent.com/firemodels/exp/ba9a1737f259ad9af39a6f7e6b45ec97b02858a9/"
            "Crown_Fires/",
            citation="Alexander & Cruz 2006, Can. J. For. Res. 36:3015 (57 active crown fires), as tabulated in the "
            "NIST FDS validation repository github firemodels/exp.",
        ),
        DataSet(
            name="wildfire/reference/flammap_worcester_vt/landfire_inputs",
            files={
                "LC20_Asp_220.tif": "ac506c8c9ba514037e22c908b156c685a5e3d5451318b8911354f734c923f1c9",
                "LC20_Elev_220.tif": "2c1a80d92924c6ad1041fb8fafd7e3b0a0c7d612932aa93600e968cc3d4911a9",
                "LC20_SlpP_220.tif": "302d96b3a8be3a40e78a12b4aa96e484523a9449f94c009165d2c43740d5d517",
                "LC22_CBD_230.tif": "cf3ba330ee64df114b3c19f0e9b10554755ce84ff558b23f4ea5ed87a2987de1",
                "LC22_CBH_230.tif": "d8c75e9cf4fffc5c5f670c9fc7f51c477546fcabd1d83d98aa0361e1383c6389",
                "LC22_CC_230.tif": "90ab8dac78086711fab14d6e3b03d2202b3a717a56f345b84f7e9637bda2bca7",
                "LC22_CH_230.tif": "9afa0a63fd3aa4779500ae350c5df66db9ea290bbb650aa94c08ce417e878ff8",
                "LC22_F40_230.tif": "866b8c3b46837a8fb86f95a5858b50252ba2fc141cc33e0d28efd9923f6941db",
            },
            base_url="https://raw.githubusercontent.com/pyregence/pyretechnics/333d2cc191b6e35dc86f399b7fae61341a2c3ffe/test/data/landfire_inputs/",
            remote_names={
                "LC20_Asp_220.tif": "LF2020_Asp_220_CONUS/LC20_Asp_220.tif",
                "LC20_Elev_220.tif": "LF2020_Elev_220_CONUS/LC20_Elev_220.tif",
                "LC20_SlpP_220.tif": "LF2020_SlpP_220_CONUS/LC20_SlpP_220.tif",
                "LC22_CBD_230.tif": "LF2022_CBD_230_CONUS/LC22_CBD_230.tif",
                "LC22_CBH_230.tif": "LF2022_CBH_230_CONUS/LC22_CBH_230.tif",
                "LC22_CC_230.tif": "LF2022_CC_230_CONUS/LC22_CC_230.tif",
                "LC22_CH_230.tif": "LF2022_CH_230_CONUS/LC22_CH_230.tif",
                "LC22_F40_230.tif": "LF2022_FBFM40_230_CONUS/LC22_F40_230.tif",
            },
            citation="LANDFIRE 2020/2022 (US Government, public domain) for Worcester, Vermont, 613 x 549 cells of "
            "30 m, as distributed with pyregence/pyretechnics (EPL-2.0) test data, commit 333d2cc.",
        ),
        DataSet(
            name="wildfire/reference/flammap_worcester_vt/flammap_outputs",
            files={
                "ROS_ch_hr.tif": "a2bef0337931054a6ab94dbac656c55787300acc772a6f2ce97e115113fca87e",
                "FL_ft.tif": "5c3e4dda45dfaec0faeacef50753c3060f6433b3472e078e195255a1fa6e44c0",
                "FLI_BTU_ft-s.tif": "4172a3cda6047e543a0bef5d7bfe2ea24802823fc49b4464f600071643f7c615",
                "fire_type.tif": "289cd70000cd531f873c6ad6616cb5fe20f10bdd8780b1e362e949513c8bb1fa",
                "max_spread_direction_radians.tif": "823761bf1405e1d5766b7ef2aa28af6ffd1d8b3e839b6636d9a601646f47eafd",
            },
            base_url="https://raw.githubusercontent.com/pyregence/pyretechnics/333d2cc191b6e35dc86f399b7fae61341a2c3ffe/test/data/flammap_outputs/",
            citation="USFS FlamMap 6 basic fire behaviour of the Worcester VT landscape (20-ft wind 0 mi/h, moisture "
            "6/8/10/75/60 %, foliar 120 %, Finney crown method), from pyregence/pyretechnics test data.",
        ),
    ]
}


def cache_dir() -> Path:
    """The user cache that downloads go to (a function so tests can point it elsewhere)."""
    return Path(pooch.os_cache("hazsim"))


def _sha256(path: Path, fname: str | None = None) -> str:
    """sha256 of the file registered as ``fname``: the decompressed content when ``path`` is
    the compressed copy ``<fname>.gz`` of it."""
    compressed_copy = fname is not None and path.name == f"{fname}.gz"
    with (gzip.open(path, "rb") if compressed_copy else path.open("rb")) as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _stored(folder: Path, fname: str) -> Path | None:
    """The file ``fname`` in ``folder``, as it is or gzip-compressed; None when neither is there."""
    for path in (folder / fname, folder / f"{fname}.gz"):
        if path.is_file():
            return path
    return None


def _offline() -> bool:
    return os.environ.get("HAZSIM_OFFLINE", "").strip().lower() not in ("", "0", "false", "no")


def _one_line(exc: BaseException) -> str:
    # Network errors carry multi-line messages; the CLI prints ours as a single line.
    return " ".join(str(exc).split()) or type(exc).__name__


def dataset_dir(name: str, *, download: bool = True) -> Path:
    """The folder holding every file of data set ``name``, verified against its sha256.

    >>> dataset_dir("no/such_set")
    Traceback (most recent call last):
    ...
    sim.io.data.DataUnavailable: unknown data set 'no/such_set' (known: crowd/jupedsim_validation/1test_1D/data, crowd/jupedsim_validation/2test_2D/data, crowd/jupedsim_validation/3test_UO/data, crowd/jupedsim_validation/test_13/experiments, crowd/jupedsim_validation/test_13/experiments/others, crowd/pedpy_demo/bottleneck, crowd/pedpy_demo/uni-directional, flood/ea_test5_lisflood, flood/malpasset, gas/prairie_grass, geomag/dst_kp_2006_2022, geomag/omni2_2023, geomag/omni_hourly_1998_2002, geomag/symh_storm_benchmark, wildfire/measured/annaburroo_1986, wildfire/measured/crown_fire_alexander_cruz_2006, wildfire/reference, wildfire/reference/flammap_worcester_vt/flammap_outputs, wildfire/reference/flammap_worcester_vt/landfire_inputs)
    """
    ds = DATASETS.get(name)
    if ds is None:
        raise DataUnavailable(f"unknown data set {name!r} (known: {', '.join(sorted(DATASETS))})")

    env = os.environ.get("HAZSIM_DATA_DIR", "").strip()
    if env:
        folder = Path(env).expanduser() / name
        if all(_stored(folder, f) is not None for f in ds.files):
            for fname, sha in ds.files.items():
                path = _stored(folder, fname)
                if _sha256(path, fname) != sha:
                    raise DataUnavailable(
                        f"data set {name!r}: {path} does not match its registered sha256 "
                        f"(altered or wrong version); restore the raw file or unset HAZSIM_DATA_DIR to download it")
            return folder
    looked = f"$HAZSIM_DATA_DIR/{name} ({env or 'unset'})"

    cache = cache_dir() / name
    if all((cache / f).is_file() and _sha256(cache / f) == sha for f, sha in ds.files.items()):
        return cache

    if not ds.base_url:
        raise DataUnavailable(f"data set {name!r} not found in {looked}; it has no public download: {ds.citation}")
    if not download or _offline():
        why = "download=False" if not download else "HAZSIM_OFFLINE is set"
        raise DataUnavailable(
            f"data set {name!r} not found in {looked} or the cache {cache}, and downloads are off ({why}); "
            f"set HAZSIM_DATA_DIR to a folder holding {name}/, or allow network access to download it")
    for fname, sha in ds.files.items():
        try:
            pooch.retrieve(ds.url(fname), known_hash=f"sha256:{sha}", fname=fname, path=cache)
        except (OSError, ValueError) as exc:  # requests errors are OSErrors; a hash mismatch is a ValueError
            raise DataUnavailable(
                f"data set {name!r}: download of {fname} from {ds.url(fname)} failed ({_one_line(exc)}); "
                f"check network access, or set HAZSIM_DATA_DIR to a folder holding {name}/") from None
    return cache


def dataset_file(name: str, filename: str, *, download: bool = True) -> Path:
    """The path of one file of data set ``name`` (see :func:`dataset_dir`): ``<file>.gz`` where
    only a compressed copy is kept (open it with :func:`open_text`)."""
    ds = DATASETS.get(name)
    if ds is not None and filename not in ds.files:
        raise DataUnavailable(f"data set {name!r} has no file {filename!r} (files: {', '.join(sorted(ds.files))})")
    folder = dataset_dir(name, download=download)
    return _stored(folder, filename) or folder / filename


def resolve_path(text: str) -> Path:
    """A file path, or ``data:<dataset>/<file>`` naming a file of a registered data set."""
    if text.startswith("data:"):
        name, _, filename = text[5:].rpartition("/")
        return dataset_file(name, filename)
    return Path(text)


def open_text(path: Path):
    """A data file opened for reading text, decompressed when its name ends in ``.gz``."""
    path = Path(path)
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")
