#!/usr/bin/env python3
"""Generate the test fixtures under Tests/PretrainedTests/Fixtures/.

Python is a tool here, never a runtime dependency of the Swift package: this script is run by a
developer (pinned versions in scripts/requirements-tools.txt) and its output is committed.

    python3 scripts/make_fixtures.py            # everything
    python3 scripts/make_fixtures.py safetensors models cases configs   # some parts

Deterministic (fixed seeds, sorted JSON where order is not meaningful) and idempotent: each part
deletes and rewrites its own folder.  See Tests/PretrainedTests/Fixtures/README.md for the layout and
the schema of every expected.json. The work is done by the package scripts/fixtures/ (one module per
part or family group; shared helpers in scripts/fixtures/common.py).
"""

from __future__ import annotations

import sys

from fixtures.common import FIXTURES, safetensors, torch, transformers, write_json  # first: pins the environment
from fixtures.decoder_families import make_decoder_families
from fixtures.families import make_cases, make_models
from fixtures.quantized import make_quantized
from fixtures.safetensors_files import make_safetensors
from fixtures.skeletons import make_configs

PARTS = {
    "safetensors": make_safetensors,
    "models": make_models,
    "cases": make_cases,
    "configs": make_configs,
    "quantized": make_quantized,
    "decoder-families": make_decoder_families,  # after models, cases and configs, which reset its folders
}


def main(argv: list[str]) -> int:
    parts = argv or list(PARTS)
    for p in parts:
        if p not in PARTS:
            print(f"unknown part {p!r}; choose from {', '.join(PARTS)}", file=sys.stderr)
            return 2
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for p in parts:
        PARTS[p]()
    write_json(
        FIXTURES / "versions.json",
        {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "safetensors": safetensors.__version__,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
