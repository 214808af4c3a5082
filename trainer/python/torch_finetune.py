"""One fine-tuning round in plain PyTorch, data-parallel under torchrun: the trainer's command backend's
worked example on an existing distributed engine (docs/trainer.md, "The trainer on torchrun").

The recipe is FineTuner's: cross-entropy on the answer tokens (and the terminator), plus distill-lambda x
KL(teacher || student) at those positions against the frozen starting weights (self-distillation), frozen
parameter groups, AdamW, global gradient-norm clipping at 1.0, and early stopping on the dev split's
greedy exact-match accuracy (the best epoch kept); without a dev split every epoch runs and the last is
kept. Each global batch is split over the workers (DistributedDataParallel, gloo, CPU); dev accuracy is
summed over the workers' shares. Rank 0 writes model.onnx and model-kv.onnx (torch.onnx.export),
tokenizer.json, exemplars.jsonl and training-log.json into --out.

Test hook (never set in production): KNOWGATE_TORCH_KILL_AT_STEP=N makes rank 1 SIGKILL itself before
its N-th step, once: only while the file named by KNOWGATE_TORCH_KILL_ONCE does not exist (it is created
first), so that a retry of the same command line succeeds.
"""
import argparse
import json
import os
import random
import shutil
import signal
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import knowgate_gpt  # noqa: E402

GRAD_CLIP = 1.0


def parse(argv):
    a = argparse.ArgumentParser(prog="bin/torch-finetune", description=__doc__.split("\n\n")[0])
    a.add_argument("--train", required=True, help="training examples, JSONL (question, answer, ...)")
    a.add_argument("--dev", help="dev split, JSONL (early stopping); none or empty: every epoch runs")
    a.add_argument("--parent", required=True, help="the model version folder to start from")
    a.add_argument("--out", required=True, help="the folder to write the new version into")
    a.add_argument("--epochs", type=int, default=8, help="epochs at most; 0 only re-exports the parent (parity checks)")
    a.add_argument("--batch-size", type=int, default=16, help="examples per step, over all workers")
    a.add_argument("--lr", type=float, default=1e-4)
    a.add_argument("--weight-decay", type=float, default=0.0)
    a.add_argument("--distill-lambda", type=float, default=1.0, help="self-distillation weight; 0 turns it off")
    a.add_argument("--freeze", default="", help="parameter groups: embeddings, attention, mlp, norms, layers:A-B")
    a.add_argument("--patience", type=int, default=2)
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--threads", type=int, default=1, help="intra-op threads per worker")
    args = a.parse_args(argv)
    # A retry of a rejected round (the command backend's environment): gentler, as the djl backend is.
    args.lr *= float(os.environ.get("KNOWGATE_LEARNING_RATE_SCALE", "1"))
    scale = float(os.environ.get("KNOWGATE_DISTILL_SCALE", "1"))
    args.distill_lambda = args.distill_lambda * scale if args.distill_lambda > 0 else (scale if scale != 1 else 0.0)
    return args


def frozen(spec):
    """FrozenGroups' parser: a predicate on GPT-2 parameter names."""
    tests = []
    for raw in [s.strip().lower() for s in spec.split(",") if s.strip()]:
        if raw == "embeddings":
            tests.append(lambda n: n in ("wte", "wpe"))
        elif raw == "attention":
            tests.append(lambda n: ".attn." in n)
        elif raw == "mlp":
            tests.append(lambda n: ".mlp." in n)
        elif raw == "norms":
            tests.append(lambda n: n.startswith("ln_f.") or ".ln_1." in n or ".ln_2." in n)
        elif raw.startswith("layers:") and "-" in raw:
            lo, hi = (int(x) for x in raw[7:].split("-"))
            tests.append(lambda n, lo=lo, hi=hi: n.startswith("h.") and lo <= int(n.split(".")[1]) <= hi)
        else:
            raise SystemExit("unknown parameter group '%s' (embeddings, attention, mlp, norms, layers:A-B)" % raw)
    return lambda n: any(t(n) for t in tests)


def sequences(path, tokenizer, manifest, max_positions):
    """QaSequence: prompt, answer, terminator; answer_start is the first answer token's index."""
    if not path or not os.path.exists(path):
        return []
    template, terminator = manifest["promptTemplate"], manifest["answerTerminator"]
    term = tokenizer.encode(terminator)
    if len(term) != 1:
        raise SystemExit("the answer terminator %r is not one token" % terminator)
    out = []
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        e = json.loads(line)
        prompt = tokenizer.encode(template.replace("{question}", e["question"]))
        ids = prompt + tokenizer.encode(e["answer"]) + term
        if len(ids) <= max_positions:
            out.append((ids, len(prompt)))
    return out


