"""Scenario tables of the sound renderer: ``[sound]``, ``[[microphones]]``, ``[[distractors]]``.

```toml
[sound]
every_s = 0.5                 # how often the sources are read from the fields
temperature_c = 15.0          # air, for absorption (ISO 9613-1) and the speed of sound
relative_humidity_pct = 70.0
ground = 0.8                  # energy reflection of the ground (1 hard, 0 none)
wind_speed_m_s = 3.0          # at the microphones: wind-screen noise

[[microphones]]
name = "fence"
position_m = [400.0, 1000.0]
height_m = 1.5
sample_rate_hz = 96000
self_noise_dba = 29.0         # equivalent self-noise, A-weighted
gain_db = 0.0
clip_spl_db = 130.0           # acoustic overload point: the WAV's full scale

[[distractors]]
kind = "siren"                # siren | alarm | traffic | wind
microphones = ["fence"]       # default: all
start_s = 120.0
end_s = 180.0
snr_db = 0.0                  # or spl_db: level at the microphone
```
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveFloat, model_validator

DISTRACTOR_KINDS = ("siren", "alarm", "traffic", "wind")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class SoundConfig(_Strict):
    every_s: PositiveFloat = Field(0.5, description="interval at which the sources are read from the fields")
    temperature_c: float = Field(15.0, ge=-40.0, le=50.0)
    relative_humidity_pct: float = Field(70.0, ge=1.0, le=100.0)
    pressure_kpa: float = Field(101.325, ge=50.0, le=110.0)
    ground: float = Field(0.8, ge=0.0, le=1.0, description="energy reflection coefficient of the ground plane z = 0")
    wind_speed_m_s: NonNegativeFloat = Field(0.0, description="wind at the microphones (wind-screen noise)")
    label_frame_s: PositiveFloat = Field(0.1, le=1.0, description="time resolution of the strong labels")


class MicrophoneConfig(_Strict):
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=60)
    position_m: tuple[float, float]
    height_m: NonNegativeFloat = 1.5
    sample_rate_hz: int = Field(48000, ge=16000, le=192000)
    self_noise_dba: float = Field(29.0, ge=-10.0, le=90.0, description="equivalent self-noise level, A-weighted")
    gain_db: float = Field(0.0, ge=-60.0, le=60.0)
    clip_spl_db: float = Field(130.0, ge=80.0, le=180.0, description="SPL of a sine at the WAV's full scale")
    windscreen_diameter_m: PositiveFloat = 0.09
    start_s: NonNegativeFloat = 0.0
    end_s: PositiveFloat | None = Field(None, description="end of the recording (default: the run's end)")

    @model_validator(mode="after")
    def _window(self):
        if self.end_s is not None and not self.end_s > self.start_s:
            raise ValueError(f"end_s = {self.end_s} must be after start_s = {self.start_s}")
        return self


class DistractorConfig(BaseModel):
    """A non-hazard sound at the microphones; keys other than these are the kind's options."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    kind: Literal["siren", "alarm", "traffic", "wind"]
    microphones: list[str] | None = None
    start_s: NonNegativeFloat = 0.0
    end_s: PositiveFloat | None = None
    snr_db: float | None = Field(None, description="level relative to the hazard sound at the microphone "
                                                   "(to the background where no hazard is heard)")
    spl_db: float | None = Field(None, ge=-20.0, le=160.0, description="equivalent level at the microphone")
    label: str | None = Field(None, pattern=r"^[A-Za-z0-9_]+$", description="event label (default: the kind)")

    @model_validator(mode="after")
    def _level(self):
        if (self.snr_db is None) == (self.spl_db is None):
            raise ValueError("give exactly one of snr_db or spl_db")
        if self.end_s is not None and not self.end_s > self.start_s:
            raise ValueError(f"end_s = {self.end_s} must be after start_s = {self.start_s}")
        return self

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})
