"""Placing persons without overlap: rejection sampling of candidate positions against the walls
and the bodies already placed, in the candidates' order (so a seed gives the same crowd)."""

from __future__ import annotations

import math

from numba import njit

from models.crowd.geometry import nearest_wall_point

@njit(cache=True)
def list_discs(disc_x, disc_y, m, ox, oy, h, ncx, ncy, head, next_disc):
    """Put discs 0..m-1 in the cell list (cells of side h from (ox, oy); head: first disc per cell)."""
    for q in range(m):
        c = disc_cell(disc_x[q], disc_y[q], ox, oy, h, ncx, ncy)
        next_disc[q] = head[c]
        head[c] = q


@njit(cache=True)
def disc_cell(x, y, ox, oy, h, ncx, ncy):
    i = min(max(int(math.floor((x - ox) / h)), 0), ncx - 1)
    j = min(max(int(math.floor((y - oy) / h)), 0), ncy - 1)
    return j * ncx + i


@njit(cache=True)
def accept_candidates(cx, cy, inside, radius, n, counts, disc_x, disc_y, disc_r, ox, oy, h, ncx, ncy, head,
                       next_disc, xs, ys, segments, start, segment_ids, x_b, y_b, hw, nbx, nby, reach):
    """Rejection sampling, in order: candidate j (inside the area) takes person counts[0] when
    that person's body (radius[counts[0]]) touches no wall and overlaps no listed disc; the
    person is then listed as a disc too. counts = [persons placed, discs listed], updated."""
    for j in range(cx.size):
        placed = counts[0]
        if placed >= n:
            return
        if not inside[j]:
            continue
        r = radius[placed]
        _, _, d, _ = nearest_wall_point(cx[j], cy[j], segments, start, segment_ids, x_b, y_b, hw, nbx, nby, reach)
        if not d > r:
            continue
        c = disc_cell(cx[j], cy[j], ox, oy, h, ncx, ncy)
        cj, ci = divmod(c, ncx)
        free = True
        for jj in range(max(cj - 1, 0), min(cj + 2, ncy)):
            for ii in range(max(ci - 1, 0), min(ci + 2, ncx)):
                q = head[jj * ncx + ii]
                while q >= 0:
                    if (cx[j] - disc_x[q]) ** 2 + (cy[j] - disc_y[q]) ** 2 < (r + disc_r[q]) ** 2:
                        free = False
                        break
                    q = next_disc[q]
                if not free:
                    break
            if not free:
                break
        if not free:
            continue
        m = counts[1]
        disc_x[m], disc_y[m], disc_r[m] = cx[j], cy[j], r
        next_disc[m] = head[c]
        head[c] = m
        counts[1] = m + 1
        xs[placed], ys[placed] = cx[j], cy[j]
        counts[0] = placed + 1
