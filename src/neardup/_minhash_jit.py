"""The MinHash inner loop compiled with numba (optional: ``pip install 'neardup[fast]'``).

Imported only by :mod:`neardup.sketch`, which falls back to numpy when numba is missing or
broken. Compiled code is cached on disk (numba's ``cache=True``), so only the first scan after an
install pays for compiling.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def minhash_rows(hashes, firsts, a, b, out):  # type: ignore[no-untyped-def]
    """``out[g]`` = min over the hashes of group ``g`` of ``a·h + b`` mod 2³², per permutation.

    Groups are the runs ``hashes[firsts[g]:firsts[g + 1]]``. The loop over permutations is
    innermost so the compiler turns it into vector instructions (about 9x numpy's outer product).
    """
    n_perm = a.shape[0]
    best = np.empty(n_perm, dtype=np.uint32)
    for g in range(firsts.shape[0]):
        stop = firsts[g + 1] if g + 1 < firsts.shape[0] else hashes.shape[0]
        best[:] = np.uint32(0xFFFFFFFF)
        for j in range(firsts[g], stop):
            h = hashes[j]
            for i in range(n_perm):
                value = np.uint32(a[i] * h + b[i])
                if value < best[i]:
                    best[i] = value
        out[g, :] = best
