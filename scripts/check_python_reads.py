#!/usr/bin/env python3
"""Check that safetensors files (for example ones written by the Swift writer) load in Python.

    python3 scripts/check_python_reads.py PATH... [--framework pt|numpy] [--expect EXPECTED.json]

PATH is a .safetensors file or a folder (all its *.safetensors files, sorted).  Each file is opened
with `safetensors.safe_open` and every tensor materialized with `get_tensor`.  Prints JSON:

    {"safetensors_version": "...", "framework": "pt",
     "files": [{"path": "...", "metadata": {...} | null,
                "tensors": [{"name", "dtype", "shape", "sha256"}]}]}   # tensors sorted by name

`dtype` and `shape` are as the header states them (safetensors spelling: F32, BF16, F8_E4M3, F4, ...);
`sha256` is the SHA-256 of the tensor's raw little-endian bytes as Python loaded them.

With --expect FILE (an expected.json with a "tensors" list, as in Fixtures/python-safetensors/), the
name/dtype/shape/sha256 of every tensor of the (single) PATH are compared with it.

Exit status: 0 if everything loaded (and matched), 1 otherwise (the reason on stderr).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path


def tensor_sha256(t, framework: str) -> str:
    if framework == "pt":
        import torch

        t = t.detach().contiguous().reshape(-1)
        raw = b"" if t.numel() == 0 else t.view(torch.uint8).numpy().tobytes()
    else:
        import numpy as np

        a = np.ascontiguousarray(t)
        if a.dtype.byteorder == ">":
            a = a.byteswap().view(a.dtype.newbyteorder("<"))
        raw = a.tobytes()
    return hashlib.sha256(raw).hexdigest()


def read_file(path: Path, framework: str) -> dict:
    from safetensors import safe_open

    with safe_open(str(path), framework=framework) as f:
        metadata = f.metadata()
        tensors = []
        for name in sorted(f.keys()):
            sl = f.get_slice(name)
            tensor = f.get_tensor(name)
            tensors.append(
                {
                    "name": name,
                    "dtype": sl.get_dtype(),
                    "shape": list(sl.get_shape()),
                    "sha256": tensor_sha256(tensor, framework),
                }
            )
    return {"path": str(path), "metadata": metadata, "tensors": tensors}


def expand(paths: list[str]) -> list[Path]:
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.glob("*.safetensors")))
        else:
            out.append(p)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--framework", choices=["pt", "numpy"], default="pt")
    ap.add_argument("--expect", help="expected.json with a 'tensors' list to compare with")
    args = ap.parse_args()

    import safetensors

    files = expand(args.paths)
    if not files:
        print("error: no .safetensors files found", file=sys.stderr)
        return 1
    results = []
    for path in files:
        try:
            results.append(read_file(path, args.framework))
        except Exception as e:  # noqa: BLE001
            print(f"error: {path}: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
    json.dump(
        {"safetensors_version": safetensors.__version__, "framework": args.framework, "files": results},
        sys.stdout,
        indent=1,
    )
    sys.stdout.write("\n")

    if args.expect:
        expected = json.loads(Path(args.expect).read_text())
        want = {t["name"]: t for t in expected["tensors"]}
        got = {t["name"]: t for r in results for t in r["tensors"]}
        problems = []
        for name in sorted(set(want) | set(got)):
            if name not in got:
                problems.append(f"{name}: missing from the file")
            elif name not in want:
                problems.append(f"{name}: not in {args.expect}")
            else:
                for field in ("dtype", "shape", "sha256"):
                    if want[name][field] != got[name][field]:
                        problems.append(f"{name}: {field} {got[name][field]} != expected {want[name][field]}")
        if "metadata" in expected and len(results) == 1 and expected["metadata"] != results[0]["metadata"]:
            problems.append(f"metadata {results[0]['metadata']} != expected {expected['metadata']}")
        if problems:
            for p in problems:
                print(f"mismatch: {p}", file=sys.stderr)
            return 1
        print(f"ok: {len(got)} tensors match {args.expect}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
