"""How fast this machine is right now, so timings from different days can be compared.

The project's shared machine ran a 2048 x 2048 float32 matrix product at anything from
64 to 349 GFLOP/s on different days, and training time follows that speed. A benchmark
that reports a time reports this figure beside it, measured with the same thread count.
"""

from __future__ import annotations

import statistics
import time

#: The protocol's reference machine speed (../shared/protocol.md): throughput and training
#: time are normalised to it, figure x REFERENCE_GFLOPS / measured GFLOP/s.
REFERENCE_GFLOPS = 169.0


def matmul_flops(repeats: int = 7, dtype: str = "float32") -> float:
    """FLOP/s of torch's 2048 x 2048 matmul in ``dtype``, median of ``repeats``."""
    import torch

    a = torch.randn(2048, 2048, dtype=getattr(torch, dtype))
    b = torch.randn(2048, 2048, dtype=getattr(torch, dtype))
    a @ b
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - started)
    return 2 * 2048**3 / statistics.median(times)
