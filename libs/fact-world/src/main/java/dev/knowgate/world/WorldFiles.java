package dev.knowgate.world;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.knowgate.contracts.json.ContractJson;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Writes a world to a folder: {@value #PRETRAIN}, {@value #FINETUNE}, {@value #DEV},
 * {@value #PROBES}, {@value #SUMMARY} and {@value #TOKENIZER}. UTF-8, "\n" line ends, one JSON
 * object per line, no timestamps: the same world gives the same bytes.
 */
public final class WorldFiles {

    public static final String PRETRAIN = "pretrain.jsonl";
    public static final String FINETUNE = "finetune.jsonl";
    public static final String DEV = "dev.jsonl";
    public static final String PROBES = "probes.jsonl";
    public static final String SUMMARY = "world.json";
    public static final String TOKENIZER = "tokenizer.json";
    /** The extra fields on Example lines; the contract ignores them, experiments read them. */
    public static final String EXPOSURE_FIELD = "exposure";
    public static final String FACT_ID_FIELD = "factId";

    private static final JsonMapper MAPPER = ContractJson.mapper();

    private WorldFiles() {
    }

    /** Writes every file into {@code dir} (created if needed); returns the lines (records) per file. */
    public static Map<String, Integer> writeAll(FactWorld world, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Integer> written = new LinkedHashMap<>();
        written.put(PRETRAIN, writeLines(dir.resolve(PRETRAIN),
                world.pretrainingCorpus().stream().map(ContractJson::writeString).toList()));
        written.put(FINETUNE, writeLines(dir.resolve(FINETUNE), exampleLines(finetuneStream(world))));
        written.put(DEV, writeLines(dir.resolve(DEV), exampleLines(world.dev())));
        written.put(PROBES, writeLines(dir.resolve(PROBES), exampleLines(world.probes())));
        Files.writeString(dir.resolve(SUMMARY), ContractJson.writePrettyString(summary(world)) + "\n", StandardCharsets.UTF_8);
        written.put(SUMMARY, 1);
        WorldTokenizer.write(world, dir.resolve(TOKENIZER));
        written.put(TOKENIZER, 1);
        return written;
    }

    /**
     * The demo's example stream: the fine-tuning pool in a deterministic shuffled order, so
     * relations and exposure levels arrive mixed.
     */
    public static List<Fact> finetuneStream(FactWorld world) {
        List<Fact> stream = new ArrayList<>(world.finetunePool());
        FactWorld.shuffle(stream, new SplittableRandom(world.config().seed() ^ 0x5DEECE66DL));
        return List.copyOf(stream);
    }

    /** One line: the contract Example plus {@value #EXPOSURE_FIELD} and {@value #FACT_ID_FIELD}. */
    public static String exampleLine(Fact fact) {
        ObjectNode node = MAPPER.valueToTree(fact.toExample());
        node.put(EXPOSURE_FIELD, fact.exposure());
        node.put(FACT_ID_FIELD, fact.id());
        try {
            return MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write example " + fact.id(), e);
        }
    }

    /** world.json: seed, config and counts per kind, relation, split and exposure level. */
    public static Map<String, Object> summary(FactWorld world) {
        WorldConfig config = world.config();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("generator", "knowgate-fact-world");
        summary.put("seed", config.seed());
        summary.put("config", config);
        Map<String, Integer> kinds = new TreeMap<>();
        for (EntityKind kind : EntityKind.values()) {
            kinds.put(kind.wireName(), world.entities(kind).size());
        }
        summary.put("entities", kinds);
        Map<String, Object> relations = new TreeMap<>();
        for (Relation relation : world.relations()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("subjectKind", relation.subjectKind().wireName());
            r.put("objectKind", relation.objectKind().wireName());
            r.put("questionTemplates", relation.questionTemplates().size());
            r.put("statementPhrasings", relation.statementTemplates().size());
            List<Fact> facts = world.facts(relation);
            r.put("facts", facts.size());
            for (Split split : Split.values()) {
                r.put(split.wireName(), facts.stream().filter(f -> f.split() == split).count());
            }
            relations.put(relation.name(), r);
        }
        summary.put("relations", relations);
        Map<String, Long> splits = new TreeMap<>();
        for (Split split : Split.values()) {
            splits.put(split.wireName(), (long) world.facts(split).size());
        }
        summary.put("facts", world.facts().size());
        summary.put("splits", splits);
        Map<String, Long> byLevel = new TreeMap<>();
        for (Split split : Split.values()) {
            for (Fact fact : world.facts(split)) {
                byLevel.merge(split.wireName() + "." + String.format("%03d", fact.exposure()), 1L, Long::sum);
            }
        }
        summary.put("exposureCounts", byLevel);
        Map<String, Long> docs = new TreeMap<>();
        long words = 0;
        for (PretrainDocument doc : world.pretrainingCorpus()) {
            docs.merge(doc.type(), 1L, Long::sum);
            words += doc.text().split(" ").length;
        }
        summary.put("pretrainDocuments", docs);
        summary.put("pretrainWords", words);
        summary.put("vocabularySize", world.vocabulary().size() + WorldTokenizer.SPECIAL_TOKENS.size());
        summary.put("promptTemplate", QaFormat.PROMPT_TEMPLATE);
        summary.put("answerTerminator", QaFormat.ANSWER_TERMINATOR);
        return summary;
    }

    private static List<String> exampleLines(List<Fact> facts) {
        return facts.stream().map(WorldFiles::exampleLine).toList();
    }

    private static int writeLines(Path file, List<String> lines) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String line : lines) {
                out.write(line);
                out.write('\n');
            }
        }
        return lines.size();
    }
}
