#!/usr/bin/env python3
"""Generate the test fixtures under Tests/PretrainedTests/Fixtures/.

Python is a tool here, never a runtime dependency of the Swift package: this script is run by a
developer (pinned versions in scripts/requirements-tools.txt) and its output is committed.

    python3 scripts/make_fixtures.py            # everything
    python3 scripts/make_fixtures.py safetensors models cases configs   # some parts

Deterministic (fixed seeds, sorted JSON where order is not meaningful) and idempotent: each part
deletes and rewrites its own folder.  See Tests/PretrainedTests/Fixtures/README.md for the layout and
the schema of every expected.json.
"""

from __future__ import annotations

import os
import sys

# Set iteration order shows up in transformers' load report text: pin the hash seed (re-exec once).
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

# Stable, colour-free log text (the transformers load report adapts to the terminal width).
os.environ.setdefault("COLUMNS", "160")
os.environ["NO_COLOR"] = "1"
os.environ["TERM"] = "dumb"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import hashlib
import json
import logging
import re
import shutil
import struct
from pathlib import Path

import torch

torch.set_num_threads(1)

import safetensors  # noqa: E402
import transformers  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

transformers.utils.logging.disable_progress_bar()

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "PretrainedTests" / "Fixtures"

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

TORCH_TO_ST = {
    torch.bool: "BOOL",
    torch.uint8: "U8",
    torch.int8: "I8",
    torch.int16: "I16",
    torch.uint16: "U16",
    torch.int32: "I32",
    torch.uint32: "U32",
    torch.int64: "I64",
    torch.uint64: "U64",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.float32: "F32",
    torch.float64: "F64",
    torch.complex64: "C64",
    torch.float8_e4m3fn: "F8_E4M3",
    torch.float8_e5m2: "F8_E5M2",
}
for _name, _st in [
    ("float8_e8m0fnu", "F8_E8M0"),
    ("float8_e4m3fnuz", "F8_E4M3FNUZ"),
    ("float8_e5m2fnuz", "F8_E5M2FNUZ"),
    ("float4_e2m1fn_x2", "F4"),
]:
    if hasattr(torch, _name):
        TORCH_TO_ST[getattr(torch, _name)] = _st


def st_dtype(dtype: torch.dtype) -> str:
    return TORCH_TO_ST[dtype]


def tensor_bytes(t: torch.Tensor) -> bytes:
    """Raw little-endian bytes of a tensor as held (bf16 as its 2-byte pattern)."""
    t = t.detach().contiguous().reshape(-1)
    if t.numel() == 0:
        return b""
    return t.view(torch.uint8).numpy().tobytes()


def sha256_tensor(t: torch.Tensor) -> str:
    return hashlib.sha256(tensor_bytes(t)).hexdigest()


def dumps_compact(obj, indent: int = 0, width: int = 220) -> str:
    """JSON with small objects and arrays kept on one line (readable diffs, small files)."""
    flat = json.dumps(obj, ensure_ascii=False)
    if not isinstance(obj, (dict, list)) or len(flat) + indent <= width or not obj:
        return flat
    pad = " " * (indent + 1)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {dumps_compact(v, indent + 1, width)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + dumps_compact(v, indent + 1, width) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps_compact(obj))
        f.write("\n")


def reset_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def read_header(path: Path) -> dict:
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))


def checkpoint_keys(folder: Path) -> list[str]:
    keys = set()
    for p in sorted(folder.glob("*.safetensors")):
        with safe_open(str(p), framework="pt") as f:
            keys.update(f.keys())
    return sorted(keys)


def plan_to_json(plan) -> dict:
    out = {}
    for k, v in (plan or {}).items():
        if isinstance(v, tuple):
            v = [list(x) if isinstance(x, (list, tuple)) else x for x in v]
        out[str(k)] = v
    return out


class LogCapture(logging.Handler):
    """Collect transformers warnings (ANSI codes and absolute paths removed)."""

    ansi = re.compile(r"\x1b\[[0-9;]*m")

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records: list[str] = []

    def emit(self, record):
        msg = self.ansi.sub("", record.getMessage())
        msg = msg.replace(str(FIXTURES) + "/", "").replace(str(FIXTURES), "")
        self.records.append(msg)


def capture_logs():
    handler = LogCapture()
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    return handler, logger


def fill_seeded(model: torch.nn.Module, seed: int) -> None:
    """Overwrite every parameter and persistent floating buffer in place with seeded values.

    In-place copies keep tied parameters tied (one storage, written once).  Values come from one
    generator walking state_dict order, so every tensor gets distinct bytes."""
    gen = torch.Generator().manual_seed(seed)
    seen = set()
    with torch.no_grad():
        for name, t in model.state_dict(keep_vars=True).items():
            if not t.is_floating_point():
                continue
            key = (t.data_ptr(), t.numel())
            if key in seen:
                continue
            seen.add(key)
            values = torch.randn(t.shape, generator=gen, dtype=torch.float32) * 0.5
            t.copy_(values.to(t.dtype))


def storage_names(sd: dict) -> dict[str, str]:
    first: dict[tuple, str] = {}
    out = {}
    for name, t in sd.items():
        key = (t.data_ptr(), t.numel(), t.dtype) if t.numel() else ("empty", name)
        out[name] = first.setdefault(key, name)
    return out


def describe_model(model) -> dict:
    """The model-side half of every expected.json."""
    sd = model.state_dict()
    storage = storage_names(sd)
    params = []
    for name, t in sd.items():
        params.append(
            {
                "name": name,
                "dtype": st_dtype(t.dtype),
                "shape": list(t.shape),
                "sha256": sha256_tensor(t),
                "storage": storage[name],
            }
        )
    return {
        "architecture": type(model).__name__,
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "base_model_prefix": model.base_model_prefix,
        "no_split_modules": sorted(model._no_split_modules or []),
        "keep_in_fp32_modules": sorted(model._keep_in_fp32_modules or []),
        "keep_in_fp32_modules_strict": sorted(model._keep_in_fp32_modules_strict or []),
        "keys_to_ignore_on_load_missing": sorted(model._keys_to_ignore_on_load_missing or []),
        "keys_to_ignore_on_load_unexpected": sorted(model._keys_to_ignore_on_load_unexpected or []),
        "keys_to_ignore_on_save": sorted(model._keys_to_ignore_on_save or []),
        "dtype": st_dtype(model.dtype),
        "parameters": params,
        "tied": {str(k): str(v) for k, v in model.all_tied_weights_keys.items()},
        "plans": {
            "tp": plan_to_json(getattr(model, "_tp_plan", None)),
            "pp": plan_to_json(getattr(model, "_pp_plan", None)),
            "ep": plan_to_json(getattr(model, "_ep_plan", None)),
            "fsdp": plan_to_json(getattr(model, "_fsdp_plan", None)),
        },
        "parameter_count": model.num_parameters(),
    }


def loading_info_json(info: dict) -> dict:
    return {
        "missing_keys": sorted(info["missing_keys"]),
        "unexpected_keys": sorted(info["unexpected_keys"]),
        "mismatched_keys": sorted(
            (
                {"name": name, "checkpoint_shape": list(ck), "model_shape": list(md)}
                for (name, ck, md) in info["mismatched_keys"]
            ),
            key=lambda d: d["name"],
        ),
        "error_msgs": list(info["error_msgs"]),
    }


def kwargs_json(kwargs: dict) -> dict:
    out = {}
    for k, v in kwargs.items():
        out[k] = str(v).replace("torch.", "") if isinstance(v, torch.dtype) else v
    return out


