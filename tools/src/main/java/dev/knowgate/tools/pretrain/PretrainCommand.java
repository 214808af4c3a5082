package dev.knowgate.tools.pretrain;

import java.nio.file.Path;

/**
 * bin/pretrain: pre-trains knowgate-base@1 on a fact world.
 *
 * <pre>
 * --seed 42  --preset micro|standard (standard)  --out DIR (var/models/knowgate-base-1)
 * --d-model 128  --layers 4  --heads 4  --max-positions 128
 * --epochs 7  --batch-size 16  --lr 3e-3 (linear warm-up, cosine decay)  --warmup 0.02  --min-lr-ratio 0.1
 * --weight-decay 0.01  --threads N (PyTorch threads; 0 = all cores)  --max-minutes M (stop early, still export)
 * --max-steps N (0 = no limit)  --force (replace an existing --out)
 * --name knowgate-base  --tokenizer FILE (a published tokenizer.json; default: the world's word-level one)
 * --terminator TEXT (what ends an answer; {@code \n} for a newline; default {@code <eoa>})
 * --architecture knowgate-gpt|llama (default knowgate-gpt)  --kv-heads N (Llama's key/value heads; default --heads)
 * </pre>
 */
public final class PretrainCommand {

    private PretrainCommand() {
    }

    public static void main(String[] args) throws Exception {
        PretrainConfig c;
        try {
            c = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("pretrain: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (c == null) {
            System.out.println(usage());
            return;
        }
        new Pretrainer(c, System.out).run();
    }

    static String usage() {
        return "usage: bin/pretrain [--seed 42] [--preset micro|standard] [--out DIR] [--d-model 128] [--layers 4]"
                + " [--heads 4] [--max-positions 128] [--epochs 7] [--batch-size 16] [--lr 3e-3] [--warmup 0.02]"
                + " [--min-lr-ratio 0.1] [--weight-decay 0.01] [--threads 0] [--max-minutes 0] [--max-steps 0]"
                + " [--force] [--name knowgate-base] [--tokenizer FILE] [--terminator <eoa>|\\n]"
                + " [--architecture knowgate-gpt|llama] [--kv-heads N]";
    }

    /** The options, or null for --help. */
    public static PretrainConfig parse(String[] args) {
        PretrainConfig d = PretrainConfig.defaults();
        long seed = d.seed();
        String preset = d.preset();
        Path out = d.out();
        int dModel = d.dModel(), layers = d.layers(), heads = d.heads(), maxPositions = d.maxPositions();
        int epochs = d.epochs(), batchSize = d.batchSize(), threads = d.threads(), maxSteps = d.maxSteps();
        float lr = d.lr(), weightDecay = d.weightDecay();
        double maxMinutes = d.maxMinutes(), warmup = d.warmupFraction(), minLrRatio = d.minLrRatio();
        boolean force = false;
        String name = d.name();
        Path tokenizer = d.tokenizer();
        String terminator = d.terminator();
        String architecture = d.architecture();
        int kvHeads = -1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (a.equals("--force")) {
                force = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--preset" -> {
                        if (!v.equals("micro") && !v.equals("standard")) {
                            throw new IllegalArgumentException("--preset must be micro or standard, got " + v);
                        }
                        preset = v;
                    }
                    case "--out" -> out = Path.of(v);
                    case "--d-model" -> dModel = Integer.parseInt(v);
                    case "--layers" -> layers = Integer.parseInt(v);
                    case "--heads" -> heads = Integer.parseInt(v);
                    case "--max-positions" -> maxPositions = Integer.parseInt(v);
                    case "--epochs" -> epochs = Integer.parseInt(v);
                    case "--batch-size" -> batchSize = Integer.parseInt(v);
                    case "--lr" -> lr = Float.parseFloat(v);
                    case "--warmup" -> warmup = Double.parseDouble(v);
                    case "--min-lr-ratio" -> minLrRatio = Double.parseDouble(v);
                    case "--weight-decay" -> weightDecay = Float.parseFloat(v);
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--max-minutes" -> maxMinutes = Double.parseDouble(v);
                    case "--max-steps" -> maxSteps = Integer.parseInt(v);
                    case "--name" -> name = v;
                    case "--tokenizer" -> tokenizer = Path.of(v);
                    case "--terminator" -> terminator = v.replace("\\n", "\n");
                    case "--architecture" -> architecture = v;
                    case "--kv-heads" -> kvHeads = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number for " + a + ": " + v);
            }
        }
        return new PretrainConfig(seed, preset, out, dModel, layers, heads, maxPositions, epochs, batchSize, lr,
                threads, maxMinutes, maxSteps, warmup, minLrRatio, weightDecay, force, name, tokenizer, terminator,
                architecture, kvHeads < 0 ? heads : kvHeads);
    }
}
