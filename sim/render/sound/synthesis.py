"""Gaussian noise with a prescribed, time-varying one-third-octave spectrum.

The hazard sounds of the models (turbulent jets, flowing water, rain) are broadband random
signals: what a microphone can learn of them is their spectrum and how it evolves. They
are synthesised by shaping white Gaussian noise in the short-time Fourier domain (weighted
overlap-add, Crochiere 1980): frames of N samples with a hop of N/2 are windowed by
sqrt(Hann), transformed, multiplied by a gain per frequency bin, transformed back,
windowed again and overlap-added. sqrt(Hann)^2 = Hann sums to one at a hop of N/2, so a
unit gain returns the input noise exactly, and a gain g on a bin gives it the power
g^2 2 df / fs (df = fs / N) for white noise of unit variance. Each band's power P_b is spread
over the bins in proportion to the part of the band each bin covers (w_kb, summing to one
over k), so

    g_k = sqrt(sum_b w_kb P_b N / 2)

with P_b the band's mean-square pressure (Pa^2) at the frame's centre time.

N is about 170 ms of samples (8192 at 48 kHz, bins 5.9 Hz apart): shorter than the interval
at which the sources are read (0.5 s by default), long enough that the windows' spectral
leakage moves little power out of a one-third octave above about 200 Hz (within 4 %). Below,
a band spans only a few bins: part of its power lands in its neighbours and part is lost to
the windows' smoothing of so narrow a gain (at 48 kHz the 100 Hz band keeps 92 % of its
power, the 25 Hz band 80 %).

"""

from __future__ import annotations

import numpy as np

from sim.render.sound.bands import BAND_LOWER_HZ, BAND_UPPER_HZ


def frame_length(fs_hz: int) -> int:
    """A power of two near 170 ms of samples (8192 at 48 kHz, 32768 at 192 kHz)."""
    return 1 << int(round(np.log2(fs_hz * 8192 / 48000)))


def bin_weights(fs_hz: int, n_fft: int, n_bands: int) -> np.ndarray:
    """(bins, bands): the share of band b's power that rfft bin k carries.

    Bin k stands for the frequencies [f_k - df/2, f_k + df/2), df = fs / N; a band's power is
    spread over the bins in proportion to how much of the band each covers, so every band
    keeps its power exactly, also a low band narrower than a bin (25-40 Hz at 48 kHz). The DC
    bin carries nothing.
    """
    df = fs_hz / n_fft
    freqs = np.fft.rfftfreq(n_fft, 1.0 / fs_hz)
    lo = np.maximum(freqs - df / 2, 0.0)[:, None]
    hi = (freqs + df / 2)[:, None]
    overlap = np.clip(np.minimum(hi, BAND_UPPER_HZ[None, :n_bands]) - np.maximum(lo, BAND_LOWER_HZ[None, :n_bands]),
                      0.0, None)
    overlap[0] = 0.0
    width = (BAND_UPPER_HZ - BAND_LOWER_HZ)[:n_bands]
    weights = overlap / width
    return weights / weights.sum(axis=0)


class ShapedNoise:
    """A stream of noise whose band powers follow ``band_power(times) -> (len(times), n_bands)``.

    Call :meth:`render` for consecutive blocks; the overlap between blocks is carried over,
    so the stream is the same however it is cut into blocks.
    """

    def __init__(self, fs_hz: int, n_bands: int, rng: np.random.Generator, t0_s: float = 0.0) -> None:
        self.fs = fs_hz
        self.t0 = t0_s
        self.n = frame_length(fs_hz)
        self.hop = self.n // 2
        self.rng = rng
        # Gain^2 of bin k = (power it carries / df) fs / 2, since unit white noise has 2 df / fs per bin.
        self._weights_t = (bin_weights(fs_hz, self.n, n_bands) * (self.n / 2.0)).T.copy()  # (bands, bins)
        self.window = np.sqrt(np.hanning(self.n + 1)[:-1])  # periodic Hann, square-rooted
        self._tail = np.zeros(self.hop)
        self._frames_done = 0
        self._noise_tail = self.rng.standard_normal(self.hop)

    def render(self, n_samples: int, band_power) -> np.ndarray:
        """The next ``n_samples`` samples (a multiple of the hop, except in the last block)."""
        frames = -(-n_samples // self.hop)
        # Frame g of the stream lands on output samples g hop ... (g + 2) hop: centre (g + 1) hop.
        noise = np.concatenate([self._noise_tail, self.rng.standard_normal(frames * self.hop)])
        self._noise_tail = noise[-self.hop:]
        idx = np.arange(frames)[:, None] * self.hop + np.arange(self.n)[None, :]
        blocks = noise[idx] * self.window
        spectra = np.fft.rfft(blocks, axis=1)
        centres = self.t0 + (self._frames_done + 1 + np.arange(frames)) * self.hop / self.fs
        self._frames_done += frames
        power = np.asarray(band_power(centres), dtype=float)  # (frames, n_bands)
        gains = np.sqrt(np.maximum(power, 0.0) @ self._weights_t)
        out = np.fft.irfft(spectra * gains, n=self.n, axis=1) * self.window
        signal = out[:, :self.hop].copy()
        signal[0] += self._tail
        signal[1:] += out[:-1, self.hop:]
        self._tail = out[-1, self.hop:].copy()
        return signal.reshape(-1)[:n_samples]