def load_and_describe(cls, folder: Path, load_kwargs: dict, repeat_seed: int | None = 1234) -> dict:
    """from_pretrained(folder, output_loading_info=True, **load_kwargs) -> expected.json dict.

    The load is done twice under different torch seeds: parameters whose bytes differ between the
    two loads were initialized randomly by transformers (missing or mismatched) and are listed in
    "nondeterministic"."""
    handler, logger = capture_logs()
    try:
        torch.manual_seed(0)
        model, info = cls.from_pretrained(str(folder), output_loading_info=True, **load_kwargs)
    finally:
        logger.removeHandler(handler)
    out = describe_model(model)
    out["load_kwargs"] = kwargs_json(load_kwargs)
    out["loading_info"] = loading_info_json(info)
    out["checkpoint_keys"] = checkpoint_keys(folder)
    out["warnings"] = handler.records
    nondeterministic = []
    if repeat_seed is not None:
        torch.manual_seed(repeat_seed)
        model2 = cls.from_pretrained(str(folder), **load_kwargs)
        sd2 = model2.state_dict()
        for p in out["parameters"]:
            if sha256_tensor(sd2[p["name"]]) != p["sha256"]:
                nondeterministic.append(p["name"])
    out["nondeterministic"] = nondeterministic
    return out


def load_error(cls, folder: Path, load_kwargs: dict) -> dict:
    handler, logger = capture_logs()
    try:
        cls.from_pretrained(str(folder), **load_kwargs)
    except Exception as e:  # noqa: BLE001 - we record whatever transformers raises
        msg = LogCapture.ansi.sub("", str(e))
        return {
            "architecture": cls.__name__,
            "transformers_version": transformers.__version__,
            "torch_version": torch.__version__,
            "load_kwargs": kwargs_json(load_kwargs),
            "error": msg,
            "error_type": type(e).__name__,
            "warnings": handler.records,
            "checkpoint_keys": checkpoint_keys(folder),
        }
    finally:
        logger.removeHandler(handler)
    raise AssertionError(f"expected {cls.__name__}.from_pretrained({folder}) to fail")


def detached_state_dict(sd: dict) -> dict:
    """Clone every tensor so safetensors.save_file accepts tied entries."""
    return {k: v.detach().clone().contiguous() for k, v in sd.items()}


def save_checkpoint(folder: Path, tensors: dict, config=None, name="model.safetensors") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / name), metadata={"format": "pt"})
    if config is not None:
        config.save_pretrained(str(folder))
        gen = folder / "generation_config.json"
        if gen.exists():
            gen.unlink()


# ---------------------------------------------------------------------------------------------
# a. safetensors files written by python
# ---------------------------------------------------------------------------------------------


def make_dtype_tensors(include_exotic: bool) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(20240501)
    t = {}

    def randn(shape):
        return torch.randn(shape, generator=g, dtype=torch.float32)

    def randint(lo, hi, shape, dtype):
        return torch.randint(lo, hi, shape, generator=g, dtype=torch.int64).to(dtype)

    t["bool"] = torch.randint(0, 2, (3, 5), generator=g).to(torch.bool)
    t["u8"] = randint(0, 256, (2, 3, 4), torch.uint8)
    t["i8"] = randint(-128, 128, (5, 3), torch.int8)
    t["i16"] = randint(-(2**15), 2**15, (4, 3), torch.int16)
    t["u16"] = randint(0, 2**16, (7,), torch.int64).to(torch.int32).to(torch.uint16)
    t["i32"] = randint(-(2**31), 2**31, (2, 2, 2), torch.int32)
    t["u32"] = randint(0, 2**32, (6,), torch.int64).to(torch.uint32)
    t["i64"] = torch.tensor([-(2**63), -1, 0, 1, 2**63 - 1, 123456789012345], dtype=torch.int64)
    t["u64"] = torch.tensor([0, 1, 2**62, 2**63 - 1], dtype=torch.int64).to(torch.uint64)
    t["f16"] = randn((3, 4)).to(torch.float16)
    t["bf16"] = randn((4, 3)).to(torch.bfloat16)
    t["f32"] = randn((2, 5))
    t["f64"] = randn((3, 3)).to(torch.float64)
    t["c64"] = torch.complex(randn((4,)), randn((4,)))
    t["f8_e4m3"] = randn((4, 4)).to(torch.float8_e4m3fn)
    t["f8_e5m2"] = randn((4, 4)).to(torch.float8_e5m2)
    if hasattr(torch, "float8_e8m0fnu"):
        t["f8_e8m0"] = torch.randint(100, 150, (6,), generator=g, dtype=torch.uint8).view(torch.float8_e8m0fnu)
    if include_exotic:
        if hasattr(torch, "float8_e4m3fnuz"):
            t["f8_e4m3fnuz"] = randn((3, 2)).to(torch.float8_e4m3fnuz)
        if hasattr(torch, "float8_e5m2fnuz"):
            t["f8_e5m2fnuz"] = randn((3, 2)).to(torch.float8_e5m2fnuz)
        if hasattr(torch, "float4_e2m1fn_x2"):
            # 5 bytes = 10 packed fp4 values; the safetensors header records shape [10].
            t["f4"] = torch.randint(0, 256, (5,), generator=g, dtype=torch.uint8).view(torch.float4_e2m1fn_x2)
    t["scalar_f32"] = torch.tensor(3.25, dtype=torch.float32)
    t["scalar_i64"] = torch.tensor(-7, dtype=torch.int64)
    t["empty_f32"] = torch.zeros((0, 3), dtype=torch.float32)
    t["empty_1d_u8"] = torch.zeros((0,), dtype=torch.uint8)
    # Odd sizes, to exercise alignment of what follows.
    t["odd_u8"] = randint(0, 256, (7,), torch.uint8)
    t["odd_f16"] = randn((3,)).to(torch.float16)
    return t


def expected_for_file(path: Path, tensors: dict[str, torch.Tensor]) -> dict:
    header = read_header(path)
    meta = header.pop("__metadata__", None)
    n = struct.unpack("<Q", path.read_bytes()[:8])[0]
    data = path.read_bytes()[8 + n :]
    out = []
    for name in sorted(header):
        h = header[name]
        a, b = h["data_offsets"]
        raw = data[a:b]
        digest = hashlib.sha256(raw).hexdigest()
        assert digest == sha256_tensor(tensors[name]), name
        assert h["dtype"] == st_dtype(tensors[name].dtype), (name, h["dtype"])
        out.append({"name": name, "dtype": h["dtype"], "shape": h["shape"], "sha256": digest, "data_offsets": [a, b]})
    return {
        "metadata": meta,
        "header_bytes": n,
        "file_bytes": path.stat().st_size,
        "safetensors_version": safetensors.__version__,
        "torch_version": torch.__version__,
        "tensors": out,
    }


def make_safetensors() -> None:
    out = reset_dir(FIXTURES / "python-safetensors")
    for stem, exotic in [("all_dtypes", True), ("core_dtypes", False)]:
        tensors = make_dtype_tensors(include_exotic=exotic)
        path = out / f"{stem}.safetensors"
        save_file(tensors, str(path), metadata={"format": "pt"})
        write_json(out / f"{stem}.expected.json", expected_for_file(path, tensors))

    # A file with richer metadata and one with no metadata at all.
    g = torch.Generator().manual_seed(7)
    tensors = {"a.weight": torch.randn((4, 4), generator=g), "b.bias": torch.randn((4,), generator=g)}
    path = out / "with_metadata.safetensors"
    meta = {"author": "swift-pretrained", "format": "pt", "note": "é ü ∑"}
    # safetensors keeps __metadata__ in a Rust HashMap, so its key order changes from call to call:
    # save until it comes out sorted, so that the file is byte-identical from run to run.
    for _ in range(500):
        save_file(tensors, str(path), metadata=meta)
        if list(read_header(path)["__metadata__"]) == sorted(meta):
            break
    else:
        raise AssertionError("could not get a sorted __metadata__ order")
    write_json(out / "with_metadata.expected.json", expected_for_file(path, tensors))
    path = out / "no_metadata.safetensors"
    save_file(tensors, str(path))
    write_json(out / "no_metadata.expected.json", expected_for_file(path, tensors))
    print("python-safetensors: ok")


