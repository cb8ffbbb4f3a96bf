"""Named, independent random streams derived from the one user-given seed.

Each part of the generator draws from its own ``Generator(PCG64(...))`` so that changing one
part does not shift the random numbers of another, and each month of orders has its own stream.
"""

from __future__ import annotations

import numpy as np

_STREAMS = {"reference": 1, "customers": 2, "orders": 3, "trickle": 4}


def stream(seed: int, name: str, *sub: int) -> np.random.Generator:
    """The random generator for stream ``name`` (and sub-stream ``sub``, e.g. a month index)."""
    sequence = np.random.SeedSequence(seed, spawn_key=(_STREAMS[name], *sub))
    return np.random.Generator(np.random.PCG64(sequence))
