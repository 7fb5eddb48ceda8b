#!/usr/bin/env python3
"""Fixtures for the decoder families of issue 14 (Gemma, Phi, GPT-NeoX, OLMo 2, Granite, SmolLM3,
StarCoder2, sequence-classification heads, Llama 3.x rope scaling, and the MoE families).

    python3 scripts/fixtures_decoders.py              # all parts
    python3 scripts/fixtures_decoders.py models cases configs

Shares its helpers with scripts/fixtures/common.py (the package behind make_fixtures.py) and writes new subfolders only:
models/<Class>/ (listed in models/decoders.json), cases/<name>/, configs/<name>/ and
configs/expected_counts_decoders.json. Deterministic, as make_fixtures.py.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures.common import (  # noqa: E402  (first: pins PYTHONHASHSEED and the log environment)
    FIXTURES,
    ST_TO_TORCH,
    VOCAB,
    build_model,
    case_dir,
    clean_saved_folder,
    describe_model,
    detached_state_dict,
    load_and_describe,
    meta_skeleton,
    module_tree,
    plan_to_json,
    save_checkpoint,
    save_params as _save_params,
    st_dtype,
    write_case,
    write_json,
)
from fixtures.skeletons import parse_max_memory  # noqa: E402

import torch  # noqa: E402
import transformers  # noqa: E402

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


def qwen3_next_config(**kw):
    return T.Qwen3NextConfig(**{**COMMON, "num_hidden_layers": 4, "head_dim": 8, "moe_intermediate_size": 24,
                                "shared_expert_intermediate_size": 40, "num_experts": 4, "num_experts_per_tok": 2,
                                "mlp_only_layers": [2], "linear_num_value_heads": 4, "linear_num_key_heads": 2,
                                "linear_key_head_dim": 8, "linear_value_head_dim": 8, "linear_conv_kernel_dim": 4,
                                "full_attention_interval": 2, **kw})


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
    ("Qwen3NextModel", "Qwen3NextModel", qwen3_next_config, torch.float32, 1510),
    ("Qwen3NextForCausalLM", "Qwen3NextForCausalLM", qwen3_next_config, torch.float32, 1511),
]

# MoE classes whose checkpoints save_pretrained writes per expert (the conversion reverted on save):
# the fused in-memory layout is written as a case, so both layouts on disk are tested.
FUSED_CASES = [
    ("qwen2-moe-fused", "Qwen2MoeForCausalLM", qwen2_moe_config, 1601),
    ("qwen3-moe-fused", "Qwen3MoeForCausalLM", qwen3_moe_config, 1602),
    ("deepseek-v3-fused", "DeepseekV3ForCausalLM", deepseek_v3_config, 1603),
    ("qwen3-next-fused", "Qwen3NextForCausalLM", qwen3_next_config, 1605),
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
    # Per-expert keys of one fused slot spread over several shards (read in parallel).
    save_and_expect("Qwen2MoeForCausalLM-sharded", "Qwen2MoeForCausalLM", qwen2_moe_config, torch.float32, 1512, "24KB")
    names.append("Qwen2MoeForCausalLM-sharded")
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

    # from_pretrained(key_mapping=...): the user's renames run before the architecture's.
    model = build_model("LlamaForCausalLM", factory(T.LlamaConfig), torch.float32, 1606)
    renamed = {}
    for k, v in detached_state_dict(model.state_dict()).items():
        k = re.sub(r"^model\.", "transformer.", k)
        k = re.sub(r"\.self_attn\.", ".attention.", k)
        k = re.sub(r"layers\.(\d+)\.", r"blocks.\1.", k)
        renamed[k] = v
    folder = case_dir("llama-key-mapping")
    save_checkpoint(folder, renamed, model.config)
    mapping = {r"^transformer\.": "model.", r"\.attention\.": ".self_attn.", r"blocks\.(\d+)\.": r"layers.\1."}
    expected = load_and_describe(T.LlamaForCausalLM, folder, {"key_mapping": mapping})
    assert not expected["loading_info"]["missing_keys"] and not expected["loading_info"]["unexpected_keys"]
    write_case("llama-key-mapping", {"description": "Keys renamed (transformer., blocks.N., attention.) and "
                                     "loaded with from_pretrained(key_mapping=...).", **expected})

    # Keys transformers ignores without reporting them (_keys_to_ignore_on_load_unexpected): DeepSeek-V3's
    # multi-token-prediction layer 61, Qwen3-Next's mtp.*, GPT-NeoX's legacy attention buffers.
    g = torch.Generator().manual_seed(1607)
    extra_cases = [
        ("deepseek-v3-mtp-layer-ignored", "DeepseekV3ForCausalLM", deepseek_v3_config,
         {"model.layers.61.eh_proj.weight": [32, 64], "model.layers.61.enorm.weight": [32],
          "model.layers.61.mlp.experts.0.up_proj.weight": [24, 32]}),
        ("qwen3-next-mtp-ignored", "Qwen3NextForCausalLM", qwen3_next_config,
         {"mtp.fc.weight": [32, 64], "mtp.norm.weight": [32]}),
        ("gpt-neox-legacy-buffers", "GPTNeoXForCausalLM", neox_config,
         {"gpt_neox.layers.0.attention.bias": [1, 1, 64, 64], "gpt_neox.layers.0.attention.masked_bias": [],
          "gpt_neox.layers.0.attention.rotary_emb.inv_freq": [1], "gpt_neox.layers.1.attention.bias": [1, 1, 64, 64]}),
    ]
    for name, cls_name, cfg, extra in extra_cases:
        model = build_model(cls_name, cfg, torch.float32, 1608)
        tensors = detached_state_dict(model.state_dict())
        for key, shape in extra.items():
            tensors[key] = torch.randn(shape, generator=g)
        folder = case_dir(name)
        save_checkpoint(folder, tensors, model.config)
        expected = load_and_describe(getattr(T, cls_name), folder, {})
        assert not expected["loading_info"]["unexpected_keys"], (name, expected["loading_info"])
        write_case(name, {"description": f"{cls_name} checkpoint with keys transformers ignores: {sorted(extra)}.",
                          **expected})

    # A per-expert causal-LM checkpoint loaded into the base model: experts fused, `model.` stripped,
    # lm_head unexpected.
    model = build_model("Qwen2MoeForCausalLM", qwen2_moe_config, torch.float32, 1609)
    folder = case_dir("qwen2-moe-causal-lm-into-base")
    model.save_pretrained(str(folder))
    clean_saved_folder(folder)
    expected = load_and_describe(T.Qwen2MoeModel, folder, {})
    assert expected["loading_info"]["unexpected_keys"] == ["lm_head.weight"], expected["loading_info"]
    write_case("qwen2-moe-causal-lm-into-base", {"description": "Qwen2MoeForCausalLM's per-expert checkpoint loaded "
                                                 "as Qwen2MoeModel: fused, prefix stripped, lm_head unexpected.",
                                                 **expected})

    # gpt-oss loaded in float16: _keep_in_fp32_modules keeps the norms in F32.
    model = build_model("GptOssForCausalLM", gpt_oss_config, torch.float32, 1604)
    folder = case_dir("gpt-oss-f16-keep-in-fp32")
    save_checkpoint(folder, detached_state_dict(model.state_dict()), model.config)
    expected = load_and_describe(T.GptOssForCausalLM, folder, {"dtype": torch.float16})
    assert {p["dtype"] for p in expected["parameters"] if p["name"].endswith("norm.weight")} == {"F32"}
    write_case("gpt-oss-f16-keep-in-fp32", {"description": "GptOssForCausalLM loaded with dtype=float16: the norms "
                                            "(_keep_in_fp32_modules) stay F32.", "load_dtype": "F16", **expected})



# ---------------------------------------------------------------------------------------------
# Published configs, typed from the model cards (no network), and what transformers builds from them
# on the meta device. Quantization configs (DeepSeek-V3's FP8, gpt-oss's MXFP4) are left out: the
# skeleton is the unquantized model's.
# ---------------------------------------------------------------------------------------------

SLIDING_FULL_24 = ["sliding_attention", "full_attention"] * 12

PUBLISHED = {
    "Llama-3.1-8B": {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 128000,
        "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
        "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": False, "model_type": "llama",
        "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1,
        "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                                "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_cache": True,
        "vocab_size": 128256},
    "Llama-3.2-1B": {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 128000,
        "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02,
        "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": False, "model_type": "llama",
        "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1,
        "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                                "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "rope_theta": 500000.0, "tie_word_embeddings": True, "torch_dtype": "bfloat16", "use_cache": True,
        "vocab_size": 128256},
    "Qwen2.5-7B": {
        "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151643,
        "hidden_act": "silu", "hidden_size": 3584, "initializer_range": 0.02, "intermediate_size": 18944,
        "max_position_embeddings": 131072, "max_window_layers": 28, "model_type": "qwen2", "num_attention_heads": 28,
        "num_hidden_layers": 28, "num_key_value_heads": 4, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
        "sliding_window": 131072, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_cache": True,
        "use_sliding_window": False, "vocab_size": 152064},
    "Qwen3-8B": {
        "architectures": ["Qwen3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 151643,
        "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
        "intermediate_size": 12288, "max_position_embeddings": 40960, "max_window_layers": 36, "model_type": "qwen3",
        "num_attention_heads": 32, "num_hidden_layers": 36, "num_key_value_heads": 8, "rms_norm_eps": 1e-06,
        "rope_scaling": None, "rope_theta": 1000000, "sliding_window": None, "tie_word_embeddings": False,
        "torch_dtype": "bfloat16", "use_cache": True, "use_sliding_window": False, "vocab_size": 151936},
    "gemma-2b": {
        "architectures": ["GemmaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 2,
        "eos_token_id": 1, "head_dim": 256, "hidden_act": "gelu", "hidden_size": 2048, "initializer_range": 0.02,
        "intermediate_size": 16384, "max_position_embeddings": 8192, "model_type": "gemma", "num_attention_heads": 8,
        "num_hidden_layers": 18, "num_key_value_heads": 1, "pad_token_id": 0, "rms_norm_eps": 1e-06, "rope_scaling": None,
        "rope_theta": 10000.0, "torch_dtype": "bfloat16", "use_cache": True, "vocab_size": 256000},
    "gemma-2-2b": {
        "architectures": ["Gemma2ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "attn_logit_softcapping": 50.0, "bos_token_id": 2, "cache_implementation": "hybrid", "eos_token_id": 1,
        "final_logit_softcapping": 30.0, "head_dim": 256, "hidden_act": "gelu_pytorch_tanh",
        "hidden_activation": "gelu_pytorch_tanh", "hidden_size": 2304, "initializer_range": 0.02,
        "intermediate_size": 9216, "max_position_embeddings": 8192, "model_type": "gemma2", "num_attention_heads": 8,
        "num_hidden_layers": 26, "num_key_value_heads": 4, "pad_token_id": 0, "query_pre_attn_scalar": 256,
        "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "sliding_window": 4096, "torch_dtype": "float32",
        "use_cache": True, "vocab_size": 256000},
    "gemma-3-1b-it": {
        "architectures": ["Gemma3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "attn_logit_softcapping": None, "bos_token_id": 2, "cache_implementation": "hybrid", "eos_token_id": [1, 106],
        "final_logit_softcapping": None, "head_dim": 256, "hidden_activation": "gelu_pytorch_tanh", "hidden_size": 1152,
        "initializer_range": 0.02, "intermediate_size": 6912, "max_position_embeddings": 32768,
        "model_type": "gemma3_text", "num_attention_heads": 4, "num_hidden_layers": 26, "num_key_value_heads": 1,
        "pad_token_id": 0, "query_pre_attn_scalar": 256, "rms_norm_eps": 1e-06, "rope_local_base_freq": 10000,
        "rope_scaling": None, "rope_theta": 1000000, "sliding_window": 512, "sliding_window_pattern": 6,
        "torch_dtype": "bfloat16", "use_cache": True, "vocab_size": 262144},
    "phi-2": {
        "architectures": ["PhiForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 50256, "embd_pdrop": 0.0,
        "eos_token_id": 50256, "hidden_act": "gelu_new", "hidden_size": 2560, "initializer_range": 0.02,
        "intermediate_size": 10240, "layer_norm_eps": 1e-05, "max_position_embeddings": 2048, "model_type": "phi",
        "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32, "partial_rotary_factor": 0.4,
        "qk_layernorm": False, "resid_pdrop": 0.1, "rope_scaling": None, "rope_theta": 10000.0,
        "tie_word_embeddings": False, "torch_dtype": "float16", "use_cache": True, "vocab_size": 51200},
    "Phi-3-mini-4k-instruct": {
        "architectures": ["Phi3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 1,
        "embd_pdrop": 0.0, "eos_token_id": 32000, "hidden_act": "silu", "hidden_size": 3072, "initializer_range": 0.02,
        "intermediate_size": 8192, "max_position_embeddings": 4096, "model_type": "phi3", "num_attention_heads": 32,
        "num_hidden_layers": 32, "num_key_value_heads": 32, "original_max_position_embeddings": 4096,
        "pad_token_id": 32000, "resid_pdrop": 0.0, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 10000.0,
        "sliding_window": 2047, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_cache": True,
        "vocab_size": 32064},
    "phi-4": {
        "architectures": ["Phi3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 100257,
        "embd_pdrop": 0.0, "eos_token_id": 100265, "hidden_act": "silu", "hidden_size": 5120, "initializer_range": 0.02,
        "intermediate_size": 17920, "max_position_embeddings": 16384, "model_type": "phi3", "num_attention_heads": 40,
        "num_hidden_layers": 40, "num_key_value_heads": 10, "original_max_position_embeddings": 16384,
        "pad_token_id": 100349, "resid_pdrop": 0.0, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 250000,
        "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_cache": True,
        "vocab_size": 100352},
    "pythia-1b": {
        "architectures": ["GPTNeoXForCausalLM"], "bos_token_id": 0, "eos_token_id": 0, "hidden_act": "gelu",
        "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192, "layer_norm_eps": 1e-05,
        "max_position_embeddings": 2048, "model_type": "gpt_neox", "num_attention_heads": 8, "num_hidden_layers": 16,
        "rotary_emb_base": 10000, "rotary_pct": 0.25, "tie_word_embeddings": False, "torch_dtype": "float16",
        "use_cache": True, "use_parallel_residual": True, "vocab_size": 50304},
    "OLMo-2-1124-7B": {
        "architectures": ["Olmo2ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "eos_token_id": 100257,
        "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 11008,
        "max_position_embeddings": 4096, "model_type": "olmo2", "num_attention_heads": 32, "num_hidden_layers": 32,
        "num_key_value_heads": 32, "pad_token_id": 100277, "rms_norm_eps": 1e-06, "rope_scaling": None,
        "rope_theta": 500000, "tie_word_embeddings": False, "torch_dtype": "float32", "use_cache": True,
        "vocab_size": 100352},
    "granite-3.1-8b-instruct": {
        "architectures": ["GraniteForCausalLM"], "attention_bias": False, "attention_dropout": 0.1,
        "attention_multiplier": 0.0078125, "bos_token_id": 0, "embedding_multiplier": 12.0, "eos_token_id": 0,
        "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 12800,
        "logits_scaling": 16.0, "max_position_embeddings": 131072, "mlp_bias": False, "model_type": "granite",
        "num_attention_heads": 32, "num_hidden_layers": 40, "num_key_value_heads": 8, "pad_token_id": 0,
        "residual_multiplier": 0.22, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 10000000.0,
        "tie_word_embeddings": True, "torch_dtype": "bfloat16", "use_cache": True, "vocab_size": 49155},
    "SmolLM3-3B": {
        "architectures": ["SmolLM3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": None,
        "eos_token_id": 128012, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02,
        "intermediate_size": 11008, "max_position_embeddings": 65536, "max_window_layers": 28, "mlp_bias": False,
        "model_type": "smollm3", "no_rope_layer_interval": 4, "num_attention_heads": 16, "num_hidden_layers": 36,
        "num_key_value_heads": 4, "pad_token_id": 128004, "pretraining_tp": 2, "rms_norm_eps": 1e-06,
        "rope_scaling": None, "rope_theta": 5000000.0, "sliding_window": None, "tie_word_embeddings": True,
        "torch_dtype": "bfloat16", "use_cache": False, "use_sliding_window": False, "vocab_size": 128256},
    "starcoder2-7b": {
        "architectures": ["Starcoder2ForCausalLM"], "attention_dropout": 0.1, "residual_dropout": 0.1,
        "embedding_dropout": 0.1, "bos_token_id": 0, "eos_token_id": 0, "hidden_act": "gelu_pytorch_tanh",
        "hidden_size": 4608, "initializer_range": 0.018042, "intermediate_size": 18432, "layer_norm_epsilon": 1e-05,
        "max_position_embeddings": 16384, "mlp_type": "default", "model_type": "starcoder2", "norm_epsilon": 1e-05,
        "num_attention_heads": 36, "num_hidden_layers": 32, "num_key_value_heads": 4, "rope_theta": 1000000,
        "sliding_window": 4096, "torch_dtype": "bfloat16", "use_bias": True, "use_cache": True, "vocab_size": 49152},
    "Qwen1.5-MoE-A2.7B": {
        "architectures": ["Qwen2MoeForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
        "decoder_sparse_step": 1, "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 2048,
        "initializer_range": 0.02, "intermediate_size": 5632, "max_position_embeddings": 8192, "max_window_layers": 21,
        "model_type": "qwen2_moe", "moe_intermediate_size": 1408, "norm_topk_prob": False, "num_attention_heads": 16,
        "num_experts": 60, "num_experts_per_tok": 4, "num_hidden_layers": 24, "num_key_value_heads": 16,
        "output_router_logits": False, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "router_aux_loss_coef": 0.001,
        "shared_expert_intermediate_size": 5632, "sliding_window": 32768, "tie_word_embeddings": False,
        "torch_dtype": "bfloat16", "use_cache": True, "use_sliding_window": False, "vocab_size": 151936},
    "Qwen3-30B-A3B": {
        "architectures": ["Qwen3MoeForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 151643, "decoder_sparse_step": 1, "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu",
        "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 6144, "max_position_embeddings": 40960,
        "max_window_layers": 48, "mlp_only_layers": [], "model_type": "qwen3_moe", "moe_intermediate_size": 768,
        "norm_topk_prob": True, "num_attention_heads": 32, "num_experts": 128, "num_experts_per_tok": 8,
        "num_hidden_layers": 48, "num_key_value_heads": 4, "output_router_logits": False, "rms_norm_eps": 1e-06,
        "rope_scaling": None, "rope_theta": 1000000.0, "router_aux_loss_coef": 0.001, "sliding_window": None,
        "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_cache": True, "use_sliding_window": False,
        "vocab_size": 151936},
    "DeepSeek-V3": {
        "architectures": ["DeepseekV3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 0,
        "eos_token_id": 1, "ep_size": 1, "first_k_dense_replace": 3, "hidden_act": "silu", "hidden_size": 7168,
        "initializer_range": 0.02, "intermediate_size": 18432, "kv_lora_rank": 512, "max_position_embeddings": 163840,
        "model_type": "deepseek_v3", "moe_intermediate_size": 2048, "moe_layer_freq": 1, "n_group": 8,
        "n_routed_experts": 256, "n_shared_experts": 1, "norm_topk_prob": True, "num_attention_heads": 128,
        "num_experts_per_tok": 8, "num_hidden_layers": 61, "num_key_value_heads": 128, "num_nextn_predict_layers": 1,
        "q_lora_rank": 1536, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "rms_norm_eps": 1e-06,
        "rope_scaling": {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 1.0, "mscale_all_dim": 1.0,
                         "original_max_position_embeddings": 4096, "type": "yarn"},
        "rope_theta": 10000, "routed_scaling_factor": 2.5, "scoring_func": "sigmoid", "tie_word_embeddings": False,
        "topk_group": 4, "topk_method": "noaux_tc", "torch_dtype": "bfloat16", "use_cache": True, "v_head_dim": 128,
        "vocab_size": 129280},
    "gpt-oss-20b": {
        "architectures": ["GptOssForCausalLM"], "attention_bias": True, "attention_dropout": 0.0, "eos_token_id": 200002,
        "experts_per_token": 4, "head_dim": 64, "hidden_act": "silu", "hidden_size": 2880, "initial_context_length": 4096,
        "initializer_range": 0.02, "intermediate_size": 2880, "layer_types": SLIDING_FULL_24,
        "max_position_embeddings": 131072, "model_type": "gpt_oss", "num_attention_heads": 64, "num_experts_per_tok": 4,
        "num_hidden_layers": 24, "num_key_value_heads": 8, "num_local_experts": 32, "output_router_logits": False,
        "pad_token_id": 199999, "rms_norm_eps": 1e-05,
        "rope_scaling": {"beta_fast": 32.0, "beta_slow": 1.0, "factor": 32.0, "original_max_position_embeddings": 4096,
                         "rope_type": "yarn", "truncate": False},
        "rope_theta": 150000, "router_aux_loss_coef": 0.9, "sliding_window": 128, "swiglu_limit": 7.0,
        "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_cache": True, "vocab_size": 201088},
    "Qwen3-Next-80B-A3B-Instruct": {
        "architectures": ["Qwen3NextForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 151643, "decoder_sparse_step": 1, "eos_token_id": 151645, "full_attention_interval": 4,
        "head_dim": 256, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5120,
        "linear_conv_kernel_dim": 4, "linear_key_head_dim": 128, "linear_num_key_heads": 16, "linear_num_value_heads": 32,
        "linear_value_head_dim": 128, "max_position_embeddings": 262144, "mlp_only_layers": [], "model_type": "qwen3_next",
        "moe_intermediate_size": 512, "norm_topk_prob": True, "num_attention_heads": 16, "num_experts": 512,
        "num_experts_per_tok": 10, "num_hidden_layers": 48, "num_key_value_heads": 2, "output_router_logits": False,
        "partial_rotary_factor": 0.25, "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 10000000,
        "router_aux_loss_coef": 0.001, "shared_expert_intermediate_size": 512, "tie_word_embeddings": False,
        "torch_dtype": "bfloat16", "use_cache": True, "use_sliding_window": False, "vocab_size": 151936},
}

EXTRA = {
    "Llama-3.1-8B": ["LlamaModel", "LlamaForSequenceClassification"],
    "Qwen2.5-7B": ["Qwen2ForSequenceClassification"],
    "gemma-2b": ["GemmaModel"],
    "pythia-1b": ["GPTNeoXModel"],
    "Qwen1.5-MoE-A2.7B": ["Qwen2MoeModel"],
    "DeepSeek-V3": ["DeepseekV3Model"],
}


def trimmed(key: str, items: list) -> dict:
    """The full list when short; else its first 60 and last 30 entries (the first layers and the last one)."""
    if len(items) <= 150:
        return {key: items}
    return {f"{key}_first60": items[:60], f"{key}_last30": items[-30:]}


def make_configs() -> None:
    root = FIXTURES / "configs"
    expected = {
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "note": "Written by scripts/fixtures_decoders.py: Class._from_config(config) on the meta device (dtype = the "
                "config's dtype), full state_dict and modules lists.",
        "configs": {},
    }
    for name, cfg_json in PUBLISHED.items():
        folder = root / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        (folder / "config.json").write_text(json.dumps(cfg_json, indent=2, sort_keys=True) + "\n")
        entries = {}
        for cls_name in [cfg_json["architectures"][0]] + EXTRA.get(name, []):
            config = T.AutoConfig.from_pretrained(str(folder))
            sk = meta_skeleton(getattr(T, cls_name), config)
            model = sk.pop("model")
            entries[cls_name] = {
                "architecture": cls_name,
                "parameter_count": model.num_parameters(),
                "parameter_bytes": sk["parameter_bytes"],
                "dtype": st_dtype(model.dtype),
                "base_model_prefix": model.base_model_prefix,
                "tied": {str(k): str(v) for k, v in model.all_tied_weights_keys.items()},
                "plans": {"tp": plan_to_json(model._tp_plan), "pp": plan_to_json(model._pp_plan),
                          "ep": plan_to_json(model._ep_plan)},
                "no_split_modules": sorted(model._no_split_modules or []),
                "keep_in_fp32_modules": sorted(model._keep_in_fp32_modules or []),
                "keep_in_fp32_modules_strict": sorted(model._keep_in_fp32_modules_strict or []),
                "state_dict_count": len(sk["state_dict"]),
                "modules_count": len(sk["modules"]),
                **trimmed("state_dict", sk["state_dict"]),
                **trimmed("modules", sk["modules"]),
            }
            print(f"configs/{name} {cls_name}: {model.num_parameters():,} params, {sk['parameter_bytes']:,} bytes")
            del model
        expected["configs"][name] = entries
    write_json(root / "expected_counts_decoders.json", expected)
    make_device_maps(root)


DEVICE_MAP_CASES = [
    ("gemma-3-1b-it", "Gemma3ForCausalLM", "0=1GB,cpu=800MB,disk=10GB", "BF16"),
    ("Qwen3-30B-A3B", "Qwen3MoeForCausalLM", "0=20GB,1=20GB,cpu=10GB,disk=100GB", "BF16"),
    ("gpt-oss-20b", "GptOssForCausalLM", "0=10GB,cpu=20GB,disk=100GB", "F16"),
    ("DeepSeek-V3", "DeepseekV3ForCausalLM", "0=80GB,1=80GB,cpu=200GB,disk=2000GB", "BF16"),
    ("Phi-3-mini-4k-instruct", "Phi3ForCausalLM", "0=2GB,cpu=2GB,disk=100GB", "F16"),
    ("pythia-1b", "GPTNeoXForCausalLM", "0=500MB,cpu=500MB,disk=10GB", "F16"),
    ("Qwen3-Next-80B-A3B-Instruct", "Qwen3NextForCausalLM", "0=40GB,cpu=60GB,disk=200GB", "BF16"),
]


def make_device_maps(root: Path) -> None:
    """accelerate.infer_auto_device_map over the meta skeleton, as make_fixtures.make_device_maps does."""
    import warnings

    import accelerate
    from accelerate import infer_auto_device_map
    from accelerate.utils import compute_module_sizes

    cases = []
    for name, cls_name, spec, dt in DEVICE_MAP_CASES:
        config = T.AutoConfig.from_pretrained(str(root / name))
        dtype = ST_TO_TORCH[dt]
        with torch.device("meta"):
            model = getattr(T, cls_name)._from_config(config, dtype=dtype)
        no_split = sorted(model._no_split_modules or [])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            device_map = infer_auto_device_map(model, max_memory=parse_max_memory(spec),
                                               no_split_module_classes=no_split, dtype=dtype)
        sizes = compute_module_sizes(model, dtype=dtype)
        device_bytes: dict[str, int] = {}
        for module, device in device_map.items():
            device_bytes[str(device)] = device_bytes.get(str(device), 0) + int(sizes[module])
        cases.append({"config": name, "architecture": cls_name, "max_memory": spec, "dtype": dt, "no_split": no_split,
                      "device_map": dict(device_map), "device_bytes": device_bytes})
        print(f"device map {name} {spec}: {len(device_map)} entries, {device_bytes}")
    write_json(root / "expected_device_maps_decoders.json", {
        "accelerate_version": accelerate.__version__, "transformers_version": transformers.__version__,
        "note": "As expected_device_maps.json (make_fixtures.make_device_maps), for the decoder configs.",
        "cases": cases})


# The published configs whose full trees are kept (the others add only more of the same layers).
TREE_CONFIGS = {"gemma-2b", "gemma-3-1b-it", "phi-2", "pythia-1b", "gpt-oss-20b", "Qwen1.5-MoE-A2.7B"}


def make_module_trees() -> None:
    """As make_fixtures.make_module_trees: every module and buffer of the decoder classes, from the
    published decoder configs and the tiny models' configs."""
    root = FIXTURES / "configs"
    trees: dict = {}
    for name, cfg_json in PUBLISHED.items():
        if name not in TREE_CONFIGS:
            continue
        trees[name] = {}
        for cls_name in [cfg_json["architectures"][0]] + EXTRA.get(name, []):
            config = T.AutoConfig.from_pretrained(str(root / name))
            with torch.device("meta"):
                model = getattr(T, cls_name)._from_config(config)
            trees[name][cls_name] = module_tree(model)
    models: dict = {}
    for folder, cls_name, factory_, *_ in MODELS + MOE_MODELS:
        # _from_config leaves _keep_in_fp32_modules_strict buffers in BF16, from_pretrained makes them F32
        # (the skeleton follows from_pretrained; models/DeepseekV3ForCausalLM-bf16/expected.json pins it).
        if folder == "DeepseekV3ForCausalLM-bf16":
            continue
        config = T.AutoConfig.from_pretrained(str(FIXTURES / "models" / folder))
        with torch.device("meta"):
            model = getattr(T, cls_name)._from_config(config)
        models[folder] = {"architecture": cls_name, **module_tree(model)}
    write_json(root / "expected_module_trees_decoders.json", {
        "transformers_version": transformers.__version__,
        "note": "As expected_module_trees.json: configs are the published decoder configs, models the tiny "
                "decoder models (their saved config.json).",
        "configs": trees, "models": models})
    print(f"module trees: {sum(len(v) for v in trees.values())} configs, {len(models)} models")


PARTS = {"models": make_models, "cases": make_cases, "configs": make_configs, "trees": make_module_trees}


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