# ---------------------------------------------------------------------------------------------
# b. tiny models
# ---------------------------------------------------------------------------------------------

VOCAB = 64


def gpt2_config(**kw):
    base = dict(vocab_size=VOCAB, n_positions=32, n_embd=32, n_layer=2, n_head=4, bos_token_id=VOCAB - 1, eos_token_id=VOCAB - 1)
    base.update(kw)
    return transformers.GPT2Config(**base)


def llama_config(**kw):
    base = dict(
        vocab_size=VOCAB,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    base.update(kw)
    return transformers.LlamaConfig(**base)


def mistral_config(**kw):
    base = dict(
        vocab_size=VOCAB,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        sliding_window=16,
    )
    base.update(kw)
    return transformers.MistralConfig(**base)


def qwen2_config(**kw):
    base = dict(
        vocab_size=VOCAB,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        tie_word_embeddings=True,
    )
    base.update(kw)
    return transformers.Qwen2Config(**base)


def qwen3_config(**kw):
    base = dict(
        vocab_size=VOCAB,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=64,
        tie_word_embeddings=False,
    )
    base.update(kw)
    return transformers.Qwen3Config(**base)


def bert_config(**kw):
    base = dict(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=48,
        max_position_embeddings=32,
        type_vocab_size=2,
    )
    base.update(kw)
    return transformers.BertConfig(**base)


def t5_config(**kw):
    base = dict(
        vocab_size=VOCAB,
        d_model=32,
        d_kv=8,
        d_ff=48,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=16,
    )
    base.update(kw)
    return transformers.T5Config(**base)


def mixtral_config(**kw):
    base = dict(
        vocab_size=VOCAB,
        hidden_size=32,
        intermediate_size=24,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        num_local_experts=4,
        num_experts_per_tok=2,
        max_position_embeddings=64,
    )
    base.update(kw)
    return transformers.MixtralConfig(**base)


# Even smaller shapes for the loader cases (there are many of them; the shapes do not matter there).
SMALL_VOCAB = 48


def small_gpt2():
    return gpt2_config(vocab_size=SMALL_VOCAB, n_positions=16, n_embd=16, n_head=2, bos_token_id=SMALL_VOCAB - 1, eos_token_id=SMALL_VOCAB - 1)


def small_llama():
    return llama_config(
        vocab_size=SMALL_VOCAB, hidden_size=16, intermediate_size=24, num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=32
    )


def small_bert():
    return bert_config(vocab_size=SMALL_VOCAB, hidden_size=16, intermediate_size=24, num_attention_heads=2, max_position_embeddings=16)


def small_t5():
    return t5_config(vocab_size=SMALL_VOCAB, d_model=16, d_kv=8, d_ff=24, num_heads=2)


def small_mixtral():
    return mixtral_config(
        vocab_size=SMALL_VOCAB, hidden_size=16, intermediate_size=12, num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=32
    )


# (folder name, class name, config factory, dtype, max_shard_size or None, seed)
MODELS = [
    ("GPT2Model", "GPT2Model", gpt2_config, torch.float32, None, 101),
    ("GPT2LMHeadModel", "GPT2LMHeadModel", gpt2_config, torch.float32, "40KB", 102),
    ("LlamaModel", "LlamaModel", llama_config, torch.float32, None, 103),
    ("LlamaForCausalLM", "LlamaForCausalLM", llama_config, torch.float32, "32KB", 104),
    ("LlamaForCausalLM-bf16", "LlamaForCausalLM", llama_config, torch.bfloat16, None, 105),
    ("MistralForCausalLM", "MistralForCausalLM", mistral_config, torch.float32, None, 106),
    ("Qwen2ForCausalLM", "Qwen2ForCausalLM", qwen2_config, torch.float32, None, 107),
    ("Qwen3ForCausalLM", "Qwen3ForCausalLM", qwen3_config, torch.float32, None, 108),
    ("BertModel", "BertModel", bert_config, torch.float32, None, 109),
    ("BertForMaskedLM", "BertForMaskedLM", bert_config, torch.float32, None, 110),
    ("T5Model", "T5Model", t5_config, torch.float32, None, 111),
    ("T5ForConditionalGeneration", "T5ForConditionalGeneration", t5_config, torch.float32, None, 112),
    ("T5EncoderModel", "T5EncoderModel", t5_config, torch.float32, None, 113),
    ("MixtralForCausalLM", "MixtralForCausalLM", mixtral_config, torch.float32, None, 114),
]


def build_model(cls_name: str, config_factory, dtype: torch.dtype, seed: int):
    cls = getattr(transformers, cls_name)
    config = config_factory()
    config.architectures = [cls_name]
    torch.manual_seed(0)
    model = cls._from_config(config, dtype=dtype)
    fill_seeded(model, seed)
    model.eval()
    return model


def clean_saved_folder(folder: Path) -> None:
    gen = folder / "generation_config.json"
    if gen.exists():
        gen.unlink()


def make_models() -> None:
    root = reset_dir(FIXTURES / "models")
    for folder_name, cls_name, cfg, dtype, shard, seed in MODELS:
        model = build_model(cls_name, cfg, dtype, seed)
        folder = root / folder_name
        kwargs = {"safe_serialization": True} if "safe_serialization" in _save_params() else {}
        if shard:
            kwargs["max_shard_size"] = shard
        model.save_pretrained(str(folder), **kwargs)
        clean_saved_folder(folder)
        source = describe_model(model)
        cls = getattr(transformers, cls_name)
        expected = load_and_describe(cls, folder, {})
        # The reload must reproduce the in-memory model exactly.
        src = {p["name"]: p for p in source["parameters"]}
        for p in expected["parameters"]:
            assert p["sha256"] == src[p["name"]]["sha256"], (folder_name, p["name"])
            assert p["storage"] == src[p["name"]]["storage"], (folder_name, p["name"])
        assert not expected["nondeterministic"], (folder_name, expected["nondeterministic"])
        expected["saved_with"] = {"max_shard_size": shard, "dtype": st_dtype(dtype)}
        write_json(folder / "expected.json", expected)
        print(f"models/{folder_name}: {len(expected['parameters'])} entries, files={sorted(p.name for p in folder.iterdir())}")


def _save_params():
    import inspect

    return inspect.signature(transformers.PreTrainedModel.save_pretrained).parameters


# ---------------------------------------------------------------------------------------------
# c. loader conformance cases
# ---------------------------------------------------------------------------------------------


def write_case(name: str, expected: dict) -> None:
    write_json(FIXTURES / "cases" / name / "expected.json", expected)
    extra = ""
    if "error" in expected:
        extra = f" error={expected['error'][:60]!r}"
    else:
        li = expected["loading_info"]
        extra = f" missing={li['missing_keys']} unexpected={li['unexpected_keys']} nondet={expected['nondeterministic']}"
    print(f"cases/{name}:{extra}")


def case_dir(name: str) -> Path:
    return reset_dir(FIXTURES / "cases" / name)


def make_cases() -> None:
    reset_dir(FIXTURES / "cases")
    T = transformers

    # ---- GPT-2 tying -------------------------------------------------------------------------
    head = build_model("GPT2LMHeadModel", small_gpt2, torch.float32, 201)
    head_sd = detached_state_dict(head.state_dict())
    g = torch.Generator().manual_seed(202)
    other_lm_head = (torch.randn(head_sd["lm_head.weight"].shape, generator=g) * 0.5).contiguous()

    variants = {
        "gpt2-lmhead-only": {k: v for k, v in head_sd.items() if k != "transformer.wte.weight"},
        "gpt2-both-equal": dict(head_sd),
        "gpt2-both-different": {**head_sd, "lm_head.weight": other_lm_head},
        "gpt2-both-absent": {k: v for k, v in head_sd.items() if k not in ("transformer.wte.weight", "lm_head.weight")},
    }
    for name, tensors in variants.items():
        folder = case_dir(name)
        save_checkpoint(folder, tensors, head.config)
        write_case(name, {"description": CASE_DOCS[name], **load_and_describe(T.GPT2LMHeadModel, folder, {})})

    # GPT2Model checkpoint (keys without the "transformer." prefix) into GPT2LMHeadModel.
    base = build_model("GPT2Model", small_gpt2, torch.float32, 203)
    folder = case_dir("gpt2-base-into-head")
    base.save_pretrained(str(folder))
    clean_saved_folder(folder)
    write_case(
        "gpt2-base-into-head",
        {"description": CASE_DOCS["gpt2-base-into-head"], **load_and_describe(T.GPT2LMHeadModel, folder, {})},
    )

    # GPT2LMHeadModel checkpoint (transformer.* keys and an explicit lm_head.weight) into GPT2Model.
    folder = case_dir("gpt2-head-into-base")
    save_checkpoint(folder, dict(head_sd), head.config)
    write_case(
        "gpt2-head-into-base",
        {"description": CASE_DOCS["gpt2-head-into-base"], **load_and_describe(T.GPT2Model, folder, {})},
    )

    # Hub-style GPT-2 checkpoint: GPT2Model names, legacy attn.bias / attn.masked_bias buffers, into LM head.
    folder = case_dir("gpt2-legacy-buffers")
    legacy = detached_state_dict(base.state_dict())
    n_pos = base.config.n_positions
    for i in range(base.config.n_layer):
        legacy[f"h.{i}.attn.bias"] = torch.tril(torch.ones((n_pos, n_pos), dtype=torch.float32)).view(1, 1, n_pos, n_pos)
        legacy[f"h.{i}.attn.masked_bias"] = torch.tensor(-1e4, dtype=torch.float32)
    save_checkpoint(folder, legacy, base.config)
    write_case(
        "gpt2-legacy-buffers",
        {"description": CASE_DOCS["gpt2-legacy-buffers"], **load_and_describe(T.GPT2LMHeadModel, folder, {})},
    )

    # ---- BERT ----------------------------------------------------------------------------------
    bert = build_model("BertModel", small_bert, torch.float32, 204)
    sd = detached_state_dict(bert.state_dict())
    renamed = {}
    for k, v in sd.items():
        k = re.sub(r"LayerNorm\.weight$", "LayerNorm.gamma", k)
        k = re.sub(r"LayerNorm\.bias$", "LayerNorm.beta", k)
        renamed[k] = v
    folder = case_dir("bert-gamma-beta")
    save_checkpoint(folder, renamed, bert.config)
    write_case("bert-gamma-beta", {"description": CASE_DOCS["bert-gamma-beta"], **load_and_describe(T.BertModel, folder, {})})

    # bert-base-uncased style: BertForPreTraining names with "bert." prefix, gamma/beta, pooler and
    # NSP head, loaded into BertForMaskedLM (no pooler there).
    mlm = build_model("BertForMaskedLM", small_bert, torch.float32, 205)
    sd = detached_state_dict(mlm.state_dict())
    g = torch.Generator().manual_seed(206)
    hid = mlm.config.hidden_size
    sd["bert.pooler.dense.weight"] = torch.randn((hid, hid), generator=g)
    sd["bert.pooler.dense.bias"] = torch.randn((hid,), generator=g)
    sd["cls.seq_relationship.weight"] = torch.randn((2, hid), generator=g)
    sd["cls.seq_relationship.bias"] = torch.randn((2,), generator=g)
    sd.pop("cls.predictions.decoder.bias", None)  # old checkpoints only have cls.predictions.bias
    # Once a persistent buffer, now non-persistent: ignored through the implicit "(^|\.)position_ids$" pattern.
    sd["bert.embeddings.position_ids"] = torch.arange(mlm.config.max_position_embeddings, dtype=torch.int64).view(1, -1)
    renamed = {}
    for k, v in sd.items():
        k = re.sub(r"LayerNorm\.weight$", "LayerNorm.gamma", k)
        k = re.sub(r"LayerNorm\.bias$", "LayerNorm.beta", k)
        renamed[k] = v
    folder = case_dir("bert-pretraining-into-masked-lm")
    cfg = mlm.config
    cfg.architectures = ["BertForPreTraining"]
    save_checkpoint(folder, renamed, cfg)
    write_case(
        "bert-pretraining-into-masked-lm",
        {"description": CASE_DOCS["bert-pretraining-into-masked-lm"], **load_and_describe(T.BertForMaskedLM, folder, {})},
    )

    # ---- Llama: shapes and dtypes --------------------------------------------------------------
    llama = build_model("LlamaForCausalLM", small_llama, torch.float32, 207)
    sd = detached_state_dict(llama.state_dict())
    bad_name = "model.layers.0.mlp.up_proj.weight"
    g = torch.Generator().manual_seed(208)
    sd_bad = dict(sd)
    good_shape = tuple(sd[bad_name].shape)
    sd_bad[bad_name] = torch.randn((good_shape[0] - 8, good_shape[1]), generator=g)
    for name, kwargs in [("llama-shape-mismatch", {}), ("llama-shape-mismatch-ignored", {"ignore_mismatched_sizes": True})]:
        folder = case_dir(name)
        save_checkpoint(folder, sd_bad, llama.config)
        if kwargs:
            write_case(name, {"description": CASE_DOCS[name], **load_and_describe(T.LlamaForCausalLM, folder, kwargs)})
        else:
            write_case(name, {"description": CASE_DOCS[name], **load_error(T.LlamaForCausalLM, folder, kwargs)})

    for name, dt in [("llama-bf16-as-f32", torch.bfloat16), ("llama-f16-as-f32", torch.float16)]:
        folder = case_dir(name)
        cfg = small_llama()
        cfg.architectures = ["LlamaForCausalLM"]
        cfg.dtype = dt
        save_checkpoint(folder, {k: v.to(dt) for k, v in sd.items()}, cfg)
        exp = load_and_describe(T.LlamaForCausalLM, folder, {"dtype": torch.float32})
        exp["load_dtype"] = "F32"
        write_case(name, {"description": CASE_DOCS[name], **exp})

    # dtype="auto" without a dtype in config.json: taken from the checkpoint's first floating tensor.
    folder = case_dir("llama-auto-dtype-from-checkpoint")
    cfg = small_llama()
    cfg.architectures = ["LlamaForCausalLM"]
    save_checkpoint(folder, {k: v.to(torch.bfloat16) for k, v in sd.items()}, cfg)
    cj = json.loads((folder / "config.json").read_text())
    cj.pop("dtype", None)
    cj.pop("torch_dtype", None)
    (folder / "config.json").write_text(json.dumps(cj, indent=2, sort_keys=True) + "\n")
    exp = load_and_describe(T.LlamaForCausalLM, folder, {"dtype": "auto"})
    exp["load_dtype"] = exp["dtype"]
    write_case("llama-auto-dtype-from-checkpoint", {"description": CASE_DOCS["llama-auto-dtype-from-checkpoint"], **exp})

    # Legacy rotary_emb.inv_freq buffers per layer (old Llama checkpoints): ignored as unexpected.
    folder = case_dir("llama-legacy-inv-freq")
    sd_inv = dict(sd)
    for i in range(llama.config.num_hidden_layers):
        hd = llama.config.hidden_size // llama.config.num_attention_heads
        sd_inv[f"model.layers.{i}.self_attn.rotary_emb.inv_freq"] = 1.0 / (
            10000 ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd)
        )
    save_checkpoint(folder, sd_inv, llama.config)
    write_case(
        "llama-legacy-inv-freq",
        {"description": CASE_DOCS["llama-legacy-inv-freq"], **load_and_describe(T.LlamaForCausalLM, folder, {})},
    )

    # A Llama checkpoint saved as a bare LlamaModel (no "model." prefix) into LlamaForCausalLM.
    folder = case_dir("llama-base-into-causal-lm")
    base_sd = {k.removeprefix("model."): v for k, v in sd.items() if k.startswith("model.")}
    save_checkpoint(folder, base_sd, llama.config)
    write_case(
        "llama-base-into-causal-lm",
        {"description": CASE_DOCS["llama-base-into-causal-lm"], **load_and_describe(T.LlamaForCausalLM, folder, {})},
    )

    # ---- Mixtral -------------------------------------------------------------------------------
    mix = build_model("MixtralForCausalLM", small_mixtral, torch.float32, 209)
    fused = detached_state_dict(mix.state_dict())
    inter = mix.config.intermediate_size
    per_expert = {}
    for k, v in fused.items():
        m = re.match(r"^(model\.layers\.\d+)\.mlp\.experts\.gate_up_proj$", k)
        if m:
            for e in range(v.shape[0]):
                per_expert[f"{m.group(1)}.block_sparse_moe.experts.{e}.w1.weight"] = v[e, :inter].clone().contiguous()
                per_expert[f"{m.group(1)}.block_sparse_moe.experts.{e}.w3.weight"] = v[e, inter:].clone().contiguous()
            continue
        m = re.match(r"^(model\.layers\.\d+)\.mlp\.experts\.down_proj$", k)
        if m:
            for e in range(v.shape[0]):
                per_expert[f"{m.group(1)}.block_sparse_moe.experts.{e}.w2.weight"] = v[e].clone().contiguous()
            continue
        per_expert[k.replace(".mlp.gate.", ".block_sparse_moe.gate.")] = v
    # The hand-made per-expert layout must be exactly what save_pretrained writes.
    tmp = FIXTURES / "cases" / "_tmp_mixtral"
    mix.save_pretrained(str(tmp))
    with safe_open(str(tmp / "model.safetensors"), framework="pt") as f:
        saved = {k: f.get_tensor(k) for k in f.keys()}
    shutil.rmtree(tmp)
    assert sorted(saved) == sorted(per_expert), (sorted(saved), sorted(per_expert))
    for k in saved:
        assert sha256_tensor(saved[k]) == sha256_tensor(per_expert[k]), k

    for name, tensors in [("mixtral-per-expert", per_expert), ("mixtral-fused", fused)]:
        folder = case_dir(name)
        save_checkpoint(folder, tensors, mix.config)
        exp = load_and_describe(T.MixtralForCausalLM, folder, {})
        src = {p["name"]: p["sha256"] for p in describe_model(mix)["parameters"]}
        for p in exp["parameters"]:
            assert p["sha256"] == src[p["name"]], (name, p["name"])
        write_case(name, {"description": CASE_DOCS[name], **exp})

    # ---- T5 ------------------------------------------------------------------------------------
    # T5 v1.1 style: config says tie_word_embeddings=false, checkpoint has its own lm_head.weight
    # (different values) and explicit encoder/decoder embed_tokens copies of shared.weight.
    t5 = build_model("T5ForConditionalGeneration", small_t5, torch.float32, 210)
    sd = detached_state_dict(t5.state_dict())
    g = torch.Generator().manual_seed(211)
    sd["lm_head.weight"] = torch.randn(sd["lm_head.weight"].shape, generator=g) * 0.5
    folder = case_dir("t5-v11-untied-lm-head")
    save_checkpoint(folder, sd, None)
    cfg_json = t5.config.to_dict()
    cfg_json["tie_word_embeddings"] = False
    cfg_json.pop("scale_decoder_outputs", None)
    cfg_json["architectures"] = ["T5ForConditionalGeneration"]
    (folder / "config.json").write_text(json.dumps(cfg_json, indent=2, sort_keys=True) + "\n")
    write_case(
        "t5-v11-untied-lm-head",
        {"description": CASE_DOCS["t5-v11-untied-lm-head"], **load_and_describe(T.T5ForConditionalGeneration, folder, {})},
    )

    # _keep_in_fp32_modules = ["wo"]: with dtype=float16 every key matching the regex "wo" stays F32.
    folder = case_dir("t5-f16-keep-in-fp32")
    t5.save_pretrained(str(folder))
    clean_saved_folder(folder)
    exp = load_and_describe(T.T5ForConditionalGeneration, folder, {"dtype": torch.float16})
    exp["load_dtype"] = "F16"
    write_case("t5-f16-keep-in-fp32", {"description": CASE_DOCS["t5-f16-keep-in-fp32"], **exp})

    # T5ForConditionalGeneration checkpoint into T5EncoderModel (decoder.* ignored as unexpected).
    folder = case_dir("t5-full-into-encoder")
    t5.save_pretrained(str(folder))
    clean_saved_folder(folder)
    write_case(
        "t5-full-into-encoder",
        {"description": CASE_DOCS["t5-full-into-encoder"], **load_and_describe(T.T5EncoderModel, folder, {})},
    )