def tensors(batch):
    """ids, attention mask and answer-target mask, right-padded with 0 (FineTuner.tensors)."""
    s = max(len(ids) for ids, _ in batch)
    ids = torch.zeros(len(batch), s, dtype=torch.long)
    mask = torch.zeros(len(batch), s, dtype=torch.long)
    answers = torch.zeros(len(batch), s)
    for r, (seq, start) in enumerate(batch):
        ids[r, :len(seq)] = torch.tensor(seq)
        mask[r, :len(seq)] = 1
        answers[r, start:len(seq)] = 1
    return ids, mask, answers


def losses(logits, ids, answers, teacher_log_probs):
    """Mean cross-entropy per answer token, and mean KL(teacher || student) at the same positions."""
    w = answers[:, 1:]
    log_probs = F.log_softmax(logits[:, :-1, :], dim=-1)
    nll = -log_probs.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    denom = w.sum().clamp(min=1.0)
    ce = (nll * w).sum() / denom
    if teacher_log_probs is None:
        return ce, torch.zeros(())
    kl = (teacher_log_probs.exp() * (teacher_log_probs - log_probs)).sum(-1)
    return ce, (kl * w).sum() / denom


def correct(model, batch):
    """How many sequences have every answer token and the terminator as their position's argmax."""
    if not batch:
        return 0
    right = 0
    with torch.no_grad():
        for i in range(0, len(batch), 64):
            part = batch[i:i + 64]
            ids, mask, _ = tensors(part)
            argmax = model(ids, mask).argmax(-1)
            for r, (seq, start) in enumerate(part):
                right += all(int(argmax[r, t - 1]) == seq[t] for t in range(start, len(seq)))
    return right


def accuracy(model, dev, rank, world):
    """Dev exact-match accuracy, each worker scoring its share; the same number on every worker."""
    counts = torch.tensor([float(correct(model, dev[rank::world])), float(len(dev[rank::world]))])
    dist.all_reduce(counts)
    return float(counts[0] / counts[1]) if counts[1] > 0 else 0.0


