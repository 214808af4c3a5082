"""The project's GPT (docs/onnx-export.md) in plain PyTorch: read from a version's model.onnx, written back
with torch.onnx.export under the same contract: model.onnx (input_ids, attention_mask -> logits) and the
KV-cache variant model-kv.onnx (optimum-style names), with the same initializer names and knowgate.gpt.*
metadata, so that the DJL backend and GptOnnxReader can read a version this trainer wrote, and the other
way round.

Only what the torch trainer needs: no tokenizer library is required either (WordLevel + WhitespaceSplit,
the shipped tokenizer's kind, is read here; any other kind uses the `tokenizers` package if installed).
"""
import json
import math
import os

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn.functional as F

META_CONFIG = "knowgate.gpt.config"
META_VARIANT = "knowgate.gpt.variant"
META_FORMAT = "knowgate.gpt.format"
MASK_VALUE = -1e9  # ReferenceGpt.MASK_VALUE: added, not filled, so that a masked key gets probability 0


def expected_shapes(cfg):
    """GptWeights.expectedShapes: every parameter's name and shape, in the file's order."""
    d, f = cfg["dModel"], cfg["dFf"]
    shapes = [("wte", [cfg["vocabSize"], d]), ("wpe", [cfg["maxPositions"], d])]
    for i in range(cfg["nLayers"]):
        p = "h.%d." % i
        shapes += [(p + "ln_1.weight", [d]), (p + "ln_1.bias", [d]),
                   (p + "attn.c_attn.weight", [d, 3 * d]), (p + "attn.c_attn.bias", [3 * d]),
                   (p + "attn.c_proj.weight", [d, d]), (p + "attn.c_proj.bias", [d]),
                   (p + "ln_2.weight", [d]), (p + "ln_2.bias", [d]),
                   (p + "mlp.c_fc.weight", [d, f]), (p + "mlp.c_fc.bias", [f]),
                   (p + "mlp.c_proj.weight", [f, d]), (p + "mlp.c_proj.bias", [d])]
    return shapes + [("ln_f.weight", [d]), ("ln_f.bias", [d])]


def read_onnx(path):
    """(config dict, {name: float32 numpy array}) from a model.onnx the project wrote (either exporter)."""
    model = onnx.load(path)
    meta = {p.key: p.value for p in model.metadata_props}
    if META_CONFIG not in meta:
        raise ValueError("%s has no '%s' metadata: not a knowgate-gpt export" % (path, META_CONFIG))
    cfg = json.loads(meta[META_CONFIG])
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    weights = {}
    for name, shape in expected_shapes(cfg):
        if name not in inits:
            raise ValueError("%s: missing tensor '%s'" % (path, name))
        if list(inits[name].shape) != shape:
            raise ValueError("%s: tensor '%s' has shape %s, expected %s" % (path, name, list(inits[name].shape), shape))
        weights[name] = inits[name].astype(np.float32)
    return cfg, weights