CASE_DOCS = {
    "gpt2-lmhead-only": "GPT2LMHeadModel checkpoint holding lm_head.weight but not transformer.wte.weight: "
    "tying is symmetric, wte is filled from lm_head and both names share one storage.",
    "gpt2-both-equal": "Both lm_head.weight and transformer.wte.weight present with equal bytes: tied.",
    "gpt2-both-different": "Both present with different values: transformers warns, does NOT tie, and drops "
    "the pair from all_tied_weights_keys; each keeps its own checkpoint values.",
    "gpt2-both-absent": "Neither present: transformers warns ('checkpoint seem corrupted'), initializes wte "
    "randomly, ties lm_head to it, and leaves both names in missing_keys.",
    "gpt2-base-into-head": "GPT2Model.save_pretrained output (keys without 'transformer.') loaded into "
    "GPT2LMHeadModel: base_model_prefix is added, lm_head tied to wte.",
    "gpt2-head-into-base": "GPT2LMHeadModel state dict (transformer.* keys plus lm_head.weight) loaded into "
    "GPT2Model: prefix stripped, lm_head.weight unexpected.",
    "gpt2-legacy-buffers": "Hub-style gpt2 checkpoint: GPT2Model names plus legacy h.N.attn.bias (causal mask) "
    "and h.N.attn.masked_bias, loaded into GPT2LMHeadModel.",
    "bert-gamma-beta": "BertModel checkpoint whose LayerNorm parameters use the legacy gamma/beta names.",
    "bert-pretraining-into-masked-lm": "bert-base-uncased style checkpoint (BertForPreTraining names, gamma/beta, "
    "pooler, NSP head, legacy bert.embeddings.position_ids, no cls.predictions.decoder.bias) loaded into "
    "BertForMaskedLM: decoder.bias tied from cls.predictions.bias, position_ids ignored, pooler/NSP unexpected.",
    "llama-shape-mismatch": "model.layers.0.mlp.up_proj.weight has 8 rows fewer in the checkpoint than in the model: "
    "from_pretrained raises.",
    "llama-shape-mismatch-ignored": "Same checkpoint with ignore_mismatched_sizes=True: the slot keeps its "
    "shape and is freshly (randomly) initialized; listed in nondeterministic.",
    "llama-bf16-as-f32": "bf16 checkpoint (config dtype bfloat16) loaded with dtype=float32.",
    "llama-f16-as-f32": "f16 checkpoint (config dtype float16) loaded with dtype=float32.",
    "llama-auto-dtype-from-checkpoint": "bf16 checkpoint whose config.json has no dtype: dtype='auto' takes "
    "the dtype of the first floating tensor of the first checkpoint file.",
    "llama-legacy-inv-freq": "Checkpoint with legacy per-layer self_attn.rotary_emb.inv_freq buffers: "
    "ignored (not reported as unexpected).",
    "llama-base-into-causal-lm": "LlamaModel-style keys (no 'model.' prefix, no lm_head) into "
    "LlamaForCausalLM (untied): prefix added, lm_head.weight missing and randomly initialized.",
    "mixtral-per-expert": "Legacy Mixtral layout (block_sparse_moe.gate, experts.E.w1/w2/w3), which is also "
    "what transformers 5 save_pretrained writes: fused on load into mlp.experts.gate_up_proj "
    "([E, 2*I, H] = cat(w1, w3) per expert) and mlp.experts.down_proj ([E, H, I] = w2).",
    "mixtral-fused": "The same weights in the fused in-memory layout of transformers 5 (mlp.gate, "
    "mlp.experts.gate_up_proj, mlp.experts.down_proj): loaded as is.",
    "t5-v11-untied-lm-head": "T5 v1.1 style: config tie_word_embeddings=false (T5Config forces it back to true), "
    "checkpoint holds lm_head.weight different from shared.weight and explicit embed_tokens copies.",
    "t5-full-into-encoder": "T5ForConditionalGeneration.save_pretrained output loaded into T5EncoderModel.",
    "t5-f16-keep-in-fp32": "F32 T5 checkpoint loaded with dtype=float16: parameters whose name matches the "
    "_keep_in_fp32_modules regex 'wo' (re.search, unanchored) are kept in F32, all others F16. With bfloat16 "
    "nothing is kept (only _keep_in_fp32_modules_strict applies to bf16).",
}


