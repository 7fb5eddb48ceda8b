#!/usr/bin/env python3
"""Cold loads of the plain and the compressed checkpoint at several disk speeds: where does a
compressed checkpoint (fewer bytes to read, but decoding to do) start to load faster?

    python3 scripts/bench-crossover.py [CHECKPOINT_DIR] [--rates 250,500,1000,0] [--runs 2]

CHECKPOINT_DIR (default /tmp/pretrained-bench/full) and its `-zstd` and `-lz4` variants come from
`pretrained-bench --size full`. A slower disk is made with the cgroup v1 block-I/O throttle
(`blkio.throttle.read_bps_device` of a cgroup under /sys/fs/cgroup/blkio, for the device that holds
the checkpoint): each load runs in that cgroup, reading at most RATE MB/s; rate 0 is unthrottled.
Before every load the files of all three variants are evicted from the page cache
(posix_fadvise(DONTNEED)). Needs root and cgroup v1's blkio; a tool, never a dependency.

Loads: `pretrained load DIR --copy` (plain, owned, the reads of issue 19) and `pretrained load
DIR-zstd` / `DIR-lz4` (compressed shards are always decoded into owned memory). Prints the
median wall time of each, per rate, and the ratio plain / compressed (above 1: compressed wins).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

CGROUP = "/sys/fs/cgroup/blkio/pretrained-crossover"


def shards(directory):
    return [os.path.join(directory, name) for name in sorted(os.listdir(directory))
            if ".safetensors" in name and not name.endswith(".json")]


def evict(directories):
    for directory in directories:
        for path in shards(directory):
            fd = os.open(path, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)


def device_of(path):
    st = os.stat(path)
    return f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}"


def whole_disk(device):
    """The disk a partition belongs to (the throttle applies to whole disks)."""
    link = os.path.realpath(f"/sys/dev/block/{device}")
    if os.path.exists(os.path.join(link, "partition")):
        with open(os.path.join(os.path.dirname(link), "dev")) as f:
            return f.read().strip()
    return device


def timed_load(pretrained, arguments, rate, device):
    with open(os.path.join(CGROUP, "blkio.throttle.read_bps_device"), "w") as f:
        f.write(f"{device} {rate * 1_000_000 if rate else 0}\n")
    script = f'echo $$ > {CGROUP}/cgroup.procs && exec "$0" "$@"'
    start = time.perf_counter()
    subprocess.run(["sh", "-c", script, pretrained, "load", *arguments], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", nargs="?", default="/tmp/pretrained-bench/full")
    parser.add_argument("--rates", default="250,500,1000,0", help="MB/s, comma-separated; 0 is unthrottled")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--pretrained", default=".build/release/pretrained")
    args = parser.parse_args()
    if not os.path.isdir("/sys/fs/cgroup/blkio"):
        sys.exit("error: no cgroup v1 blkio controller at /sys/fs/cgroup/blkio (needs root and cgroup v1)")
    variants = {"plain --copy": [args.checkpoint, "--copy"], "zstd": [args.checkpoint + "-zstd"],
                "lz4": [args.checkpoint + "-lz4"]}
    os.makedirs(CGROUP, exist_ok=True)
    device = whole_disk(device_of(shards(args.checkpoint)[0]))
    sizes = {name: sum(os.path.getsize(p) for p in shards(arguments[0])) for name, arguments in variants.items()}
    rates = [int(r) for r in args.rates.split(",")]
    results = {}
    try:
        for _ in range(args.runs):
            for rate in rates:
                for name, arguments in variants.items():
                    evict([a[0] for a in variants.values()])
                    results.setdefault((rate, name), []).append(timed_load(args.pretrained, arguments, rate, device))
    finally:
        with open(os.path.join(CGROUP, "blkio.throttle.read_bps_device"), "w") as f:
            f.write(f"{device} 0\n")
        os.rmdir(CGROUP)  # empty again: each load ran in it and has exited
    print(f"checkpoint: {args.checkpoint}; bytes read: " + ", ".join(f"{n} {sizes[n] / 1e9:.2f} GB" for n in variants)
          + f"; cold, {args.runs} runs, medians; device {device}")
    print(f"{'disk':>12} " + " ".join(f"{name:>13}" for name in variants) + f" {'plain/zstd':>11} {'plain/lz4':>10}")
    for rate in rates:
        medians = {name: statistics.median(results[(rate, name)]) for name in variants}
        label = f"{rate} MB/s" if rate else "unthrottled"
        print(f"{label:>12} " + " ".join(f"{medians[n]:12.2f}s" for n in variants)
              + f" {medians['plain --copy'] / medians['zstd']:11.2f} {medians['plain --copy'] / medians['lz4']:10.2f}")


if __name__ == "__main__":
    main()
