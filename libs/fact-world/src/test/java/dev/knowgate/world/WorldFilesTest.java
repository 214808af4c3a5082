package dev.knowgate.world;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ExampleIds;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.json.ContractJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class WorldFilesTest {

    private static final List<String> FILES = List.of(WorldFiles.PRETRAIN, WorldFiles.FINETUNE, WorldFiles.DEV,
            WorldFiles.PROBES, WorldFiles.SUMMARY, WorldFiles.TOKENIZER);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void sameSeedGivesIdenticalFilesOtherSeedDifferentOnes() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        Map<String, Integer> counts = WorldFiles.writeAll(Worlds.MICRO, a);
        WorldFiles.writeAll(FactWorld.generate(WorldConfig.micro(Worlds.SEED)), b);
        WorldFiles.writeAll(FactWorld.generate(WorldConfig.micro(Worlds.SEED + 1)), c);
        assertThat(counts.keySet()).containsExactlyElementsOf(FILES);
        for (String file : FILES) {
            assertThat(Files.readAllBytes(b.resolve(file))).as(file).isEqualTo(Files.readAllBytes(a.resolve(file)));
            if (!file.equals(WorldFiles.SUMMARY)) {
                assertThat(Files.readAllBytes(c.resolve(file))).as(file).isNotEqualTo(Files.readAllBytes(a.resolve(file)));
            }
        }
        assertThat(Files.readString(c.resolve(WorldFiles.SUMMARY))).isNotEqualTo(Files.readString(a.resolve(WorldFiles.SUMMARY)));
    }

    @Test
    void exampleFilesParseAsContractExamplesWithExposure() throws IOException {
        WorldFiles.writeAll(Worlds.MICRO, tmp);
        Set<String> pool = new HashSet<>();
        for (String file : List.of(WorldFiles.FINETUNE, WorldFiles.DEV, WorldFiles.PROBES)) {
            List<String> lines = Files.readAllLines(tmp.resolve(file), StandardCharsets.UTF_8);
            Split split = file.equals(WorldFiles.FINETUNE) ? Split.FINETUNE : file.equals(WorldFiles.DEV) ? Split.DEV : Split.PROBE;
            assertThat(lines).hasSize(Worlds.MICRO.facts(split).size());
            for (String line : lines) {
                Example example = ContractJson.read(line, Example.class);
                JsonNode node = JSON.readTree(line);
                Fact fact = Worlds.MICRO.fact(node.get(WorldFiles.FACT_ID_FIELD).asText());
                assertThat(fact.split()).isEqualTo(split);
                assertThat(node.get(WorldFiles.EXPOSURE_FIELD).asInt()).isEqualTo(fact.exposure());
                assertThat(example).isEqualTo(fact.toExample());
                assertThat(example.id()).isEqualTo(ExampleIds.of(example.question(), example.answer()));
                assertThat(example.source()).isEqualTo("fact-world");
                assertThat(example.purpose()).isEqualTo(split == Split.PROBE ? Purpose.PROBE : Purpose.TRAINING);
                assertThat(node.get("purpose").asText()).isEqualTo(split == Split.PROBE ? "probe" : "training");
                if (split == Split.FINETUNE) {
                    pool.add(example.id());
                }
            }
        }
        // The stream is shuffled, not in fact order.
        List<String> streamIds = WorldFiles.finetuneStream(Worlds.MICRO).stream().map(Fact::id).toList();
        assertThat(streamIds).isNotEqualTo(Worlds.MICRO.finetunePool().stream().map(Fact::id).toList());
        assertThat(pool).hasSize(Worlds.MICRO.finetunePool().size());
    }

    @Test
    void pretrainAndSummaryFiles() throws IOException {
        WorldFiles.writeAll(Worlds.MICRO, tmp);
        List<String> lines = Files.readAllLines(tmp.resolve(WorldFiles.PRETRAIN), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(Worlds.MICRO.pretrainingCorpus().size());
        for (int i = 0; i < lines.size(); i++) {
            PretrainDocument doc = JSON.readValue(lines.get(i), PretrainDocument.class);
            assertThat(doc).isEqualTo(Worlds.MICRO.pretrainingCorpus().get(i));
        }
        JsonNode summary = JSON.readTree(tmp.resolve(WorldFiles.SUMMARY).toFile());
        assertThat(summary.get("seed").asLong()).isEqualTo(Worlds.SEED);
        assertThat(summary.get("facts").asInt()).isEqualTo(300);
        assertThat(summary.get("relations").size()).isEqualTo(Relations.ALL.size());
        assertThat(summary.at("/relations/birthplace/facts").asInt()).isEqualTo(20);
        assertThat(summary.at("/relations/birthplace/probe").asInt()).isEqualTo(3);
        assertThat(summary.at("/entities/person").asInt()).isEqualTo(72);
        assertThat(summary.at("/splits/dev").asInt()).isEqualTo(75);
        assertThat(summary.at("/exposureCounts/probe.064").asInt()).isEqualTo(45);
        assertThat(summary.at("/pretrainDocuments/statement").asLong() + summary.at("/pretrainDocuments/qa").asLong()
                + summary.at("/pretrainDocuments/fewshot").asLong()).isEqualTo(lines.size());
        assertThat(summary.get("promptTemplate").asText()).isEqualTo("Q: {question} A:");
    }
}