# ---------------------------------------------------------------------------------------------
# d. published configs, skeleton facts on the meta device
# ---------------------------------------------------------------------------------------------

PUBLISHED_CONFIGS = {
    "Llama-2-7b-hf": {
        "_name_or_path": "meta-llama/Llama-2-7b-hf",
        "architectures": ["LlamaForCausalLM"],
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": 4096,
        "initializer_range": 0.02,
        "intermediate_size": 11008,
        "max_position_embeddings": 4096,
        "model_type": "llama",
        "num_attention_heads": 32,
        "num_hidden_layers": 32,
        "num_key_value_heads": 32,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": None,
        "tie_word_embeddings": False,
        "torch_dtype": "float16",
        "transformers_version": "4.31.0.dev0",
        "use_cache": True,
        "vocab_size": 32000,
    },
    "Llama-2-70b-hf": {
        "_name_or_path": "meta-llama/Llama-2-70b-hf",
        "architectures": ["LlamaForCausalLM"],
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": 8192,
        "initializer_range": 0.02,
        "intermediate_size": 28672,
        "max_position_embeddings": 4096,
        "model_type": "llama",
        "num_attention_heads": 64,
        "num_hidden_layers": 80,
        "num_key_value_heads": 8,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": None,
        "tie_word_embeddings": False,
        "torch_dtype": "float16",
        "transformers_version": "4.32.0.dev0",
        "use_cache": True,
        "vocab_size": 32000,
    },
    "gpt2": {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1,
        "bos_token_id": 50256,
        "embd_pdrop": 0.1,
        "eos_token_id": 50256,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2",
        "n_ctx": 1024,
        "n_embd": 768,
        "n_head": 12,
        "n_layer": 12,
        "n_positions": 1024,
        "resid_pdrop": 0.1,
        "summary_activation": None,
        "summary_first_dropout": 0.1,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "task_specific_params": {"text-generation": {"do_sample": True, "max_length": 50}},
        "vocab_size": 50257,
    },
    "bert-base-uncased": {
        "architectures": ["BertForMaskedLM"],
        "attention_probs_dropout_prob": 0.1,
        "gradient_checkpointing": False,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": 768,
        "initializer_range": 0.02,
        "intermediate_size": 3072,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": 512,
        "model_type": "bert",
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "transformers_version": "4.6.0.dev0",
        "type_vocab_size": 2,
        "use_cache": True,
        "vocab_size": 30522,
    },
    "Mixtral-8x7B-v0.1": {
        "architectures": ["MixtralForCausalLM"],
        "attention_dropout": 0.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": 4096,
        "initializer_range": 0.02,
        "intermediate_size": 14336,
        "max_position_embeddings": 32768,
        "model_type": "mixtral",
        "num_attention_heads": 32,
        "num_experts_per_tok": 2,
        "num_hidden_layers": 32,
        "num_key_value_heads": 8,
        "num_local_experts": 8,
        "output_router_logits": False,
        "rms_norm_eps": 1e-05,
        "rope_theta": 1000000.0,
        "router_aux_loss_coef": 0.02,
        "sliding_window": None,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.36.0.dev0",
        "use_cache": True,
        "vocab_size": 32000,
    },
    "t5-small": {
        "architectures": ["T5ForConditionalGeneration"],
        "d_ff": 2048,
        "d_kv": 64,
        "d_model": 512,
        "decoder_start_token_id": 0,
        "dropout_rate": 0.1,
        "eos_token_id": 1,
        "initializer_factor": 1.0,
        "is_encoder_decoder": True,
        "layer_norm_epsilon": 1e-06,
        "model_type": "t5",
        "n_positions": 512,
        "num_heads": 8,
        "num_layers": 6,
        "output_past": True,
        "pad_token_id": 0,
        "relative_attention_num_buckets": 32,
        "task_specific_params": {
            "summarization": {
                "early_stopping": True,
                "length_penalty": 2.0,
                "max_length": 200,
                "min_length": 30,
                "no_repeat_ngram_size": 3,
                "num_beams": 4,
                "prefix": "summarize: ",
            },
            "translation_en_to_de": {
                "early_stopping": True,
                "max_length": 300,
                "num_beams": 4,
                "prefix": "translate English to German: ",
            },
            "translation_en_to_fr": {
                "early_stopping": True,
                "max_length": 300,
                "num_beams": 4,
                "prefix": "translate English to French: ",
            },
            "translation_en_to_ro": {
                "early_stopping": True,
                "max_length": 300,
                "num_beams": 4,
                "prefix": "translate English to Romanian: ",
            },
        },
        "vocab_size": 32128,
    },
    "Qwen2-0.5B": {
        "architectures": ["Qwen2ForCausalLM"],
        "attention_dropout": 0.0,
        "bos_token_id": 151643,
        "eos_token_id": 151643,
        "hidden_act": "silu",
        "hidden_size": 896,
        "initializer_range": 0.02,
        "intermediate_size": 4864,
        "max_position_embeddings": 131072,
        "max_window_layers": 24,
        "model_type": "qwen2",
        "num_attention_heads": 14,
        "num_hidden_layers": 24,
        "num_key_value_heads": 2,
        "rms_norm_eps": 1e-06,
        "rope_theta": 1000000.0,
        "sliding_window": 131072,
        "tie_word_embeddings": True,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.40.1",
        "use_cache": True,
        "use_sliding_window": False,
        "vocab_size": 151936,
    },
    "Mistral-7B-v0.1": {
        "architectures": ["MistralForCausalLM"],
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": 4096,
        "initializer_range": 0.02,
        "intermediate_size": 14336,
        "max_position_embeddings": 32768,
        "model_type": "mistral",
        "num_attention_heads": 32,
        "num_hidden_layers": 32,
        "num_key_value_heads": 8,
        "rms_norm_eps": 1e-05,
        "rope_theta": 10000.0,
        "sliding_window": 4096,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.34.0.dev0",
        "use_cache": True,
        "vocab_size": 32000,
    },
}

