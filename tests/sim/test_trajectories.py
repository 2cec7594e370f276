"""Agent fields and the trajectory output: CF indexed ragged arrays and PedPy text."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from sim.fields import FieldSet, FieldSpec
from sim.grid import RasterGrid
from sim.io.trajectories import TrajectoryWriter
from sim.schedules import EverySeconds

SPECS = (
    FieldSpec("agent_id", at="agent", units="1", intent="out", doc="person id", running_max=False),
    FieldSpec("agent_x", at="agent", units="m", intent="out", doc="x of the person", running_max=False),
    FieldSpec("agent_y", at="agent", units="m", intent="out", doc="y of the person", running_max=False),
    FieldSpec("agent_speed", at="agent", units="m s-1", intent="out", doc="walking speed", running_max=False),
)


class Crowd:
    """Three slots; person 7 walks east from t = 0, person 9 enters slot 2 at t = 1 s, person 7
    leaves at t = 2 s and person 11 takes his slot."""

    fields = SPECS
    agent_capacity = 3

    def place(self, state, t):
        for name in ("agent_id", "agent_x", "agent_y", "agent_speed"):
            state[name][...] = np.nan
        if t < 2.0:
            state["agent_id"][0], state["agent_x"][0], state["agent_y"][0] = 7, 1.0 + 1.3 * t, 5.0
            state["agent_speed"][0] = 1.3
        else:
            state["agent_id"][0], state["agent_x"][0], state["agent_y"][0] = 11, 0.5, 0.5
            state["agent_speed"][0] = 0.0
        if t >= 1.0:
            state["agent_id"][2], state["agent_x"][2], state["agent_y"][2] = 9, 8.0, 8.0 - (t - 1.0)
            state["agent_speed"][2] = 1.0


def test_agent_fields_have_one_slot_per_agent_and_start_empty():
    state = FieldSet.for_models(RasterGrid(shape=(4, 4), spacing_m=(1.0, 1.0)), [Crowd()])
    assert state["agent_x"].shape == (3,) and np.isnan(state["agent_x"]).all()
    with pytest.raises(ValueError, match="needs the number of agent slots"):
        FieldSet(RasterGrid(shape=(2, 2), spacing_m=(1.0, 1.0))).add(SPECS[1])


def test_trajectories_follow_persons_not_slots(tmp_path):
    crowd = Crowd()
    state = FieldSet.for_models(RasterGrid(shape=(10, 10), spacing_m=(1.0, 1.0)), [crowd])
    writer = TrajectoryWriter(tmp_path / "trajectories.nc", ["agent_x", "agent_y", "agent_speed"],
                              EverySeconds(0.5), every_s=0.5, start_datetime="2000-01-01T00:00:00",
                              global_attrs={"title": "test"})
    view = state.view()
    writer.open(view)
    for k in range(7):  # t = 0 ... 3 s
        crowd.place(state, 0.5 * k)
        writer.write(view, 0.5 * k)
    writer.close()
    with xr.open_dataset(tmp_path / "trajectories.nc", decode_times=False) as ds:
        assert ds.attrs["featureType"] == "trajectory"
        assert ds.trajectory_index.attrs["instance_dimension"] == "trajectory"
        ids = ds.trajectory_id.values[ds.trajectory_index.values]
        assert sorted(set(ids.tolist())) == [7, 9, 11]
        seven = ids == 7
        np.testing.assert_allclose(ds.x.values[seven], 1.0 + 1.3 * ds.time.values[seven])
        assert ds.time.values[seven].max() == 1.5 and ds.time.values[ids == 11].min() == 2.0
        np.testing.assert_allclose(ds.agent_speed.values[ids == 9], 1.0)
    lines = (tmp_path / "trajectories.txt").read_text().splitlines()
    assert lines[0] == "# framerate: 2" and lines[1] == "# id frame x/m y/m z/m"
    rows = np.loadtxt(lines[2:])
    assert rows.shape == (4 + 5 + 3, 5)  # person 7 in frames 0-3, 9 in 2-6, 11 in 4-6
    first_nine = rows[rows[:, 0] == 9][0]
    assert first_nine[1] == 2 and first_nine[2] == pytest.approx(8.0) and first_nine[3] == pytest.approx(8.0)
    assert not list(tmp_path.glob("*.part*"))


def test_a_trajectories_output_without_agents_is_refused_in_one_line(tmp_path):
    import subprocess
    import sys

    from sim.paths import bundled_scenarios

    text = bundled_scenarios()["chlorine_tank_leak"].read_text()
    path = tmp_path / "bad.toml"
    path.write_text(text + '\n[[outputs]]\nkind = "trajectories"\nfields = ["gas_concentration"]\nevery_s = 10.0\n')
    done = subprocess.run([sys.executable, "-m", "sim.cli", "check", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not an agent field" in done.stderr and "outputs.1.fields" in done.stderr
