#!/usr/bin/env python3
"""Time the Python loaders and `pretrained load` on the same checkpoint, in one sitting.

    python3 scripts/bench-peers.py [CHECKPOINT_DIR] [--runs N] [--pretrained PATH] [--json]
    python3 scripts/bench-peers.py [CHECKPOINT_DIR] --cold [--runs N]

CHECKPOINT_DIR defaults to the checkpoint `pretrained-bench --size full` creates
(/tmp/pretrained-bench/full); run the bench first. Each measurement runs in a fresh process, and
the cases alternate (Python peer, then `pretrained load` of the same files) so that page-cache and
machine state are shared fairly. Prints the median of --runs runs per case and the ratios.

Cases:
  safetensors.load_file    safetensors.torch.load_file over every shard (zero-copy, in-process)
  safetensors.pread        the same with backend="pread" (owned memory)
  from_pretrained.bf16     transformers AutoModelForCausalLM.from_pretrained(dir, dtype=bfloat16)
  from_pretrained.f32      the same with dtype=float32 from the bf16 files (a conversion)
Each reports in-process seconds; from_pretrained also reports its import time and whole-process
wall time, and peak resident memory (ru_maxrss).

With --cold, every run starts from an evicted page cache (posix_fadvise(DONTNEED) on every
shard, then mincore to check that at most 1% stayed resident) and the cases are the cold ones of
issue 19, each against `cat SHARDS > /dev/null` (the device's sequential read) in the same round:
  cat                      cat of the shards to /dev/null (the limit)
  fastsafetensors          fastsafetensors' SafeTensorsFileLoader, CPU, owned copies (nogds)
  safetensors.touch        safetensors load_file (mmap), then one byte of every page read
  pretrained --copy / --pread / --prefetch / --checksums / --pread --direct / --copy --buffered

A tool, never a dependency: it needs pip's torch==2.13.0+cpu, transformers and safetensors.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

PEER = r"""
import json, resource, sys, time
t0 = time.perf_counter()
case, directory = sys.argv[1], sys.argv[2]
import glob, os
shards = sorted(glob.glob(os.path.join(directory, "*.safetensors")))
if case.startswith("safetensors"):
    import torch
    from safetensors.torch import load_file
    t1 = time.perf_counter()
    backend = "pread" if case.endswith("pread") else "mmap"
    tensors = {}
    for shard in shards:
        tensors.update(load_file(shard, backend=backend))
    t2 = time.perf_counter()
else:
    import torch
    from transformers import AutoModelForCausalLM
    t1 = time.perf_counter()
    dtype = torch.bfloat16 if case.endswith("bf16") else torch.float32
    model = AutoModelForCausalLM.from_pretrained(directory, dtype=dtype)
    t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"import": t1 - t0, "seconds": t2 - t1, "peak": peak}))
"""


COLD_PEER = r"""
import json, sys, time, glob, os
case, directory = sys.argv[1], sys.argv[2]
shards = sorted(glob.glob(os.path.join(directory, "*.safetensors")))
import torch
if case == "fastsafetensors":
    from fastsafetensors import SafeTensorsFileLoader, SingleGroup
    t1 = time.perf_counter()
    loader = SafeTensorsFileLoader(SingleGroup(), "cpu", nogds=True)
    loader.add_filenames({0: shards})
    buffer = loader.copy_files_to_device()
    tensors = {key: buffer.get_tensor(key) for key in loader.get_keys()}
    t2 = time.perf_counter()
else:
    from safetensors.torch import load_file
    t1 = time.perf_counter()
    tensors = {}
    for shard in shards:
        tensors.update(load_file(shard))
    for tensor in tensors.values():
        flat = tensor.reshape(-1).view(torch.uint8)
        flat[::4096].sum()
    t2 = time.perf_counter()