# Extra classes to build from a config besides architectures[0].
EXTRA_CLASSES = {
    "gpt2": ["GPT2Model"],
    "bert-base-uncased": ["BertModel"],
    "t5-small": ["T5Model", "T5EncoderModel"],
    "Llama-2-7b-hf": ["LlamaModel"],
}

KNOWN_COUNTS = {
    ("Llama-2-7b-hf", "LlamaForCausalLM"): 6738415616,
    ("gpt2", "GPT2LMHeadModel"): 124439808,
    ("bert-base-uncased", "BertModel"): 109482240,
}

FULL_LISTS = {"gpt2", "t5-small", "bert-base-uncased"}
FULL_MODULES = {"Llama-2-7b-hf"}


def meta_skeleton(cls, config) -> dict:
    with torch.device("meta"):
        model = cls._from_config(config)
    sd = model.state_dict()
    storage = storage_names_meta(model)
    seen = set()
    parameter_bytes = 0
    for _, p in model.named_parameters():
        parameter_bytes += p.numel() * p.element_size()
        seen.add(id(p))
    modules = []
    for name, module in model.named_modules():
        if name == "":
            continue
        ps = list(module.parameters())
        if not ps:
            continue
        modules.append(
            {
                "name": name,
                "class": type(module).__name__,
                "parameters": sum(p.numel() for p in ps),
                "bytes": sum(p.numel() * p.element_size() for p in ps),
            }
        )
    return {
        "model": model,
        "state_dict": [
            {"name": k, "dtype": st_dtype(v.dtype), "shape": list(v.shape), "storage": storage[k]} for k, v in sd.items()
        ],
        "parameter_bytes": parameter_bytes,
        "modules": modules,
    }