class Gpt(torch.nn.Module):
    """Pre-LayerNorm GPT-2, learned positions, tied head; parameters under their GPT-2 names, matrices [in, out]."""

    def __init__(self, cfg, weights):
        super().__init__()
        self.cfg = cfg
        self.heads = cfg["nHeads"]
        self.eps = cfg["layerNormEps"]
        # A flat ParameterDict would put a "params." prefix on the ONNX names: plain attributes keep them.
        self.names = [n for n, _ in expected_shapes(cfg)]
        for name in self.names:
            self.register_parameter(name.replace(".", "__"), torch.nn.Parameter(torch.from_numpy(weights[name].copy())))

    def p(self, name):
        return getattr(self, name.replace(".", "__"))

    def named_weights(self):
        return [(n, self.p(n)) for n in self.names]

    def state_numpy(self):
        return {n: self.p(n).detach().cpu().numpy().copy() for n in self.names}

    def forward(self, input_ids, attention_mask):
        """The plain variant: positions from the mask, no cache."""
        positions = torch.clamp(torch.cumsum(attention_mask, dim=1) - 1, min=0)
        return self.blocks(input_ids, attention_mask, positions, None)[0]

    def blocks(self, input_ids, attention_mask, positions, past):
        """Logits and each layer's keys and values (after the head split, before scaling), over past + new tokens."""
        b, s = input_ids.shape[0], input_ids.shape[1]
        d = self.cfg["dModel"]
        h_n = self.heads
        dh = d // h_n
        total = attention_mask.shape[1]  # past + s
        x = F.embedding(input_ids, self.p("wte")) + F.embedding(positions, self.p("wpe"))
        query = torch.arange(s, device=input_ids.device) + (total - s)    # absolute index of each new token
        key = torch.arange(total, device=input_ids.device)
        future = key.unsqueeze(0) > query.unsqueeze(1)                    # [s, total]: key j after query i
        padding = (attention_mask == 0).unsqueeze(1).unsqueeze(2)          # [b, 1, 1, total]
        bias = (future.unsqueeze(0).unsqueeze(0) | padding).to(x.dtype) * MASK_VALUE  # [b, 1, s, total]
        presents = []
        for i in range(self.cfg["nLayers"]):
            p = "h.%d." % i
            h = F.layer_norm(x, (d,), self.p(p + "ln_1.weight"), self.p(p + "ln_1.bias"), self.eps)
            qkv = torch.matmul(h, self.p(p + "attn.c_attn.weight")) + self.p(p + "attn.c_attn.bias")
            qkv = qkv.reshape(b, s, 3, h_n, dh).permute(2, 0, 3, 1, 4)  # [3, b, H, s, dh]
            q, k, v = qkv[0], qkv[1], qkv[2]
            if past is not None:
                k = torch.cat([past[2 * i], k], dim=2)
                v = torch.cat([past[2 * i + 1], v], dim=2)
            presents += [k, v]
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dh) + bias
            ctx = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).reshape(b, s, d)
            x = x + torch.matmul(ctx, self.p(p + "attn.c_proj.weight")) + self.p(p + "attn.c_proj.bias")
            h2 = F.layer_norm(x, (d,), self.p(p + "ln_2.weight"), self.p(p + "ln_2.bias"), self.eps)
            f = torch.matmul(h2, self.p(p + "mlp.c_fc.weight")) + self.p(p + "mlp.c_fc.bias")
            x = x + torch.matmul(F.gelu(f), self.p(p + "mlp.c_proj.weight")) + self.p(p + "mlp.c_proj.bias")
        x = F.layer_norm(x, (d,), self.p("ln_f.weight"), self.p("ln_f.bias"), self.eps)
        return torch.matmul(x, self.p("wte").t()), presents


class KvGpt(torch.nn.Module):
    """The KV-cache variant's signature (optimum-style names), for torch.onnx.export: same parameters."""

    def __init__(self, gpt):
        super().__init__()
        self.gpt = gpt

    def forward(self, input_ids, attention_mask, position_ids, *past):
        logits, presents = self.gpt.blocks(input_ids, attention_mask, position_ids, list(past))
        return (logits, *presents)


