"""A random-weight decoder with transformers' LlamaForCausalLM module tree, exported by torch.onnx.export
the way optimum exports text-generation-with-past (no hub, no transformers here: the module names and
the interface are what make the graph look like optimum's).

What the tests need from it is what a real optimum export has and the project's own writer does not:
nodes named after the modules that made them (/model/layers.0/self_attn/q_proj/MatMul), projection
weights folded into anonymous transposed constants (onnx::MatMul_123), norms and the embedding under
their parameter names, and a graph the project did not write.

    python3 torch_llama_export.py OUT_DIR --vocab 32000 --hidden 64 --intermediate 96 --layers 2 \
        --heads 4 --kv-heads 2 --max-positions 64 [--tied] [--attention-bias] [--std 0.05] [--seed 7]

Writes OUT_DIR/model.onnx, config.json and generation_config.json (as transformers saves them).
With --from DIR the shape and the weights are those of a Llama folder the project wrote (config.json,
initializers under LlamaForCausalLM's names, fp32 or fp16, inline or in model.onnx_data): the same
model, re-exported by PyTorch in optimum's naming.
"""
import argparse
import json
import os

import onnx
from onnx import numpy_helper
import torch
from torch import nn
import torch.nn.functional as F


class RmsNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def repeat_kv(x, group):
    """Each key/value head for the group of query heads that reads it, as transformers writes it."""
    b, kv_heads, length, head_dim = x.shape
    return x[:, :, None, :, :].expand(b, kv_heads, group, length, head_dim).reshape(b, kv_heads * group, length, head_dim)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        d = c["hidden_size"]
        bias = c.get("attention_bias", False)  # Qwen2's query, key and value projections have biases
        self.q_proj = nn.Linear(d, self.heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.heads * self.head_dim, d, bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat((past_k, k), dim=2)
        v = torch.cat((past_v, v), dim=2)
        kk, vv = repeat_kv(k, self.heads // self.kv_heads), repeat_kv(v, self.heads // self.kv_heads)
        scores = torch.matmul(q, kk.transpose(2, 3)) / (self.head_dim ** 0.5) + bias
        out = torch.matmul(F.softmax(scores, dim=-1), vv)
        return self.o_proj(out.transpose(1, 2).reshape(b, s, self.heads * self.head_dim)), k, v


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, f = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = Mlp(c)
        self.input_layernorm = RmsNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RmsNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, x, cos, sin, bias, past_k, past_v):
        a, k, v = self.self_attn(self.input_layernorm(x), cos, sin, bias, past_k, past_v)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), k, v


class LlamaModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(DecoderLayer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RmsNorm(c["hidden_size"], c["rms_norm_eps"])
        dim = c["head_dim"]
        inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, input_ids, attention_mask, position_ids, past):
        x = self.embed_tokens(input_ids)
        freqs = position_ids.unsqueeze(-1).float() * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)
        s = input_ids.shape[1]
        total = attention_mask.shape[1]
        # Query i sits at total - s + i: it sees keys up to there, and none the mask leaves out.
        query_at = torch.arange(s, device=input_ids.device).unsqueeze(1) + (total - s)
        key_at = torch.arange(total, device=input_ids.device).unsqueeze(0)
        allowed = (key_at <= query_at).unsqueeze(0).unsqueeze(0) & attention_mask.bool().unsqueeze(1).unsqueeze(1)
        bias = torch.zeros(allowed.shape, dtype=x.dtype).masked_fill(~allowed, torch.finfo(x.dtype).min)
        presents = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, bias, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        return self.norm(x), presents


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.model = LlamaModel(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        if c["tie_word_embeddings"]:
            self.lm_head.weight = self.model.embed_tokens.weight

    def forward(self, input_ids, attention_mask, position_ids, *past):
        h, presents = self.model(input_ids, attention_mask, position_ids, past)
        return (self.lm_head(h), *presents)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--from", dest="source", help="a Llama folder the project wrote: its shape and weights")
    for flag in ("--vocab", "--hidden", "--intermediate", "--layers", "--heads", "--kv-heads", "--max-positions"):
        ap.add_argument(flag, type=int)
    ap.add_argument("--tied", action="store_true")
    ap.add_argument("--attention-bias", action="store_true", help="biases on q, k and v, as Qwen2 has")
    ap.add_argument("--std", type=float, default=0.05, help="of the random weights; norm gains are 1 +- 0.2")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if a.source:
        with open(os.path.join(a.source, "config.json")) as f:
            c = json.load(f)
        c.setdefault("head_dim", c["hidden_size"] // c["num_attention_heads"])
    else:
        missing = [k for k in ("vocab", "hidden", "intermediate", "layers", "heads", "kv_heads", "max_positions")
                   if getattr(a, k) is None]
        if missing:
            ap.error("without --from, give --" + ", --".join(m.replace("_", "-") for m in missing))
        c = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": a.vocab,
             "hidden_size": a.hidden, "intermediate_size": a.intermediate, "num_hidden_layers": a.layers,
             "num_attention_heads": a.heads, "num_key_value_heads": a.kv_heads, "head_dim": a.hidden // a.heads,
             "max_position_embeddings": a.max_positions, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
             "hidden_act": "silu", "attention_bias": a.attention_bias, "tie_word_embeddings": a.tied, "torch_dtype": "float32", "use_cache": True,
             "bos_token_id": 1, "eos_token_id": 2}
    torch.manual_seed(a.seed)
    model = LlamaForCausalLM(c).eval()
    with torch.no_grad():
        if a.source:
            inits = {t.name: t for t in onnx.load(os.path.join(a.source, "model.onnx")).graph.initializer}
            for name, p in model.named_parameters():
                if name not in inits:
                    raise SystemExit("%s: no initializer '%s'" % (a.source, name))
                p.copy_(torch.from_numpy(numpy_helper.to_array(inits[name], a.source).astype("float32")))
        else:
            for name, p in model.named_parameters():
                # Norm weights away from 1 so that a reader taking the wrong tensor shows.
                p.copy_(1 + 0.2 * torch.randn_like(p) if name.endswith("norm.weight") else a.std * torch.randn_like(p))
    kv_heads, head_dim, layers, vocab = (c["num_key_value_heads"], c["head_dim"], c["num_hidden_layers"],
                                         c["vocab_size"])

    os.makedirs(a.out, exist_ok=True)
    past_len, s = 3, 4  # traced with a past, as optimum does; every length is dynamic in the graph
    kv_shape = (1, kv_heads, past_len, head_dim)
    past = [torch.randn(kv_shape) for _ in range(2 * layers)]
    args = (torch.randint(0, vocab, (1, s)), torch.ones(1, past_len + s, dtype=torch.int64),
            torch.arange(past_len, past_len + s).unsqueeze(0), *past)
    names = [f"past_key_values.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    outputs = ["logits"] + [f"present.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for n in names:
        axes[n] = {0: "batch_size", 2: "past_sequence_length"}
    for n in outputs[1:]:
        axes[n] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}
    torch.onnx.export(model, args, os.path.join(a.out, "model.onnx"), input_names=["input_ids", "attention_mask",
                      "position_ids"] + names, output_names=outputs, dynamic_axes=axes, opset_version=14,
                      do_constant_folding=True)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    with open(os.path.join(a.out, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": c.get("bos_token_id", 1), "eos_token_id": c.get("eos_token_id", 2)}, f, indent=2)


if __name__ == "__main__":
    main()