def storage_names_meta(model) -> dict[str, str]:
    """On meta tensors data_ptr is 0: identify shared storage by object identity instead."""
    sd = model.state_dict(keep_vars=True)
    first: dict[int, str] = {}
    return {name: first.setdefault(id(t), name) for name, t in sd.items()}


def make_configs() -> None:
    root = reset_dir(FIXTURES / "configs")
    expected = {
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "note": "Built on the meta device with Class._from_config(config) (dtype = the config's dtype, as from_config).",
        "configs": {},
    }
    for name, cfg_json in PUBLISHED_CONFIGS.items():
        (root / name).mkdir()
        path = root / name / "config.json"
        path.write_text(json.dumps(cfg_json, indent=2, sort_keys=True) + "\n")
        classes = [cfg_json["architectures"][0]] + EXTRA_CLASSES.get(name, [])
        entries = {}
        for cls_name in classes:
            cls = getattr(transformers, cls_name)
            config = transformers.AutoConfig.from_pretrained(str(root / name))
            sk = meta_skeleton(cls, config)
            model = sk.pop("model")
            count = model.num_parameters()
            known = KNOWN_COUNTS.get((name, cls_name))
            if known is not None:
                assert count == known, (name, cls_name, count, known)
            entry = {
                "architecture": cls_name,
                "parameter_count": count,
                "parameter_bytes": sk["parameter_bytes"],
                "dtype": st_dtype(model.dtype),
                "base_model_prefix": model.base_model_prefix,
                "tied": {str(k): str(v) for k, v in model.all_tied_weights_keys.items()},
                "plans": {
                    "tp": plan_to_json(model._tp_plan),
                    "pp": plan_to_json(model._pp_plan),
                    "ep": plan_to_json(model._ep_plan),
                    "fsdp": plan_to_json(getattr(model, "_fsdp_plan", None)),
                },
                "no_split_modules": sorted(model._no_split_modules or []),
                "keep_in_fp32_modules": sorted(model._keep_in_fp32_modules or []),
                "state_dict_count": len(sk["state_dict"]),
            }
            if name in FULL_LISTS:
                entry["state_dict"] = sk["state_dict"]
            else:
                entry["state_dict_first20"] = sk["state_dict"][:20]
            if name in FULL_LISTS or name in FULL_MODULES:
                entry["modules"] = sk["modules"]
            else:
                entry["modules_first20"] = sk["modules"][:20]
            entries[cls_name] = entry
            print(f"configs/{name} {cls_name}: {count:,} params, {sk['parameter_bytes']:,} bytes")
        expected["configs"][name] = entries
    write_json(root / "expected_counts.json", expected)
    make_device_maps(root)
    make_module_trees(root)


# Llama-2-70b-hf has the same classes as Llama-2-7b-hf, only more layers: its tree adds nothing.
TREE_SKIP = {"Llama-2-70b-hf"}

# Configs (as config.json would hold them) for the corners of the module trees the published and tiny
# configs miss: cross-attention, gated feed-forward, other activations, scaled and partial RoPE.
SYNTHETIC_TREES = {
    "gpt2-cross-attention": ("GPT2LMHeadModel", {
        "model_type": "gpt2", "n_layer": 1, "n_embd": 16, "n_head": 2, "vocab_size": 32, "n_positions": 8,
        "add_cross_attention": True, "activation_function": "relu", "bos_token_id": 0, "eos_token_id": 0}),
    "t5-gated-gelu": ("T5ForConditionalGeneration", {
        "model_type": "t5", "vocab_size": 32, "d_model": 16, "d_kv": 4, "d_ff": 24, "num_layers": 2,
        "num_decoder_layers": 1, "num_heads": 2, "feed_forward_proj": "gated-gelu"}),
    "llama3-rope": ("LlamaForCausalLM", {
        "model_type": "llama", "vocab_size": 32, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 1,
        "num_attention_heads": 2, "head_dim": 10, "max_position_embeddings": 64, "rope_theta": 500000.0,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 32},
        "hidden_act": "gelu_pytorch_tanh"}),
    "qwen2-partial-linear-rope": ("Qwen2ForCausalLM", {
        "model_type": "qwen2", "vocab_size": 32, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 1,
        "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": 64,
        "rope_scaling": {"rope_type": "linear", "factor": 2.0, "partial_rotary_factor": 0.5}}),
    "bert-relu": ("BertForMaskedLM", {
        "model_type": "bert", "vocab_size": 32, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 24, "max_position_embeddings": 16, "hidden_act": "relu"}),
}


def module_tree(model) -> dict:
    """'name Class' for every module and every buffer with its persistence."""
    buffers = []
    for module_name, module in model.named_modules():
        for buffer_name, buffer in module.named_buffers(recurse=False):
            buffers.append(
                {
                    "name": f"{module_name}.{buffer_name}" if module_name else buffer_name,
                    "dtype": st_dtype(buffer.dtype),
                    "shape": list(buffer.shape),
                    "persistent": buffer_name not in module._non_persistent_buffers_set,
                }
            )
    return {"modules": [f"{n} {type(m).__name__}" for n, m in model.named_modules()], "buffers": buffers}


def make_module_trees(root: Path) -> None:
    """Every module (stateless ones too) and every buffer (non-persistent ones too) of each class
    built from the published configs, the tiny models' configs and a few synthetic configs: what
    device maps and memory accounting walk."""
    trees: dict = {}
    for name, cfg_json in PUBLISHED_CONFIGS.items():
        if name in TREE_SKIP:
            continue
        trees[name] = {}
        for cls_name in [cfg_json["architectures"][0]] + EXTRA_CLASSES.get(name, []):
            config = transformers.AutoConfig.from_pretrained(str(root / name))
            with torch.device("meta"):
                model = getattr(transformers, cls_name)._from_config(config)
            trees[name][cls_name] = module_tree(model)
    models: dict = {}
    for folder, cls_name, factory, *_ in MODELS:
        config = factory()
        config.architectures = [cls_name]
        with torch.device("meta"):
            model = getattr(transformers, cls_name)._from_config(config)
        models[folder] = {"architecture": cls_name, **module_tree(model)}
    synthetic: dict = {}
    for name, (cls_name, cfg_json) in SYNTHETIC_TREES.items():
        kwargs = {k: v for k, v in cfg_json.items() if k != "model_type"}
        config = transformers.AutoConfig.for_model(cfg_json["model_type"], **kwargs)
        with torch.device("meta"):
            model = getattr(transformers, cls_name)._from_config(config)
        synthetic[name] = {"architecture": cls_name, "config": cfg_json, **module_tree(model)}
    write_json(
        root / "expected_module_trees.json",
        {
            "transformers_version": transformers.__version__,
            "note": "Class._from_config(config) on the meta device. modules: 'name Class' for every entry of "
            "named_modules() in order (the root named ''), stateless modules (Dropout, activations, rotary "
            "embeddings) included. buffers: every buffer in named_modules() order with its dtype, shape and "
            "whether it is persistent (in state_dict). configs: the published configs beside this file; models: "
            "the tiny models' configs (models/<folder>/config.json); synthetic: the config given inline.",
            "configs": trees,
            "models": models,
            "synthetic": synthetic,
        },
    )


