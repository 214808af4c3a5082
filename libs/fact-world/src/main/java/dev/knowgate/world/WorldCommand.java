package dev.knowgate.world;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Generates a world and writes its files plus tokenizer.json:
 * {@code WorldCommand [--seed N] [--preset micro|standard] --out DIR}.
 * Defaults: seed {@value #DEFAULT_SEED}, preset standard. Exit code 0 on success, 2 on bad usage.
 */
public final class WorldCommand {

    public static final long DEFAULT_SEED = 42;
    static final String USAGE = "usage: WorldCommand [--seed N] [--preset micro|standard] --out DIR";

    private WorldCommand() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        long seed = DEFAULT_SEED;
        String preset = "standard";
        Path dir = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, arg));
                    case "--preset" -> preset = value(args, ++i, arg);
                    case "--out" -> dir = Path.of(value(args, ++i, arg));
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            if (dir == null) {
                throw new IllegalArgumentException("--out DIR is required");
            }
            WorldConfig config = WorldConfig.preset(preset, seed);
            long start = System.nanoTime();
            FactWorld world = FactWorld.generate(config);
            long generated = System.nanoTime();
            Map<String, Integer> files = WorldFiles.writeAll(world, dir);
            long written = System.nanoTime();
            out.printf(Locale.ROOT, "fact-world seed=%d preset=%s -> %s%n", seed, preset.toLowerCase(Locale.ROOT), dir.toAbsolutePath());
            out.printf(Locale.ROOT, "  entities %d, relations %d, facts %d (finetune %d, dev %d, probe %d), vocabulary %d tokens%n",
                    world.entities().size(), world.relations().size(), world.facts().size(), world.finetunePool().size(),
                    world.dev().size(), world.probes().size(), world.vocabulary().size() + WorldTokenizer.SPECIAL_TOKENS.size());
            files.forEach((name, lines) -> out.printf(Locale.ROOT, "  %-15s %d%n", name, lines));
            out.printf(Locale.ROOT, "  generated in %d ms, written in %d ms%n",
                    (generated - start) / 1_000_000, (written - generated) / 1_000_000);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (java.io.IOException e) {
            err.println("error: cannot write " + dir + ": " + e.getMessage());
            return 1;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
