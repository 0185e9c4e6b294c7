"""Time forward + backward of rnncore's numpy LSTM, GRU and RNN against torch.nn.LSTM/GRU/RNN.

    python benchmarks/bench_cells.py            # T=100, B=64, D=128, H=256, float32 and float64
    python benchmarks/bench_cells.py --quick    # a smoke run on small sizes

Each measurement runs in its own child process (numpy's and torch's idle worker threads slow
each other down when they share one), with 2 threads on both sides (``--threads`` changes it):
OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS are set to 2 before numpy or torch is
imported in the child, and the torch child also calls torch.set_num_threads(2). Any other
environment variable (for example OPENBLAS_CORETYPE) is passed through unchanged.

The table gives the median of several runs, the ratio numpy / torch, and each time as a
multiple of the arithmetic floor: the GEMM FLOPs of forward + backward, 6 T B (G H) (D + H) for
G gate blocks, divided by the GEMM rate numpy reaches in this run on a (T B, H) x (H, G H)
product. Times are wall-clock: on a busy machine they are inflated, so read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# numpy comes in with rnncore; a child's thread variables are in its environment from the start
from rnncore.nn.cells import CELLS

THREADS = 2  # the default; --threads changes it (set in each child's environment)


def child_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


def run_child(args: list[str], threads: int) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", *args]
    env = child_env(threads)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- children: each imports numpy (and torch) only after the thread variables are set ------


def time_runs(fn, repeats: int) -> list[float]:
    fn()  # warm-up: allocations, thread pools, first-touch of buffers
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def child_numpy(cell: str, dtype: str, T: int, B: int, D: int, H: int, repeats: int) -> dict:
    import numpy as np

    from rnncore.nn.recurrent import Recurrent

    rng = np.random.default_rng(0)
    layer = Recurrent(cell, D, H, dtype=np.dtype(dtype), seed=0)
    x = rng.normal(size=(T, B, D)).astype(dtype)
    d_out = rng.normal(size=(T, B, H)).astype(dtype)

    def step() -> None:
        layer.forward(x)
        layer.backward(d_out)

    return {"times": time_runs(step, repeats)}


def child_torch(cell: str, dtype: str, T: int, B: int, D: int, H: int, repeats: int) -> dict:
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    torch.manual_seed(0)
    tdtype = {"float32": torch.float32, "float64": torch.float64}[dtype]
    cls = getattr(torch.nn, CELLS[cell].torch_class)
    module = cls(D, H).to(tdtype)
    x = torch.randn(T, B, D, dtype=tdtype, requires_grad=True)
    d_out = torch.randn(T, B, H, dtype=tdtype)

    def step() -> None:
        module.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = module(x)
        out.backward(d_out)

    return {"times": time_runs(step, repeats)}


def child_gemm(dtype: str, T: int, B: int, H: int, G: int, repeats: int) -> dict:
    """The GEMM rate (FLOP/s) numpy reaches on the benchmark's largest product shape."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.normal(size=(T * B, H)).astype(dtype)
    b = rng.normal(size=(H, G * H)).astype(dtype)
    out = np.empty((T * B, G * H), dtype=dtype)
    times = time_runs(lambda: np.matmul(a, b, out=out), max(repeats, 5))
    return {"flops_per_s": 2.0 * T * B * H * G * H / min(times)}


def child_main(argv: list[str]) -> None:
    kind, cell, dtype, *sizes = argv
    T, B, D, H, repeats = (int(s) for s in sizes)
    if kind == "numpy":
        result = child_numpy(cell, dtype, T, B, D, H, repeats)
    elif kind == "torch":
        result = child_torch(cell, dtype, T, B, D, H, repeats)
    else:
        result = child_gemm(dtype, T, B, H, CELLS[cell].blocks, repeats)
    print(json.dumps(result))


# ---- parent -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 runs: a smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per measurement")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads on both sides")
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--dtypes", default="float32,float64")
    args = parser.parse_args()
    T, B, D, H = (10, 8, 16, 32) if args.quick else (100, 64, 128, 256)
    repeats = args.repeats or (3 if args.quick else 7)
    cells = args.cells.split(",")
    dtypes = args.dtypes.split(",")
    load0 = os.getloadavg()
    print(f"forward + backward, T={T} B={B} D={D} H={H}; median of {repeats} runs after a warm-up")
    n = args.threads
    print(
        f"threads: {n} on both sides (OPENBLAS/OMP/MKL_NUM_THREADS={n} in each child, "
        f"torch.set_num_threads({n})); one child process per measurement"
    )
    rates = {}
    for dt in dtypes:
        rates[dt] = run_child(["gemm", "lstm", dt, str(T), str(B), str(D), str(H), "5"], n)
    for dt in dtypes:
        print(f"numpy GEMM rate, {dt}: {rates[dt]['flops_per_s'] / 1e9:.1f} GFLOP/s")
    header = (
        f"{'cell':<5} {'dtype':<8} {'numpy ms':>9} {'torch ms':>9} {'numpy/torch':>12} "
        f"{'numpy/floor':>12} {'torch/floor':>12}"
    )
    print()
    print(header)
    print("-" * len(header))
    for cell in cells:
        for dt in dtypes:
            sizes = [str(T), str(B), str(D), str(H), str(repeats)]
            ours = statistics.median(run_child(["numpy", cell, dt, *sizes], n)["times"])
            theirs = statistics.median(run_child(["torch", cell, dt, *sizes], n)["times"])
            flops = 6.0 * T * B * CELLS[cell].blocks * H * (D + H)
            floor = flops / rates[dt]["flops_per_s"]
            print(
                f"{cell:<5} {dt:<8} {ours * 1e3:9.1f} {theirs * 1e3:9.1f} {ours / theirs:12.2f} "
                f"{ours / floor:12.2f} {theirs / floor:12.2f}",
                flush=True,
            )
    load1 = os.getloadavg()
    print()
    print(
        f"load average (1 min) {load0[0]:.1f} at start, {load1[0]:.1f} at end, on "
        f"{os.cpu_count()} CPUs: a load above the CPU count inflates and scatters the times"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        main()
