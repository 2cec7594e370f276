"""The ensemble's catalog (``catalog.csv``) and its Croissant description (``dataset.json``).

One row per member: index, id, stratum, split, seed, status, the member's parameters
(``param.<dotted key>``), its key outputs from the member's manifest (``out.peak.<field>``,
the field's maximum over space and time; ``out.area_ever_at_level_m2.<field>.<level>``;
``out.sensors.<group>.alarmed`` and the like; ``out.<model>.<key>``, the scalar figures of
each model's report, such as the Dst minimum or the flood's mass balance), wall
time, configuration hash and files (paths relative to the ensemble folder, ``;``-separated).

Splits are by member: all the frames and files of a member share its ``split``, so no frame
of a test member can leak into training. ``test_ood`` holds the members in the parameter
range the ensemble file reserved as out of distribution.

``dataset.json`` follows Croissant 1.0 (MLCommons, Akhtar et al. 2024): the catalog as a
``cr:FileObject`` with its sha256, the member NetCDF files (and recordings and strong labels,
where members have microphones) as ``cr:FileSet``, and one
``cr:RecordSet`` whose fields are the catalog's columns.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import sim
from sim.ensemble.design import Member
from sim.io.rundir import sha256_of, write_text_atomic

CATALOG = "catalog.csv"
CROISSANT = "dataset.json"
FIXED_COLUMNS = ("member", "member_id", "stratum", "split", "seed", "status")
TAIL_COLUMNS = ("simulated_time_s", "steps", "wall_time_s", "config_sha256", "run_folder", "files")


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}", item, out)
    elif isinstance(value, bool | int | float | str):
        out[prefix] = value


def member_row(ensemble, member: Member, folder: Path, status: str) -> dict[str, Any]:
    from sim.ensemble.execute import MEMBERS, read_manifest

    run = folder / MEMBERS / member.id
    row: dict[str, Any] = {"member": member.index, "member_id": member.id, "stratum": member.stratum,
                           "split": member.split, "seed": member.seed, "status": status}
    for key, value in member.values.items():
        row[f"param.{key}"] = value if isinstance(value, bool | int | float | str) else json.dumps(value)
    manifest = read_manifest(run) if status == "complete" else None
    if manifest is not None:
        _flatten("out", manifest.get("key_outputs") or {}, row)
        for model, report in (manifest.get("models") or {}).items():
            _flatten(f"out.{model}", report, row)
        row.update({"simulated_time_s": manifest.get("simulated_time_s"), "steps": manifest.get("steps"),
                    "wall_time_s": manifest.get("wall_time_s"), "config_sha256": manifest.get("config_sha256"),
                    "run_folder": f"{MEMBERS}/{member.id}",
                    "files": ";".join(f"{MEMBERS}/{member.id}/{f['path']}" for f in manifest.get("files", []))})
    return row


def catalog_rows(ensemble, folder: Path, statuses: dict[str, str]) -> tuple[list[str], list[dict[str, Any]]]:
    rows = [member_row(ensemble, m, folder, statuses.get(m.id, "pending")) for m in ensemble.members]
    params, outputs = [], []
    for row in rows:
        for key in row:
            if key.startswith("param.") and key not in params:
                params.append(key)
            elif key.startswith("out.") and key not in outputs:
                outputs.append(key)
    return [*FIXED_COLUMNS, *params, *outputs, *TAIL_COLUMNS], rows


def write_catalog(ensemble, folder: Path, statuses: dict[str, str]) -> Path:
    columns, rows = catalog_rows(ensemble, folder, statuses)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    path = folder / CATALOG
    write_text_atomic(path, buffer.getvalue())
    return path


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("nan" if math.isnan(value) else repr(value))
    return value


_CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated",
    "replace": "cr:replace", "samplingRate": "cr:samplingRate", "separator": "cr:separator", "source": "cr:source",
    "subField": "cr:subField", "transform": "cr:transform",
}


def _data_type(values: list[Any]) -> str:
    present = [v for v in values if v not in (None, "")]
    if present and all(isinstance(v, bool) for v in present):
        return "sc:Boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "sc:Integer"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "sc:Float"
    return "sc:Text"


def _audio_file_sets(folder: Path) -> list[dict[str, Any]]:
    """File sets for the members' recordings and strong labels, when the members have microphones."""
    if not any((folder / "members").glob("m*/audio/labels.tsv")):
        return []
    return [
        {"@type": "cr:FileSet", "@id": "member-audio", "name": "member-audio", "encodingFormat": "audio/wav",
         "includes": "members/*/audio/*.wav", "description": "each member's microphone recordings"},
        {"@type": "cr:FileSet", "@id": "member-sound-labels", "name": "member-sound-labels",
         "encodingFormat": "text/tab-separated-values", "includes": "members/*/audio/labels.tsv",
         "description": "DCASE strong labels (filename, onset, offset, event_label) of each member's recordings"},
    ]


