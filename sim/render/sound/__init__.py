"""Sound: what microphones in the scene hear, computed from the physical fields.

- :mod:`sim.render.sound.bands`: one-third-octave bands and the :class:`AcousticSource` a
  model emits (``acoustic_sources(state, t)`` in each model's ``sources.py``);
- :mod:`sim.render.sound.propagation`: source to microphone (spreading, ISO 9613-1 air
  absorption, ground reflection, delay);
- the renderer, synthesis, distractors and strong labels.
"""
