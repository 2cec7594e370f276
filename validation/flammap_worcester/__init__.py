"""Fire behaviour on a real landscape against FlamMap: Worcester, Vermont (LANDFIRE 2020/2022)."""