def _image_file_sets(folder: Path) -> list[dict[str, Any]]:
    """File sets for the members' frames and COCO annotations, when the members have cameras."""
    if not any((folder / "members").glob("m*/images/coco.json")):
        return []
    return [
        {"@type": "cr:FileSet", "@id": "member-frames", "name": "member-frames", "encodingFormat": "image/png",
         "includes": "members/*/images/*/*/*.png",
         "description": "each member's camera frames, semantic and instance masks (images/<camera>/<view>/)"},
        {"@type": "cr:FileSet", "@id": "member-coco", "name": "member-coco", "encodingFormat": "application/json",
         "includes": "members/*/images/coco.json", "description": "COCO instance annotations of each member's frames"},
    ]


def write_croissant(ensemble, folder: Path, statuses: dict[str, str]) -> Path:
    """``dataset.json``: a Croissant 1.0 description of the catalog and member files."""
    catalog = folder / CATALOG
    with open(catalog, newline="", encoding="utf-8") as fh:
        columns = next(csv.reader(fh))
    _, rows = catalog_rows(ensemble, folder, statuses)
    spec = ensemble.spec
    fields = []
    for column in columns:
        description = {"member": "member index", "split": "train | validation | test | test_ood (by member)",
                       "status": "complete | failed | incomplete | error | pending"}.get(column, "")
        if column.startswith("param."):
            description = f"sampled or set scenario key {column[6:]}"
        elif column.startswith("out."):
            description = f"key output {column[4:]} from the member's manifest"
        fields.append({"@type": "cr:Field", "@id": f"members/{column}", "name": column,
                       "description": description or column.replace("_", " "),
                       "dataType": _data_type([r.get(column) for r in rows]),
                       "source": {"fileObject": {"@id": CATALOG}, "extract": {"column": column}}})
    body = {
        "@context": _CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": spec.ensemble.name,
        "description": spec.ensemble.description or f"hazsim ensemble of {len(ensemble.members)} members of "
                                                    f"{ensemble.base.stem}",
        "license": spec.ensemble.license,
        "url": folder.resolve().as_uri(),
        "version": "1.0.0",
        "creator": {"@type": "sc:Organization", "name": f"hazsim {sim.__version__}"},
        "keywords": ["synthetic data", "disaster", "safety", "simulation", ensemble.base.stem],
        "distribution": [
            {"@type": "cr:FileObject", "@id": CATALOG, "name": CATALOG, "contentUrl": CATALOG,
             "encodingFormat": "text/csv", "sha256": sha256_of(catalog),
             "description": "one row per member: parameters, seed, stratum, split, status, key outputs, files"},
            {"@type": "cr:FileSet", "@id": "member-fields", "name": "member-fields",
             "encodingFormat": "application/x-netcdf", "includes": "members/*/*.nc",
             "description": "CF-1.10 NetCDF fields and sensor series of each member (members/<member_id>/)"},
        ] + _audio_file_sets(folder) + _image_file_sets(folder),
        "recordSet": [{"@type": "cr:RecordSet", "@id": "members", "name": "members", "key": {"@id": "members/member"},
                       "description": "the ensemble's members", "field": fields}],
    }
    path = folder / CROISSANT
    write_text_atomic(path, json.dumps(body, indent=1) + "\n")
    return path
