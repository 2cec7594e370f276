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
    sim.io.data.DataUnavailable: unknown data set 'no/such_set' (known: flood/ea_test5_lisflood, flood/malpasset, gas/prairie_grass, geomag/dst_kp_2006_2022, geomag/omni2_2023, geomag/omni_hourly_1998_2002, geomag/symh_storm_benchmark, wildfire/measured/annaburroo_1986, wildfire/measured/crown_fire_alexander_cruz_2006, wildfire/reference, wildfire/reference/flammap_worcester_vt/flammap_outputs, wildfire/reference/flammap_worcester_vt/landfire_inputs)
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