def kill_hook(rank, step):
    """The test hook of the module docstring: rank 1 dies like a SIGKILLed worker, once."""
    at = os.environ.get("KNOWGATE_TORCH_KILL_AT_STEP")
    once = os.environ.get("KNOWGATE_TORCH_KILL_ONCE")
    if rank != 1 or not at or step != int(at) or not once or os.path.exists(once):
        return
    open(once, "w").close()
    print("rank 1: SIGKILL at step %d (KNOWGATE_TORCH_KILL_AT_STEP)" % step, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv):
    args = parse(argv)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.set_num_threads(max(1, args.threads))
    torch.manual_seed(args.seed)
    t0 = time.time()

    manifest = json.load(open(os.path.join(args.parent, "manifest.json"), encoding="utf-8"))
    cfg, weights = knowgate_gpt.read_onnx(os.path.join(args.parent, "model.onnx"))
    tokenizer = knowgate_gpt.Tokenizer(os.path.join(args.parent, "tokenizer.json"))
    train = sequences(args.train, tokenizer, manifest, cfg["maxPositions"])
    dev = sequences(args.dev, tokenizer, manifest, cfg["maxPositions"])
    if rank == 0:
        print("torch-finetune: %d train, %d dev examples, %d workers, parent %s@%s"
              % (len(train), len(dev), world, manifest["name"], manifest["version"]), flush=True)
    if not train and args.epochs > 0:
        raise SystemExit("no training example fits the model's %d positions" % cfg["maxPositions"])

    student = knowgate_gpt.Gpt(cfg, weights)
    teacher = knowgate_gpt.Gpt(cfg, weights).eval() if args.distill_lambda > 0 else None
    is_frozen = frozen(args.freeze)
    trainable = []
    for name, p in student.named_weights():
        p.requires_grad_(not is_frozen(name))
        if p.requires_grad:
            trainable.append(p)
    ddp = DistributedDataParallel(student)
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=args.weight_decay)

    before = accuracy(student, dev, rank, world)
    best, best_state, best_epoch, since_best, stopped_early = float("-inf"), None, 0, 0, False
    epochs, tokens, step, applied_total = [], 0, 0, 0
    rng = random.Random(args.seed)  # the same order on every worker
    for epoch in range(1, args.epochs + 1):
        e0 = time.time()
        order = train[:]
        rng.shuffle(order)
        ce_sum = kl_sum = 0.0
        applied = skipped = 0
        student.train()
        for i in range(0, len(order), args.batch_size):
            step += 1
            kill_hook(rank, step)
            batch = order[i:i + args.batch_size]
            tokens += sum(len(s) for s, _ in batch)
            shard = batch[rank::world] or batch[:1]  # every worker takes part in every all-reduce
            ids, mask, answers = tensors(shard)
            teacher_lp = None
            if teacher is not None:
                with torch.no_grad():
                    teacher_lp = F.log_softmax(teacher(ids, mask)[:, :-1, :], dim=-1)
            optimizer.zero_grad(set_to_none=True)
            ce, kl = losses(ddp(ids, mask), ids, answers, teacher_lp)
            (ce + args.distill_lambda * kl).backward()  # DDP averages the gradients over the workers
            norm = torch.nn.utils.clip_grad_norm_(trainable, GRAD_CLIP)
            if not torch.isfinite(norm):  # all-reduced, so every worker skips the same step
                skipped += 1
                continue
            optimizer.step()
            stats = torch.tensor([float(ce), float(kl)])
            dist.all_reduce(stats)
            ce_sum += float(stats[0]) / world
            kl_sum += float(stats[1]) / world
            applied += 1
        applied_total += applied
        student.eval()
        acc = accuracy(student, dev, rank, world)
        epochs.append({"epoch": epoch, "crossEntropy": ce_sum / applied if applied else None,
                       "kl": kl_sum / applied if applied else None, "devAccuracy": acc,
                       "seconds": time.time() - e0, "skippedSteps": skipped})
        if rank == 0:
            print("epoch %d: cross-entropy %s, kl %s, dev accuracy %.3f, %.1f s, %d steps skipped"
                  % (epoch, epochs[-1]["crossEntropy"], epochs[-1]["kl"], acc, epochs[-1]["seconds"], skipped), flush=True)
        if not dev:
            continue  # nothing to stop on: every epoch runs, the last is kept
        if acc > best:
            best, best_state, best_epoch, since_best = acc, student.state_numpy(), epoch, 0
        else:
            since_best += 1
            if since_best >= args.patience:
                stopped_early = epoch < args.epochs
                break
    if args.epochs > 0 and applied_total == 0:
        raise SystemExit("every step had a non-finite gradient; nothing was learned")
    if best_state is None:
        best_state, best_epoch = student.state_numpy(), len(epochs)

    if rank == 0:
        write_version(args, manifest, cfg, best_state, {
            "round": os.environ.get("KNOWGATE_ROUND"), "backend": "torchrun", "workers": world,
            "config": {"epochs": args.epochs, "batchSize": args.batch_size, "learningRate": args.lr,
                       "weightDecay": args.weight_decay, "distillLambda": args.distill_lambda,
                       "freeze": args.freeze, "patience": args.patience, "seed": args.seed,
                       "attempt": int(os.environ.get("KNOWGATE_ATTEMPT", "0"))},
            "trainSequences": len(train), "devSequences": len(dev),
            "devAccuracyBefore": before if dev else None, "bestEpoch": best_epoch,
            "bestDevAccuracy": best if dev else None, "stoppedEarly": stopped_early, "trainTokens": tokens,
            "trainSeconds": time.time() - t0, "epochs": epochs})
    dist.barrier()  # a worker that died during the export fails the whole job
    dist.destroy_process_group()


def write_version(args, manifest, cfg, state, log):
    os.makedirs(args.out, exist_ok=True)
    meta = {"knowgate.model.name": os.environ.get("KNOWGATE_MODEL_NAME", manifest["name"]),
            "knowgate.model.version": os.environ.get("KNOWGATE_MODEL_VERSION", "")}
    meta = {k: v for k, v in meta.items() if v}
    gpt = knowgate_gpt.Gpt(cfg, state)
    knowgate_gpt.export_onnx(gpt, os.path.join(args.out, "model.onnx"), meta)
    knowgate_gpt.export_onnx(gpt, os.path.join(args.out, "model-kv.onnx"), meta, kv=True)
    for name in ("tokenizer.json", "exemplars.jsonl"):
        if os.path.exists(os.path.join(args.parent, name)):
            shutil.copyfile(os.path.join(args.parent, name), os.path.join(args.out, name))
    with open(os.path.join(args.out, "training-log.json"), "w", encoding="utf-8") as f:
        json.dump(log, f, indent=2)
    print("torch-finetune: wrote %s (%d epochs, best %d)" % (args.out, len(log["epochs"]), log["bestEpoch"]), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
