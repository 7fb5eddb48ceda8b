#!/usr/bin/env python3
"""Config variants of the encoder, seq2seq and vision families, built by transformers on the meta device
and by `pretrained inspect --model`, compared (not CI; needs `swift build` first):

    python3 scripts/check_config_variants.py

Each variant toggles the optional parts a config class switches on (DeBERTa-v2's relative attention,
shared keys, conv, embedding projection, legacy head; ModernBERT's layer types and biases; ViT's pooler
and label count; ELECTRA's projection; SigLIP's head; CLIP's projection sizes; DistilBERT's aliases...).
Compares the parameter count and every module's (name, class, parameter count); a variant transformers
rejects must be rejected too. Exit 1 on any difference.
"""

import itertools
import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

from fixtures.common import meta_skeleton, transformers

logging.getLogger("transformers").setLevel(logging.ERROR)
B = str(Path(__file__).resolve().parent.parent / ".build" / "debug" / "pretrained")
WORK = Path(tempfile.mkdtemp())
DIFFERENCES = []


def check(label, cls_name, cfg):
    d = WORK / label
    d.mkdir(parents=True, exist_ok=True)
    cfg = dict(cfg); cfg["architectures"] = [cls_name]
    (d / "config.json").write_text(json.dumps(cfg))
    cls = getattr(transformers, cls_name)
    try:
        config = cls.config_class.from_pretrained(d)
        sk = meta_skeleton(cls, config); m = sk.pop("model")
        py = {"count": m.num_parameters(), "modules": [[x["name"], x["class"], x["parameters"]] for x in sk["modules"]],
              "sd": [(x["name"], x["shape"]) for x in sk["state_dict"]]}
    except Exception as e:
        py = {"error": type(e).__name__ + str(e)[:80]}
    out = subprocess.run([B, "inspect", "--model", str(d), "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        sw = {"error": out.stderr.strip()[:120]}
    else:
        j = json.loads(out.stdout)
        sw = {"count": j["parameter_count"], "modules": [[x["name"], x["class"], x["parameters"]] for x in j["modules"]]}
    if "error" in py or "error" in sw:
        ok = ("error" in py) == ("error" in sw)
        if not ok:
            DIFFERENCES.append(label)
        print("OK  " if ok else "DIFF", label, py.get("error"), sw.get("error"))
        return
    ok = py["count"] == sw["count"] and py["modules"] == sw["modules"]
    if not ok:
        diff = [(a, b) for a, b in zip(py["modules"], sw["modules"]) if a != b][:3]
        DIFFERENCES.append(label)
        print("DIFF", label, py["count"], sw["count"], diff, len(py["modules"]), len(sw["modules"]))
    else:
        print("OK  ", label)
base_deb = dict(model_type="deberta-v2", vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=24, max_position_embeddings=20)
i = 0
for rel, share, pat, pbi, tv, emb, conv, norm, mrp, pb, legacy in itertools.product(
        [False, True], [False, True], [None, "p2c|c2p", ["c2p"], "p2c"], [True, False], [0, 3], [16, 8], [0, 3], ["none", "layer_norm"], [-1, 7], [-1, 5], [True, False]):
    i += 1
    if i % 7: continue
    c = dict(base_deb, relative_attention=rel, share_att_key=share, position_biased_input=pbi, type_vocab_size=tv, embedding_size=emb, conv_kernel_size=conv, norm_rel_ebd=norm, max_relative_positions=mrp, position_buckets=pb, legacy=legacy)
    if pat is not None: c["pos_att_type"] = pat
    check(f"deb{i}", "DebertaV2ForMaskedLM", c)
mb = dict(model_type="modernbert", vocab_size=40, hidden_size=16, intermediate_size=24, num_hidden_layers=3, num_attention_heads=2, max_position_embeddings=32, pad_token_id=0, eos_token_id=1, bos_token_id=2, cls_token_id=2, sep_token_id=1)
for j, extra in enumerate([dict(global_attn_every_n_layers=1), dict(global_attn_every_n_layers=5), dict(layer_types=["sliding_attention"]*3), dict(head_dim=4), dict(norm_bias=True, mlp_bias=True, attention_bias=True, attention_dropout=0.2, classifier_bias=True, decoder_bias=False), dict(hidden_activation="silu", classifier_activation="relu")]):
    for cls in ["ModernBertForMaskedLM", "ModernBertForTokenClassification", "ModernBertModel"]:
        check(f"mb{j}{cls}", cls, dict(mb, **extra))
vit = dict(model_type="vit", hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=24, image_size=8, patch_size=4)
for j, extra in enumerate([dict(qkv_bias=False), dict(pooler_output_size=10, pooler_act="relu"), dict(num_labels=0), dict(num_channels=1), dict(image_size=12, patch_size=3)]):
    for cls in ["ViTModel", "ViTForImageClassification"]:
        check(f"vit{j}{cls}", cls, dict(vit, **extra))
el = dict(model_type="electra", vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=24, max_position_embeddings=16)
for j, extra in enumerate([dict(embedding_size=16), dict(embedding_size=8, hidden_act="relu"), dict(type_vocab_size=0)]):
    for cls in ["ElectraModel", "ElectraForPreTraining", "ElectraForMaskedLM"]:
        check(f"el{j}{cls}", cls, dict(el, **extra))
nb = dict(model_type="nomic_bert", vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=24, max_position_embeddings=16)
for j, extra in enumerate([dict(head_dim=4), dict(type_vocab_size=1), dict(hidden_act="gelu")]):
    check(f"nb{j}", "NomicBertModel", dict(nb, **extra))
sg = dict(model_type="siglip", text_config=dict(vocab_size=40, hidden_size=16, intermediate_size=24, num_hidden_layers=1, num_attention_heads=2, max_position_embeddings=8), vision_config=dict(hidden_size=16, intermediate_size=24, num_hidden_layers=1, num_attention_heads=2, image_size=8, patch_size=4))
for j, (tx, vx) in enumerate([({}, {"vision_use_head": False}), ({"projection_size": 12}, {}), ({"hidden_act": "relu"}, {"num_channels": 1})]):
    c = json.loads(json.dumps(sg)); c["text_config"].update(tx); c["vision_config"].update(vx)
    for cls in ["SiglipModel", "SiglipVisionModel", "SiglipTextModel"]:
        check(f"sg{j}{cls}", cls, c)
cl = dict(model_type="clip", projection_dim=12, text_config=dict(vocab_size=40, hidden_size=16, intermediate_size=24, num_hidden_layers=1, num_attention_heads=2, max_position_embeddings=8, projection_dim=10), vision_config=dict(hidden_size=24, intermediate_size=24, num_hidden_layers=1, num_attention_heads=2, image_size=8, patch_size=4, projection_dim=14))
for cls in ["CLIPModel", "CLIPVisionModel", "CLIPTextModel", "CLIPTextModelWithProjection", "CLIPVisionModelWithProjection"]:
    check(f"cl{cls}", cls, cl)
db = dict(model_type="distilbert", vocab_size=40, dim=16, n_layers=1, n_heads=2, hidden_dim=24, max_position_embeddings=16)
for j, extra in enumerate([dict(sinusoidal_pos_embds=True), dict(activation="relu"), dict(hidden_size=8)]):
    for cls in ["DistilBertModel", "DistilBertForMaskedLM", "DistilBertForSequenceClassification"]:
        check(f"db{j}{cls}", cls, dict(db, **extra))
wh = dict(model_type="whisper", vocab_size=40, d_model=16, encoder_layers=1, decoder_layers=2, encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=24, decoder_ffn_dim=20, num_mel_bins=4, max_source_positions=8, max_target_positions=10, pad_token_id=0, bos_token_id=1, eos_token_id=1, decoder_start_token_id=2, begin_suppress_tokens=[3])
for cls in ["WhisperModel", "WhisperForConditionalGeneration"]:
    check(f"wh{cls}", cls, wh)
mp = dict(model_type="mpnet", vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=24, max_position_embeddings=16, relative_attention_num_buckets=5)
for cls in ["MPNetModel", "MPNetForMaskedLM"]:
    check(f"mp{cls}", cls, mp)
for mt, classes in [("bert", ["BertModel", "BertForMaskedLM", "BertForTokenClassification"]),
                    ("roberta", ["RobertaModel", "RobertaForMaskedLM"]), ("xlm-roberta", ["XLMRobertaForMaskedLM"]),
                    ("electra", ["ElectraModel", "ElectraForMaskedLM"])]:
    for j, extra in enumerate([dict(is_decoder=True, add_cross_attention=True), dict(add_cross_attention=True),
                               dict(is_decoder=True), dict(type_vocab_size=0), dict(hidden_act="relu")]):
        for cls in classes:
            check(f"{mt}{j}{cls}", cls, dict(model_type=mt, vocab_size=40, hidden_size=16, num_hidden_layers=1,
                                             num_attention_heads=2, intermediate_size=24, max_position_embeddings=16, **extra))
# Every class on its config class's defaults alone (`{"model_type": ...}`).
for mt, classes in [
    ("bert", ["BertModel", "BertForMaskedLM", "BertForSequenceClassification", "BertForTokenClassification",
              "BertForQuestionAnswering"]),
    ("roberta", ["RobertaModel", "RobertaForMaskedLM", "RobertaForSequenceClassification"]),
    ("xlm-roberta", ["XLMRobertaModel", "XLMRobertaForMaskedLM", "XLMRobertaForSequenceClassification"]),
    ("distilbert", ["DistilBertModel", "DistilBertForMaskedLM", "DistilBertForSequenceClassification"]),
    ("mpnet", ["MPNetModel", "MPNetForMaskedLM"]), ("electra", ["ElectraModel", "ElectraForPreTraining", "ElectraForMaskedLM"]),
    ("modernbert", ["ModernBertModel", "ModernBertForMaskedLM", "ModernBertForSequenceClassification",
                    "ModernBertForTokenClassification"]),
    ("deberta-v2", ["DebertaV2Model", "DebertaV2ForMaskedLM"]), ("nomic_bert", ["NomicBertModel"]),
    ("bart", ["BartModel", "BartForConditionalGeneration"]), ("whisper", ["WhisperModel", "WhisperForConditionalGeneration"]),
    ("vit", ["ViTModel", "ViTForImageClassification"]),
    ("clip", ["CLIPModel", "CLIPTextModel", "CLIPVisionModel", "CLIPTextModelWithProjection", "CLIPVisionModelWithProjection"]),
    ("clip_vision_model", ["CLIPVisionModel", "CLIPVisionModelWithProjection"]), ("clip_text_model", ["CLIPTextModel"]),
    ("siglip", ["SiglipModel", "SiglipVisionModel", "SiglipTextModel"]), ("siglip_vision_model", ["SiglipVisionModel"]),
]:
    for cls in classes:
        check(f"defaults-{mt}-{cls}", cls, {"model_type": mt})
print(f"{len(DIFFERENCES)} differences")
sys.exit(1 if DIFFERENCES else 0)