def export_onnx(gpt, path, extra_meta, kv=False):
    """model.onnx (or, kv=True, model-kv.onnx) by torch.onnx.export, checked and given the project's names and metadata."""
    gpt = gpt.eval()
    cfg = gpt.cfg
    layers, heads, dh = cfg["nLayers"], cfg["nHeads"], cfg["dModel"] // cfg["nHeads"]
    ids = torch.tensor([[5, 6, 7], [9, 10, 0]], dtype=torch.long)
    if kv:
        past_len = 2
        module = KvGpt(gpt)
        mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]], dtype=torch.long)
        positions = torch.tensor([[2, 3, 4], [2, 3, 4]], dtype=torch.long)
        past = [torch.zeros(2, heads, past_len, dh) for _ in range(2 * layers)]
        names = ["past_key_values.%d.%s" % (i, kv_) for i in range(layers) for kv_ in ("key", "value")]
        presents = ["present.%d.%s" % (i, kv_) for i in range(layers) for kv_ in ("key", "value")]
        inputs = ["input_ids", "attention_mask", "position_ids"] + names
        outputs = ["logits"] + presents
        args = (ids, mask, positions, *past)
        axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "past_sequence + sequence"},
                "position_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch", 1: "sequence"}}
        axes.update({n: {0: "batch", 2: "past_sequence"} for n in names})
        axes.update({n: {0: "batch", 2: "past_sequence + sequence"} for n in presents})
    else:
        module = gpt
        mask = torch.tensor([[1, 1, 1], [1, 1, 0]], dtype=torch.long)
        inputs, outputs, args = ["input_ids", "attention_mask"], ["logits"], (ids, mask)
        axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                "logits": {0: "batch", 1: "sequence"}}
    tmp = path + ".tmp"
    with torch.no_grad():
        # No constant folding: it would fold Transpose(wte) into a second, renamed copy of the embedding.
        torch.onnx.export(module, args, tmp, input_names=inputs, output_names=outputs, opset_version=14,
                          do_constant_folding=False, dynamic_axes=axes)
    model = onnx.load(tmp)
    graph = model.graph
    expected = dict(expected_shapes(cfg))
    renamed = {}
    for n in expected:
        renamed[n.replace(".", "__")] = n
        renamed["gpt." + n.replace(".", "__")] = n
    for t in graph.initializer:
        t.name = renamed.get(t.name, t.name)
    for node in graph.node:
        for j, name in enumerate(node.input):
            if name in renamed:
                node.input[j] = renamed[name]
    found = [t.name for t in graph.initializer]
    if sorted(found) != sorted(expected):
        raise ValueError("exported initializers differ from the weights: %s" % sorted(set(found) ^ set(expected)))
    if [i.name for i in graph.input] != inputs or [o.name for o in graph.output] != outputs:
        raise ValueError("exported graph has inputs %s and outputs %s" % ([i.name for i in graph.input],
                                                                            [o.name for o in graph.output]))
    # The runtime reads the vocabulary, the heads and the head size from the declared shapes: make them explicit.
    declare(graph.output[0], ["batch", "sequence", cfg["vocabSize"]])
    for value in list(graph.input)[3:]:
        declare(value, ["batch", heads, "past_sequence", dh])
    for value in list(graph.output)[1:]:
        declare(value, ["batch", heads, "past_sequence + sequence", dh])
    meta = dict(extra_meta)
    meta[META_CONFIG] = json.dumps(cfg, separators=(",", ":"))
    meta[META_VARIANT] = "kv-cache" if kv else "plain"
    meta[META_FORMAT] = "1"
    del model.metadata_props[:]
    for key in sorted(meta):
        model.metadata_props.add(key=key, value=meta[key])
    model.producer_name = "knowgate-torch"
    onnx.checker.check_model(model)
    onnx.save(model, tmp)
    os.replace(tmp, path)


def declare(value, dims):
    """Sets a graph input's or output's declared shape: ints are fixed sizes, strings symbolic ones."""
    shape = value.type.tensor_type.shape
    del shape.dim[:]
    for d in dims:
        dim = shape.dim.add()
        if isinstance(d, int):
            dim.dim_value = d
        else:
            dim.dim_param = d


class Tokenizer:
    """Encodes like ModelTokenizer.encode (DJL's binding of tokenizer.json, no special tokens added)."""

    def __init__(self, path):
        spec = json.load(open(path, encoding="utf-8"))
        model = spec.get("model", {})
        pre = spec.get("pre_tokenizer") or {}
        self.vocab = None
        if model.get("type") == "WordLevel" and spec.get("normalizer") is None and pre.get("type") == "WhitespaceSplit":
            self.vocab = dict(model["vocab"])
            for t in spec.get("added_tokens", []):
                self.vocab[t["content"]] = t["id"]
            self.unk = self.vocab[model["unk_token"]]
        else:
            try:
                from tokenizers import Tokenizer as HfTokenizer
            except ImportError:
                raise SystemExit("%s is a %s tokenizer: install the `tokenizers` package to read it" % (path, model.get("type")))
            self.hf = HfTokenizer.from_file(path)

    def encode(self, text):
        if self.vocab is not None:
            return [self.vocab.get(w, self.unk) for w in text.split()]
        return self.hf.encode(text, add_special_tokens=False).ids