print(json.dumps({"seconds": t2 - t1}))
"""


def shards_of(directory):
    return sorted(os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(".safetensors"))


def evict(directory):
    """Drops the shards from the page cache and fails unless at most 1% of their pages stay."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    page = os.sysconf("SC_PAGE_SIZE")
    resident = pages = 0
    for shard in shards_of(directory):
        fd = os.open(shard, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            size = os.fstat(fd).st_size
            if size == 0:
                continue
            base = libc.mmap(None, size, 1, 2, fd, 0)  # PROT_READ, MAP_PRIVATE
            if base in (None, ctypes.c_void_p(-1).value):
                raise OSError(ctypes.get_errno(), f"mmap {shard}")
            count = (size + page - 1) // page
            vector = (ctypes.c_ubyte * count)()
            code = libc.mincore(base, size, vector)
            libc.munmap(base, size)
            if code != 0:
                raise OSError(ctypes.get_errno(), f"mincore {shard}")
            resident += sum(v & 1 for v in vector)
            pages += count
        finally:
            os.close(fd)
    if pages and resident / pages > 0.01:
        sys.exit(f"error: eviction left {100 * resident / pages:.0f}% of the pages resident")


def back_free_memory(directory):
    """Touches and frees twice the checkpoint's size of fresh memory (the page cache and the owned
    copies, as the bench does). On a VM that reports free memory to its host (free page
    reporting), the first touch of reported blocks costs a host fault too, and whichever case
    first allocates after an idle spell would pay it (see BENCHMARKS.md)."""
    import mmap
    size = 2 * sum(os.path.getsize(p) for p in shards_of(directory)) + (256 << 20)
    # Private memory in huge pages, as the loads' own allocations: Python's default anonymous map is
    # shared (shmem), whose touch did not back the memory the loads then took (after it, a C
    # program's first touch of 4.7 GB still ran at 0.55 GB/s instead of 22; 2026-11-30).
    memory = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    memory.madvise(mmap.MADV_HUGEPAGE)
    page = mmap.PAGESIZE
    for offset in range(0, size, page):
        memory[offset] = 1
    memory.close()


def run_cold(case, directory, pretrained):
    back_free_memory(directory)
    evict(directory)
    start = time.perf_counter()
    if case == "cat":
        subprocess.run(["cat", *shards_of(directory)], check=True, stdout=subprocess.DEVNULL)
        return {"seconds": time.perf_counter() - start}
    if case.startswith("pretrained"):
        extra = case.split()[1:]
        subprocess.run([pretrained, "load", directory, "--json", *extra], check=True, stdout=subprocess.DEVNULL)
        return {"seconds": time.perf_counter() - start}
    out = subprocess.run([sys.executable, "-c", COLD_PEER, case, directory], check=True, capture_output=True, text=True)
    return {"seconds": json.loads(out.stdout.strip().splitlines()[-1])["seconds"]}


def main_cold(args):
    cases = ["cat", "fastsafetensors", "safetensors.touch", "pretrained --copy", "pretrained --pread",
             "pretrained --prefetch", "pretrained --checksums", "pretrained --pread --direct",
             "pretrained --copy --buffered"]
    results = {}
    for _ in range(args.runs):
        for case in cases:
            results.setdefault(case, []).append(run_cold(case, args.checkpoint, args.pretrained)["seconds"])
    median = {case: statistics.median(values) for case, values in results.items()}
    rows = [{"case": case, "median_seconds": median[case], "runs": results[case],
             "x_cat": median["cat"] / median[case], "x_fastsafetensors": median["fastsafetensors"] / median[case]}
            for case in cases]
    if args.json:
        print(json.dumps({"checkpoint": args.checkpoint, "runs": args.runs, "cold": True, "rows": rows}, indent=2))
        return
    print(f"checkpoint: {args.checkpoint}, cold (evicted before every run), {args.runs} runs each, round-robin, medians;"
          " wall time of the whole process for cat and pretrained, in-process for the Python peers")
    print(f"{'case':30} {'median':>9} {'x cat':>7} {'x fastsafetensors':>18}  runs")
    for r in rows:
        runs = " ".join(f"{v:.2f}" for v in r["runs"])
        print(f"{r['case']:30} {r['median_seconds']:8.3f}s {r['x_cat']:7.2f} {r['x_fastsafetensors']:18.2f}  {runs}")


def run_peer(case, directory):
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PEER, case, directory], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    return result


def run_ours(pretrained, directory, extra):
    start = time.perf_counter()
    out = subprocess.run([pretrained, "load", directory, "--json", *extra], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    return {"seconds": json.loads(out.stdout)["seconds"], "wall": wall, "import": 0.0, "peak": None}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", nargs="?", default="/tmp/pretrained-bench/full")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pretrained", default=".build/release/pretrained")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cold", action="store_true", help="the cold cases of issue 19 (evicted before every run)")
    args = parser.parse_args()
    if not os.path.isdir(args.checkpoint):
        sys.exit(f"error: {args.checkpoint} does not exist; run `swift run -c release pretrained-bench` first")
    if args.cold:
        main_cold(args)
        return

    pairs = [
        ("safetensors.load_file", []),
        ("safetensors.pread", ["--copy"]),
        ("from_pretrained.bf16", []),
        ("from_pretrained.f32", ["--dtype", "F32"]),
    ]
    results = {}
    for _ in range(args.runs):
        for case, extra in pairs:
            results.setdefault(case, []).append(run_peer(case, args.checkpoint))
            results.setdefault("pretrained " + case, []).append(run_ours(args.pretrained, args.checkpoint, extra))

    def median(case, key):
        values = [r[key] for r in results[case] if r[key] is not None]
        return statistics.median(values) if values else None

    rows = []
    for case, extra in pairs:
        ours = "pretrained " + case
        rows.append({
            "peer": case, "ours": f"pretrained load {' '.join(extra)}".strip(),
            "peer_seconds": median(case, "seconds"), "peer_import": median(case, "import"),
            "peer_wall": median(case, "wall"), "peer_peak": median(case, "peak"),
            "ours_seconds": median(ours, "seconds"), "ours_wall": median(ours, "wall"),
            "ratio_in_process": median(case, "seconds") / max(median(ours, "seconds"), 1e-9),
            "ratio_wall": median(case, "wall") / max(median(ours, "wall"), 1e-9),
            "ratio_wall_without_import": (median(case, "wall") - median(case, "import")) / max(median(ours, "wall"), 1e-9),
        })
    if args.json:
        print(json.dumps({"checkpoint": args.checkpoint, "runs": args.runs, "rows": rows}, indent=2))
        return
    print(f"checkpoint: {args.checkpoint}, {args.runs} runs each, alternating, medians")
    print(f"{'peer':24} {'in-process':>11} {'import':>8} {'process':>8} {'peak':>9} | {'ours':30} {'in-process':>11} {'process':>8} | "
          f"{'x faster in-proc':>16} {'x process':>9} {'x process-import':>16}")
    for r in rows:
        peak = f"{r['peer_peak'] / 2**20:.0f} MiB" if r["peer_peak"] else ""
        print(f"{r['peer']:24} {r['peer_seconds']:10.4f}s {r['peer_import']:7.3f}s {r['peer_wall']:7.3f}s {peak:>9} | "
              f"{r['ours']:30} {r['ours_seconds']:10.4f}s {r['ours_wall']:7.3f}s | "
              f"{r['ratio_in_process']:16.2f} {r['ratio_wall']:9.2f} {r['ratio_wall_without_import']:16.2f}")


if __name__ == "__main__":
    main()
