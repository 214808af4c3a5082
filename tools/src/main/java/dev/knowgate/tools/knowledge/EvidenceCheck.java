package dev.knowgate.tools.knowledge;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Evidence;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How often the hints that come with a quarantined example are right (not a test; the numbers
 * behind docs/curators.md). A stream of the world's fine-tuning facts with three kinds of example:
 * facts the model does not know, as they are (a hint should say nothing); facts it knows with a
 * wrong gold answer (another fact's answer of the same relation: the hint should be
 * {@code confident_other}); facts it knows with the gold answer changed into a variant its own answer
 * does not match (a word added, the first word dropped, two letters swapped: {@code near_match}). Each
 * is categorized with exact SliCK, and every one judged Unknown gets its evidence, as categorize-stream
 * gives it. Prints the hints by kind, precision and recall of each hint, examples, and what the
 * evidence cost next to the categorization. Run through {@code bin/evidence-check MODEL_DIR [N=200] [SEED=42]}.
 */
public final class EvidenceCheck {

    enum Kind { UNKNOWN_FACT, WRONG_ANSWER, MISSING_ALIAS }

    record Injected(Kind kind, Fact fact, SlickQuestion question) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: EvidenceCheck MODEL_DIR [N=200] [SEED=42]");
            System.exit(2);
        }
        ModelFolder folder = ModelFolder.open(Path.of(args[0]));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42L;
        FactWorld world = FactWorld.generate(WorldConfig.preset("standard", seed));
        long start = System.nanoTime();
        try (OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
             ModelTokenizer tokenizer = ModelTokenizer.load(folder);
             PrefixScorer prefixes = PrefixScorer.forFolder(folder, RuntimeOptions.cpu(), 0, model)) {
            ExactSlick whole = ExactSlick.forVersion(folder, model, tokenizer,
                    new ExemplarPool(ExemplarFile.read(folder.file(ExemplarFile.FILE_NAME))), SlickConfig.paper());
            // As categorize-stream runs it: shared prefixes where the version has a KV-cache export.
            ExactSlick slick = prefixes == null ? whole : whole.scoredBy(prefixes);
            System.out.printf(Locale.ROOT, "model %s, world standard seed %d, exact SliCK %s, %d of each kind%n%n",
                    folder.manifest().key(), seed, SlickConfig.paper(), n);

            // What the model knows of the pool, until there are n facts of each kind to work with.
            List<Fact> known = new ArrayList<>();
            List<Fact> unknown = new ArrayList<>();
            List<Fact> pool = world.finetunePool();
            for (int from = 0; from < pool.size() && (known.size() < 2 * n || unknown.size() < n); from += 64) {
                List<Fact> chunk = pool.subList(from, Math.min(pool.size(), from + 64)).stream()
                        .filter(f -> slick.fits(question(f, f.answer()))).toList();
                List<SlickResult> results = slick.categorize(chunk.stream().map(f -> question(f, f.answer())).toList());
                for (int i = 0; i < chunk.size(); i++) {
                    Category c = results.get(i).category();
                    if (c == Category.HIGHLY_KNOWN) {
                        known.add(chunk.get(i));
                    } else if (c == Category.UNKNOWN) {
                        unknown.add(chunk.get(i));
                    }
                }
            }
            List<Injected> stream = new ArrayList<>();
            unknown.stream().limit(n).forEach(f -> stream.add(new Injected(Kind.UNKNOWN_FACT, f, question(f, f.answer()))));
            for (int i = 0; i < n && i < known.size(); i++) {
                Fact f = known.get(i);
                stream.add(new Injected(Kind.WRONG_ANSWER, f, question(f, otherAnswer(f, pool, i))));
            }
            for (int i = 0; i < n && n + i < known.size(); i++) {
                Fact f = known.get(n + i);
                stream.add(new Injected(Kind.MISSING_ALIAS, f, question(f, variant(f.answer(), i))));
            }

            List<SlickQuestion> questions = stream.stream().map(Injected::question).toList();
            long t0 = System.nanoTime();
            List<SlickResult> verdicts = new ArrayList<>();
            for (int from = 0; from < questions.size(); from += 32) {
                verdicts.addAll(slick.categorize(questions.subList(from, Math.min(questions.size(), from + 32))));
            }
            long categorizeNanos = System.nanoTime() - t0;
            List<Injected> quarantined = new ArrayList<>();
            for (int i = 0; i < stream.size(); i++) {
                if (verdicts.get(i).category() == Category.UNKNOWN) {
                    quarantined.add(stream.get(i));
                }
            }
            long t1 = System.nanoTime();
            List<Evidence> evidence = new ArrayList<>();
            for (int from = 0; from < quarantined.size(); from += 32) {
                evidence.addAll(slick.evidence(quarantined.subList(from, Math.min(quarantined.size(), from + 32))
                        .stream().map(Injected::question).toList()));
            }
            long evidenceNanos = System.nanoTime() - t1;
            report(stream, verdicts, quarantined, evidence);
            System.out.printf(Locale.ROOT, "cost: categorizing the %d examples took %.1f s; the evidence of the %d quarantined"
                            + " %.1f s (%.0f%% of the categorization)%n", stream.size(), categorizeNanos / 1e9,
                    quarantined.size(), evidenceNanos / 1e9, 100.0 * evidenceNanos / categorizeNanos);
        }
        System.out.printf(Locale.ROOT, "wall time %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    private static void report(List<Injected> stream, List<SlickResult> verdicts, List<Injected> quarantined,
                               List<Evidence> evidence) {
        Map<Kind, Integer> sent = new EnumMap<>(Kind.class);
        stream.forEach(s -> sent.merge(s.kind(), 1, Integer::sum));
        Map<Kind, Map<Evidence.Hint, Integer>> hints = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            hints.put(k, new EnumMap<>(Evidence.Hint.class));
        }
        for (int i = 0; i < quarantined.size(); i++) {
            hints.get(quarantined.get(i).kind()).merge(evidence.get(i).hint(), 1, Integer::sum);
        }
        System.out.println("| kind | sent | quarantined (Unknown) | near_match | confident_other | none |");
        System.out.println("|---|---|---|---|---|---|");
        for (Kind k : Kind.values()) {
            Map<Evidence.Hint, Integer> h = hints.get(k);
            int q = h.values().stream().mapToInt(Integer::intValue).sum();
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |%n", k.name().toLowerCase(Locale.ROOT),
                    sent.getOrDefault(k, 0), q, h.getOrDefault(Evidence.Hint.NEAR_MATCH, 0),
                    h.getOrDefault(Evidence.Hint.CONFIDENT_OTHER, 0), h.getOrDefault(Evidence.Hint.NONE, 0));
        }
        System.out.println();
        System.out.println("| hint | right kind | given | precision | recall (of that kind quarantined) |");
        System.out.println("|---|---|---|---|---|");
        rates("near_match", Evidence.Hint.NEAR_MATCH, Kind.MISSING_ALIAS, hints);
        rates("confident_other", Evidence.Hint.CONFIDENT_OTHER, Kind.WRONG_ANSWER, hints);
        rates("none", Evidence.Hint.NONE, Kind.UNKNOWN_FACT, hints);
        System.out.println();
        // Where confident_other's threshold could be: among the quarantined that are not near matches,
        // wrong answers against facts the model does not know, by the confidence of the model's answer.
        System.out.println("| confidence >= | wrong_answer flagged (recall) | unknown_fact flagged | precision |");
        System.out.println("|---|---|---|---|");
        for (double t : new double[] {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}) {
            int wrong = 0;
            int wrongAll = 0;
            int unknown = 0;
            for (int i = 0; i < quarantined.size(); i++) {
                Evidence e = evidence.get(i);
                Kind k = quarantined.get(i).kind();
                if (k == Kind.WRONG_ANSWER) {
                    wrongAll++;
                }
                if (e.hint() == Evidence.Hint.NEAR_MATCH || e.modelAnswer() == null || e.confidence() < t) {
                    continue;
                }
                if (k == Kind.WRONG_ANSWER) {
                    wrong++;
                } else if (k == Kind.UNKNOWN_FACT) {
                    unknown++;
                }
            }
            System.out.printf(Locale.ROOT, "| %.1f | %d (%.3f) | %d | %s |%n", t, wrong, wrongAll == 0 ? 0 : (double) wrong / wrongAll,
                    unknown, wrong + unknown == 0 ? "-" : String.format(Locale.ROOT, "%.3f", (double) wrong / (wrong + unknown)));
        }
        System.out.println();
        // A few of each, as a curator sees them.
        Map<Kind, Integer> shown = new LinkedHashMap<>();
        for (int i = 0; i < quarantined.size(); i++) {
            Injected s = quarantined.get(i);
            if (shown.merge(s.kind(), 1, Integer::sum) <= 3) {
                Evidence e = evidence.get(i);
                System.out.printf(Locale.ROOT, "%-13s %-50s gold: %-24s the model says: %-24s (p %.2f) hint %s%n",
                        s.kind().name().toLowerCase(Locale.ROOT), s.fact().question(), s.question().answer(),
                        e.modelAnswer(), e.confidence(), e.hint().wireName());
            }
        }
        System.out.println();
    }

    private static void rates(String name, Evidence.Hint hint, Kind right, Map<Kind, Map<Evidence.Hint, Integer>> hints) {
        int given = hints.values().stream().mapToInt(h -> h.getOrDefault(hint, 0)).sum();
        int correct = hints.get(right).getOrDefault(hint, 0);
        int ofKind = hints.get(right).values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %s | %s |%n", name, right.name().toLowerCase(Locale.ROOT), given,
                given == 0 ? "-" : String.format(Locale.ROOT, "%.3f (%d/%d)", (double) correct / given, correct, given),
                ofKind == 0 ? "-" : String.format(Locale.ROOT, "%.3f (%d/%d)", (double) correct / ofKind, correct, ofKind));
    }

    private static SlickQuestion question(Fact f, String gold) {
        return new SlickQuestion(f.toExample().id(), f.relation().name(), f.question(), gold, List.of());
    }

    /** Another fact's answer of the same relation: a plausible wrong gold answer. */
    private static String otherAnswer(Fact f, List<Fact> pool, int i) {
        List<Fact> same = pool.stream().filter(o -> o.relation().equals(f.relation()) && !o.answer().equals(f.answer())).toList();
        return same.get((i * 7919 + 13) % same.size()).answer();
    }

    /**
     * A variant of the answer that names the same thing and that exact match misses: a qualifying
     * word added, the first word dropped (of a name of several), or two inner letters swapped.
     */
    static String variant(String answer, int i) {
        String[] words = answer.split(" ");
        return switch (i % 3) {
            case 0 -> answer + (i % 2 == 0 ? " City" : " Group");
            case 1 -> words.length > 1 ? answer.substring(answer.indexOf(' ') + 1) : "Saint " + answer;
            default -> swapInner(answer);
        };
    }

    private static String swapInner(String answer) {
        int at = answer.length() / 2;
        if (at < 1 || at + 1 >= answer.length() || answer.charAt(at) == ' ' || answer.charAt(at + 1) == ' '
                || answer.charAt(at) == answer.charAt(at + 1)) {
            return answer + "s";
        }
        char[] c = answer.toCharArray();
        char t = c[at];
        c[at] = c[at + 1];
        c[at + 1] = t;
        return new String(c);
    }
}