# (config folder, class, --max-memory spec, dtype or None[, no_split override]); the first eight are the
# original cases, the rest cover the Llama-2-7B / Mixtral-8x7B / GPT-2 budgets and the corners
# of the algorithm (no disk in the spec, disk only, plain byte counts, fractions, empty no_split lists
# that split layers down to single parameters, several tied groups, keep-in-fp32 under F16).
DEVICE_MAP_CASES = [
    ("Llama-2-7b-hf", "LlamaForCausalLM", "0=4GB,1=4GB,cpu=4GB,disk=100GB", "F16"),
    ("Llama-2-7b-hf", "LlamaForCausalLM", "0=10GiB,cpu=30GB", "F16"),
    ("Llama-2-7b-hf", "LlamaForCausalLM", "cpu=100GB", "F16"),
    ("Llama-2-7b-hf", "LlamaForCausalLM", "0=3GB,cpu=3GB,disk=100GB", "BF16"),
    ("gpt2", "GPT2LMHeadModel", "0=200MB,cpu=200MB,disk=1GB", "F32"),
    ("t5-small", "T5ForConditionalGeneration", "0=100MB,cpu=1GB", "F32"),
    ("bert-base-uncased", "BertModel", "0=200MB,cpu=1GB", "F32"),
    ("Mixtral-8x7B-v0.1", "MixtralForCausalLM", "0=40GB,1=40GB,cpu=20GB,disk=100GB", "BF16"),
    ("Llama-2-7b-hf", "LlamaForCausalLM", "0=10GB,1=10GB,cpu=30GB,disk=1000GB", "F16"),
    ("Llama-2-7b-hf", "LlamaForCausalLM", "0=2GiB,1=1.5GiB,cpu=2500MiB", "F16"),
    ("Llama-2-7b-hf", "LlamaForCausalLM", "disk=1GB", "F16"),
    ("Llama-2-7b-hf", "LlamaForCausalLM", "0=1000000000,cpu=2000000000", "F32"),
    ("Llama-2-7b-hf", "LlamaForCausalLM", "0=1.5GB,cpu=600MB,disk=100GB", "F16", []),
    ("Llama-2-7b-hf", "LlamaModel", "0=3GB,cpu=3GB,disk=100GB", "F16"),
    ("Mixtral-8x7B-v0.1", "MixtralForCausalLM", "0=24GB,cpu=64GB", "BF16"),
    ("Mixtral-8x7B-v0.1", "MixtralForCausalLM", "0=80GiB,1=80GiB", "BF16"),
    ("Mixtral-8x7B-v0.1", "MixtralForCausalLM", "0=10GB,1=5GB,cpu=10GB,disk=200GB", "BF16", []),
    ("Mixtral-8x7B-v0.1", "MixtralForCausalLM", "cpu=50GB,disk=200GB", "F16"),
    ("gpt2", "GPT2LMHeadModel", "0=500MB", "F32"),
    ("gpt2", "GPT2LMHeadModel", "0=100MB,cpu=200MB", "F32"),
    ("gpt2", "GPT2LMHeadModel", "0=400MB,1=200MB,cpu=200MB,disk=1GB", "F32"),
    ("gpt2", "GPT2LMHeadModel", "0=200MB,cpu=150MB,disk=1GB", "F16"),
    ("gpt2", "GPT2LMHeadModel", "0=400MB,cpu=200MB,disk=1GB", "F32", []),
    ("gpt2", "GPT2Model", "0=200MB,cpu=200MB", "F32"),
    ("bert-base-uncased", "BertForMaskedLM", "0=150MB,cpu=1GB", "F32"),
    ("bert-base-uncased", "BertForMaskedLM", "0=250MB,cpu=150MB,disk=1GB", "F32", []),
    ("t5-small", "T5ForConditionalGeneration", "0=50MB,cpu=100MB,disk=1GB", "F32"),
    ("t5-small", "T5ForConditionalGeneration", "0=60MB,cpu=60MB", "F16"),
    ("t5-small", "T5EncoderModel", "0=140MB,cpu=70MB,disk=1GB", "F32"),
    ("Qwen2-0.5B", "Qwen2ForCausalLM", "0=500MB,cpu=300MB,disk=10GB", "BF16"),
    ("Mistral-7B-v0.1", "MistralForCausalLM", "0=8GiB,cpu=4GiB,disk=100GiB", "BF16"),
    ("Llama-2-70b-hf", "LlamaForCausalLM", "0=40GB,1=40GB,cpu=40GB,disk=500GB", "F16"),
    # dtype None: the model in the config's dtype and infer_auto_device_map(dtype=None), so the F32
    # rotary buffers count 4 bytes an element.
    ("Llama-2-7b-hf", "LlamaForCausalLM", "0=2000000256,cpu=1000000000", None),
]

ST_TO_TORCH = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def parse_max_memory(spec: str) -> dict:
    """`0=4GB,cpu=8GiB,disk=1000000`: accelerator ordinals become ints; a value of plain digits is a
    byte count and is passed as an int (accelerate rejects a unit-less string)."""
    out = {}
    for part in spec.split(","):
        k, v = part.split("=")
        out[int(k) if k.isdigit() else k] = int(v) if v.isdigit() else v
    return out


def make_device_maps(root: Path) -> None:
    """accelerate.infer_auto_device_map over the meta skeleton, as `pretrained plan` must reproduce."""
    import warnings

    import accelerate
    from accelerate import infer_auto_device_map
    from accelerate.utils import compute_module_sizes

    cases = []
    for name, cls_name, spec, dt, *override in DEVICE_MAP_CASES:
        cls = getattr(transformers, cls_name)
        config = transformers.AutoConfig.from_pretrained(str(root / name))
        dtype = ST_TO_TORCH[dt] if dt else None
        with torch.device("meta"):
            model = cls._from_config(config, dtype=dtype) if dtype else cls._from_config(config)
        no_split = override[0] if override else sorted(model._no_split_modules or [])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Device 0 is not available": no accelerator here
            device_map = infer_auto_device_map(
                model, max_memory=parse_max_memory(spec), no_split_module_classes=no_split, dtype=dtype
            )
        sizes = compute_module_sizes(model, dtype=dtype)
        device_bytes: dict[str, int] = {}
        for module, device in device_map.items():
            device_bytes[str(device)] = device_bytes.get(str(device), 0) + int(sizes[module])
        cases.append(
            {
                "config": name,
                "architecture": cls_name,
                "max_memory": spec,
                "dtype": dt,
                "no_split": no_split,
                "device_map": {k: v for k, v in device_map.items()},
                "device_bytes": device_bytes,
            }
        )
        print(f"device map {name} {spec}: {len(device_map)} entries, {device_bytes}")
    write_json(
        root / "expected_device_maps.json",
        {
            "accelerate_version": accelerate.__version__,
            "transformers_version": transformers.__version__,
            "note": "infer_auto_device_map(model_on_meta (built with dtype), max_memory=parsed spec, "
            "no_split_module_classes=no_split, dtype=dtype). device_bytes: sum over the map's entries of "
            "accelerate.utils.compute_module_sizes(model, dtype)[entry]: parameters and all buffers (non-persistent "
            "ones such as rotary_emb.inv_freq too); a floating tensor counts numel * min(size of dtype, size of "
            "its own dtype), an integer/bool one numel * its own size; a tied parameter counts once, under the "
            "module of its first name (named_parameters de-duplicates). device_map order: accelerate's; where "
            "clean_device_map merges modules the merged entry moves to the end, in an order that follows Python's "
            "set iteration (PYTHONHASHSEED=0 here).",
            "cases": cases,
        },
    )


# ---------------------------------------------------------------------------------------------

PARTS = {
    "safetensors": make_safetensors,
    "models": make_models,
    "cases": make_cases,
    "configs": make_configs,
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
