#!/usr/bin/env python3
"""Cross-load every committed tiny model into every other class of its family, with transformers and
with `pretrained load --json --checksums`, and compare (not CI; needs `swift build` first):

    python3 scripts/check_cross_loads.py [--binary .build/debug/pretrained]

For each (checkpoint, class) pair: state_dict names and order, SHA-256 and storage of every tensor the
checkpoint provides (randomly initialized ones are skipped), missing and unexpected keys, the tied map;
a pair that fails in transformers must fail in `pretrained` too. Prints one line per pair; exit 1 on
any difference.
"""

import json
import subprocess
import sys
from pathlib import Path

from fixtures.common import FIXTURES, describe_model, loading_info_json, transformers

root = str(FIXTURES / "models")
binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else str(
    Path(__file__).resolve().parent.parent / ".build" / "debug" / "pretrained")
groups = [
 ["BertModel","BertForMaskedLM","BertForSequenceClassification","BertForTokenClassification","BertForQuestionAnswering"],
 ["RobertaModel","RobertaForMaskedLM","RobertaForSequenceClassification"],
 ["XLMRobertaModel","XLMRobertaForMaskedLM","XLMRobertaForSequenceClassification"],
 ["DistilBertModel","DistilBertForMaskedLM","DistilBertForSequenceClassification"],
 ["MPNetModel","MPNetForMaskedLM"], ["ElectraModel","ElectraForPreTraining","ElectraForMaskedLM"],
 ["ModernBertModel","ModernBertForMaskedLM","ModernBertForSequenceClassification"],
 ["DebertaV2Model","DebertaV2ForMaskedLM"], ["BartModel","BartForConditionalGeneration"],
 ["WhisperModel","WhisperForConditionalGeneration"], ["ViTModel","ViTForImageClassification"],
 ["CLIPModel","CLIPTextModel","CLIPVisionModel","CLIPTextModelWithProjection","CLIPVisionModelWithProjection"],
 ["SiglipModel","SiglipTextModel","SiglipVisionModel"],
]
import logging  # noqa: E402

logging.getLogger("transformers").setLevel(logging.ERROR)
differences = 0
for g in groups:
    for src in g:
        for cls_name in g:
            if src == cls_name: continue
            folder = f"{root}/{src}"
            try:
                m, info = getattr(transformers, cls_name).from_pretrained(folder, output_loading_info=True)
                ref = describe_model(m); ri = loading_info_json(info); err = None
            except Exception as e:
                err = type(e).__name__
            out = subprocess.run([binary, "load", folder, "--json", "--checksums", "--architecture", cls_name], capture_output=True, text=True)
            if err or out.returncode != 0:
                if not (err and out.returncode != 0):
                    differences += 1
                    print("DIFF-ERR", src, "->", cls_name, err, out.stderr.strip()[:200])
                else:
                    print("OK   both fail:", src, "->", cls_name)
                continue
            ours = json.loads(out.stdout)
            probs = []
            rnd = set(ri["missing_keys"]) | {x["name"] for x in ri["mismatched_keys"]}
            if [p["name"] for p in ref["parameters"]] != [p["name"] for p in ours["parameters"]]: probs.append("names")
            for r, o in zip(ref["parameters"], ours["parameters"]):
                if r["name"] in rnd: continue
                if r["sha256"] != o["sha256"] or r["storage"] != o["storage"] or r["shape"] != o["shape"]: probs.append(r["name"])
            if ri["missing_keys"] != sorted(ours["report"]["missing"]): probs.append(f"missing {ri['missing_keys']} vs {ours['report']['missing']}")
            if ri["unexpected_keys"] != sorted(ours["report"]["unexpected"]): probs.append(f"unexpected {ri['unexpected_keys']} vs {ours['report']['unexpected']}")
            if ref["tied"] != ours["tied"]: probs.append(f"tied {ref['tied']} vs {ours['tied']}")
            differences += bool(probs)
            print("OK  " if not probs else "DIFF", src, "->", cls_name, "" if not probs else [p[:300] for p in probs[:4]])
print(f"{differences} differences")
sys.exit(1 if differences else 0)
