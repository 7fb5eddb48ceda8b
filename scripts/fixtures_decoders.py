#!/usr/bin/env python3
"""Fixtures for the decoder families of issue 14 (Gemma, Phi, GPT-NeoX, OLMo 2, Granite, SmolLM3,
StarCoder2, sequence-classification heads, Llama 3.x rope scaling, and the MoE families).

    python3 scripts/fixtures_decoders.py              # all parts
    python3 scripts/fixtures_decoders.py models cases configs

Shares its helpers with scripts/make_fixtures.py (imported, never edited) and writes new subfolders only:
models/<Class>/ (listed in models/decoders.json), cases/<name>/, configs/<name>/ and
configs/expected_counts_decoders.json. Deterministic, as make_fixtures.py.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_fixtures import (  # noqa: E402  (make_fixtures pins PYTHONHASHSEED and the log environment)
    FIXTURES,
    VOCAB,
    _save_params,
    build_model,
    case_dir,
    clean_saved_folder,
    describe_model,
    detached_state_dict,
    load_and_describe,
    meta_skeleton,
    plan_to_json,
    save_checkpoint,
    sha256_tensor,
    st_dtype,
    write_case,
    write_json,
)

import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors import safe_open  # noqa: E402

T = transformers

# ---------------------------------------------------------------------------------------------
# Tiny configs: hidden 32, 2 layers, vocab 64, 4 heads, 2 KV heads, head_dim 8.
# ---------------------------------------------------------------------------------------------

TOKENS = dict(pad_token_id=0, bos_token_id=1, eos_token_id=2)
COMMON = dict(
    vocab_size=VOCAB,
    hidden_size=32,
    intermediate_size=48,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=64,
    **TOKENS,
)


def factory(config_class, **kw):
    def make():
        return config_class(**{**COMMON, **kw})

    return make


def neox_config():
    return T.GPTNeoXConfig(
        vocab_size=VOCAB, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
        max_position_embeddings=64, **TOKENS,
    )


LLAMA3_ROPE = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 16}

# (folder, class, config factory, dtype, seed)
MODELS = [
    ("GemmaModel", "GemmaModel", factory(T.GemmaConfig, head_dim=8), torch.float32, 1401),
    ("GemmaForCausalLM", "GemmaForCausalLM", factory(T.GemmaConfig, head_dim=8), torch.float32, 1402),
    ("Gemma2Model", "Gemma2Model", factory(T.Gemma2Config, head_dim=8), torch.float32, 1403),
    ("Gemma2ForCausalLM", "Gemma2ForCausalLM", factory(T.Gemma2Config, head_dim=8), torch.float32, 1404),
    ("Gemma3TextModel", "Gemma3TextModel", factory(T.Gemma3TextConfig, head_dim=8), torch.float32, 1405),
    ("Gemma3ForCausalLM", "Gemma3ForCausalLM",
     factory(T.Gemma3TextConfig, head_dim=8, num_hidden_layers=3, sliding_window_pattern=2), torch.float32, 1406),
    ("PhiModel", "PhiModel", factory(T.PhiConfig), torch.float32, 1407),
    ("PhiForCausalLM", "PhiForCausalLM", factory(T.PhiConfig, qk_layernorm=True), torch.float32, 1408),
    ("Phi3Model", "Phi3Model", factory(T.Phi3Config), torch.float32, 1409),
    ("Phi3ForCausalLM", "Phi3ForCausalLM", factory(T.Phi3Config), torch.float32, 1410),
    ("GPTNeoXModel", "GPTNeoXModel", neox_config, torch.float32, 1411),
    ("GPTNeoXForCausalLM", "GPTNeoXForCausalLM", neox_config, torch.float32, 1412),
    ("Olmo2Model", "Olmo2Model", factory(T.Olmo2Config), torch.float32, 1413),
    ("Olmo2ForCausalLM", "Olmo2ForCausalLM", factory(T.Olmo2Config), torch.float32, 1414),
    ("GraniteModel", "GraniteModel", factory(T.GraniteConfig), torch.float32, 1415),
    ("GraniteForCausalLM", "GraniteForCausalLM", factory(T.GraniteConfig), torch.float32, 1416),
    ("SmolLM3Model", "SmolLM3Model", factory(T.SmolLM3Config), torch.float32, 1417),
    ("SmolLM3ForCausalLM", "SmolLM3ForCausalLM", factory(T.SmolLM3Config), torch.float32, 1418),
    ("Starcoder2Model", "Starcoder2Model", factory(T.Starcoder2Config), torch.float32, 1419),
    ("Starcoder2ForCausalLM", "Starcoder2ForCausalLM", factory(T.Starcoder2Config), torch.float32, 1420),
    ("LlamaForCausalLM-llama3-rope", "LlamaForCausalLM", factory(T.LlamaConfig, rope_scaling=LLAMA3_ROPE),
     torch.bfloat16, 1421),
    ("LlamaForSequenceClassification", "LlamaForSequenceClassification", factory(T.LlamaConfig, num_labels=3),
     torch.float32, 1422),
    ("MistralForSequenceClassification", "MistralForSequenceClassification", factory(T.MistralConfig),
     torch.float32, 1423),
    ("Qwen2ForSequenceClassification", "Qwen2ForSequenceClassification", factory(T.Qwen2Config, num_labels=5),
     torch.float32, 1424),
    ("Qwen3ForSequenceClassification", "Qwen3ForSequenceClassification", factory(T.Qwen3Config, head_dim=8),
     torch.float32, 1425),
]


def qwen2_moe_config(**kw):
    return T.Qwen2MoeConfig(**{**COMMON, "num_hidden_layers": 3, "moe_intermediate_size": 24,
                               "shared_expert_intermediate_size": 40, "num_experts": 4, "num_experts_per_tok": 2,
                               "mlp_only_layers": [1], **kw})


def qwen3_moe_config(**kw):
    return T.Qwen3MoeConfig(**{**COMMON, "head_dim": 8, "moe_intermediate_size": 24, "num_experts": 4,
                               "num_experts_per_tok": 2, "decoder_sparse_step": 2, **kw})


def deepseek_v3_config(**kw):
    return T.DeepseekV3Config(**{**COMMON, "num_hidden_layers": 3, "num_key_value_heads": 4, "moe_intermediate_size": 24,
                                 "n_routed_experts": 4, "n_shared_experts": 2, "num_experts_per_tok": 2, "n_group": 2,
                                 "topk_group": 1, "first_k_dense_replace": 1, "q_lora_rank": 16, "kv_lora_rank": 8,
                                 "qk_rope_head_dim": 4, "qk_nope_head_dim": 8, "v_head_dim": 8, **kw})


def gpt_oss_config(**kw):
    return T.GptOssConfig(**{**COMMON, "intermediate_size": 24, "head_dim": 8, "num_local_experts": 4,
                             "num_experts_per_tok": 2, **kw})


MOE_MODELS = [
    ("Qwen2MoeModel", "Qwen2MoeModel", qwen2_moe_config, torch.float32, 1501),
    ("Qwen2MoeForCausalLM", "Qwen2MoeForCausalLM", qwen2_moe_config, torch.float32, 1502),
    ("Qwen3MoeModel", "Qwen3MoeModel", qwen3_moe_config, torch.float32, 1503),
    ("Qwen3MoeForCausalLM", "Qwen3MoeForCausalLM", qwen3_moe_config, torch.float32, 1504),
    ("DeepseekV3Model", "DeepseekV3Model", lambda: deepseek_v3_config(q_lora_rank=None), torch.float32, 1505),
    ("DeepseekV3ForCausalLM", "DeepseekV3ForCausalLM", deepseek_v3_config, torch.float32, 1506),
    ("DeepseekV3ForCausalLM-bf16", "DeepseekV3ForCausalLM", deepseek_v3_config, torch.bfloat16, 1507),
    ("GptOssModel", "GptOssModel", gpt_oss_config, torch.float32, 1508),
    ("GptOssForCausalLM", "GptOssForCausalLM", gpt_oss_config, torch.float32, 1509),
]

# MoE classes whose checkpoints save_pretrained writes per expert (the conversion reverted on save):
# the fused in-memory layout is written as a case, so both layouts on disk are tested.
FUSED_CASES = [
    ("qwen2-moe-fused", "Qwen2MoeForCausalLM", qwen2_moe_config, 1601),
    ("qwen3-moe-fused", "Qwen3MoeForCausalLM", qwen3_moe_config, 1602),
    ("deepseek-v3-fused", "DeepseekV3ForCausalLM", deepseek_v3_config, 1603),
]


STRICT_FP32 = ["e_score_correction_bias"]


def save_and_expect(folder_name: str, cls_name: str, cfg, dtype, seed: int, shard=None) -> dict:
    root = FIXTURES / "models"
    folder = root / folder_name
    if folder.exists():
        shutil.rmtree(folder)
    model = build_model(cls_name, cfg, dtype, seed)
    kwargs = {"safe_serialization": True} if "safe_serialization" in _save_params() else {}
    if shard:
        kwargs["max_shard_size"] = shard
    model.save_pretrained(str(folder), **kwargs)
    clean_saved_folder(folder)
    source = describe_model(model)
    expected = load_and_describe(getattr(T, cls_name), folder, {})
    src = {p["name"]: p for p in source["parameters"]}
    for p in expected["parameters"]:
        # _keep_in_fp32_modules_strict upcasts on load what _from_config built in the model dtype.
        if p["dtype"] == src[p["name"]]["dtype"]:
            assert p["sha256"] == src[p["name"]]["sha256"], (folder_name, p["name"])
        else:
            assert p["dtype"] == "F32" and any(k in p["name"] for k in STRICT_FP32), (folder_name, p)
        assert p["storage"] == src[p["name"]]["storage"], (folder_name, p["name"])
    assert not expected["nondeterministic"], (folder_name, expected["nondeterministic"])
    expected["saved_with"] = {"max_shard_size": shard, "dtype": st_dtype(dtype)}
    write_json(folder / "expected.json", expected)
    print(f"models/{folder_name}: {len(expected['parameters'])} entries")
    return expected


def make_models() -> None:
    names = []
    for folder_name, cls_name, cfg, dtype, seed in MODELS + MOE_MODELS:
        save_and_expect(folder_name, cls_name, cfg, dtype, seed)
        names.append(folder_name)
    write_json(FIXTURES / "models" / "decoders.json", {"models": names})


def make_cases() -> None:
    for name, cls_name, cfg, seed in FUSED_CASES:
        model = build_model(cls_name, cfg, torch.float32, seed)
        fused = detached_state_dict(model.state_dict())
        assert any(k.endswith("mlp.experts.gate_up_proj") for k in fused), name
        folder = case_dir(name)
        save_checkpoint(folder, fused, model.config)
        expected = load_and_describe(getattr(T, cls_name), folder, {})
        source = {p["name"]: p["sha256"] for p in describe_model(model)["parameters"]}
        for p in expected["parameters"]:
            assert p["sha256"] == source[p["name"]], (name, p["name"])
        assert not expected["nondeterministic"], (name, expected["nondeterministic"])
        description = (f"{cls_name} with the fused in-memory layout of transformers 5 on disk "
                       "(mlp.experts.gate_up_proj / down_proj), loaded as is.")
        write_case(name, {"description": description, **expected})

    # gpt-oss loaded in float16: _keep_in_fp32_modules keeps the norms in F32.
    model = build_model("GptOssForCausalLM", gpt_oss_config, torch.float32, 1604)
    folder = case_dir("gpt-oss-f16-keep-in-fp32")
    save_checkpoint(folder, detached_state_dict(model.state_dict()), model.config)
    expected = load_and_describe(T.GptOssForCausalLM, folder, {"dtype": torch.float16})
    assert {p["dtype"] for p in expected["parameters"] if p["name"].endswith("norm.weight")} == {"F32"}
    write_case("gpt-oss-f16-keep-in-fp32", {"description": "GptOssForCausalLM loaded with dtype=float16: the norms "
                                            "(_keep_in_fp32_modules) stay F32.", "load_dtype": "F16", **expected})


PARTS = {"models": make_models, "cases": make_cases}


def main(argv: list[str]) -> int:
    parts = argv or list(PARTS)
    for p in parts:
        if p not in PARTS:
            print(f"unknown part {p!r}; choose from {', '.join(PARTS)}", file=sys.stderr)
            return 2
    for p in parts:
        PARTS[p]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
