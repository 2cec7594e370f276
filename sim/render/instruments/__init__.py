"""Instrument models by sensor kind: ``[[sensors]] kind = ...`` in a scenario.

Each entry maps a kind to ``"module:Class"``; the class implements
:class:`sim.render.instruments.base.Instrument`. Modules are imported when first used.
"""

from __future__ import annotations

from sim.lazy import load

INSTRUMENTS: dict[str, str] = {
    # gas
    "electrochemical": "sim.render.instruments.gas:Electrochemical",
    "metal_oxide": "sim.render.instruments.gas:MetalOxide",
    "catalytic_lel": "sim.render.instruments.gas:CatalyticLEL",
    "ndir_lel": "sim.render.instruments.gas:NdirLEL",
    # water
    "ultrasonic_level": "sim.render.instruments.water:UltrasonicLevel",
    "radar_level": "sim.render.instruments.water:RadarLevel",
    "tipping_bucket": "sim.render.instruments.water:TippingBucket",
    # fire
    "thermocouple": "sim.render.instruments.fire:Thermocouple",
    "heat_detector": "sim.render.instruments.fire:HeatDetector",
    "smoke_detector": "sim.render.instruments.fire:SmokeDetector",
    # crowd
    "line_counter": "sim.render.instruments.crowd:LineCounter",
    "camera_count": "sim.render.instruments.crowd:CameraCount",
    # geomagnetic
    "magnetometer": "sim.render.instruments.geomagnetic:Magnetometer",
}


def instrument_class(kind: str) -> type:
    return load(INSTRUMENTS[kind])


def instrument_kinds() -> list[str]:
    return sorted(INSTRUMENTS)
