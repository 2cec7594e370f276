"""Images and video: cameras in the scene, physical views, per-pixel ground truth, COCO labels.

- :mod:`sim.render.images.layers`: what the models make visible (``visual_layers`` in each
  model's ``visuals.py``);
- :mod:`sim.render.images.cameras`: orthographic and pinhole cameras, rays cast on the terrain;
- :mod:`sim.render.images.radiometry`: Planck band radiance, thermal and gas imaging, smoke;
- :mod:`sim.render.images.views`: the visible, thermal and OGI views of a frame;
- :mod:`sim.render.images.annotations`, :mod:`sim.render.images.encode`,
  :mod:`sim.render.images.randomize`: masks and COCO, PNG and video, domain randomisation;
- :mod:`sim.render.images.renderer`: the writer that puts them together.
"""
