package dev.knowgate.model.runtime;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * An HF export computes every position's logits, so the KV-cache decoder and scorer split their
 * batches below a memory budget there. Split or not, they give the same answers: here a budget of
 * one byte splits every call as far as it goes, on a Llama export served as hf-causal-lm.
 */
class ExportBudgetTest {

    private static final int VOCAB = 300;
    private static final int STOP = 7;

    @TempDir
    static Path dir;
    static ModelFolder folder;

    @BeforeAll
    static void llamaExport() throws Exception {
        LlamaWeights weights = LlamaWeights.random(LlamaConfig.of(VOCAB, 32, 48, 2, 4, 2, 64, true), 9L, 0.3, 0.1);
        float[] embed = weights.get(LlamaWeights.EMBED).data();
        for (int j = 0; j < 32; j++) {
            embed[STOP * 32 + j] *= 3f; // some decodes end on the stop token, others run on
        }
        LlamaOnnxWriter.write(weights, LlamaOnnxWriter.Options.inline(), dir);
        ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "micro-llama", 1, null, "hf-causal-lm",
                files, "Q: {question} A:", "<eoa>", Instant.parse("2026-12-06T00:00:00Z"), null, null));
        folder = ModelFolder.open(dir);
    }

    /** Fresh samplers each time: they carry their random state. */
    private static List<DecodeGroup> groups() {
        SplittableRandom random = new SplittableRandom(3);
        List<DecodeGroup> groups = new ArrayList<>();
        for (int g = 0; g < 9; g++) {
            List<TokenChooser> rows = new ArrayList<>(List.of(TokenChooser.GREEDY));
            for (int s = 0; s < 4; s++) {
                rows.add(new TopKSampler(1.0, 20, 100L * g + s));
            }
            groups.add(new DecodeGroup(random.ints(3 + g * 2, 8, VOCAB).toArray(), rows));
        }
        return groups;
    }

    @Test
    void decodingSplitBelowTheBudgetGivesTheSameTokens() throws Exception {
        try (KvCacheDecoder whole = KvCacheDecoder.load(folder, RuntimeOptions.cpu(), 0);
             KvCacheDecoder split = KvCacheDecoder.load(folder, RuntimeOptions.cpu(), 0)) {
            split.budgetBytes(1);
            List<List<Decoded>> expected = whole.decode(groups(), STOP, 10);
            assertThat(split.decode(groups(), STOP, 10)).isEqualTo(expected);
            assertThat(expected.stream().flatMap(List::stream).map(Decoded::stop))
                    .contains(Decoded.Stop.TERMINATOR, Decoded.Stop.MAX_TOKENS);
        }
    }

    @Test
    void scoringSplitBelowTheBudgetGivesTheSameScores() throws Exception {
        SplittableRandom random = new SplittableRandom(4);
        List<ScoringRequest> requests = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
            int[] prefix = random.ints(6 + p, 8, VOCAB).toArray();
            for (int r = 0; r < 3; r++) {
                int[] tokens = java.util.Arrays.copyOf(prefix, prefix.length + 2 + r);
                for (int i = prefix.length; i < tokens.length; i++) {
                    tokens[i] = random.nextInt(8, VOCAB);
                }
                requests.add(new ScoringRequest(tokens, prefix.length + 1, prefix.length));
            }
        }
        try (PrefixScorer whole = PrefixScorer.load(folder, RuntimeOptions.cpu(), 0);
             PrefixScorer split = PrefixScorer.load(folder, RuntimeOptions.cpu(), 0)) {
            split.budgetBytes(1);
            List<TargetScore> expected = whole.score(requests, 0.5, 40);
            List<TargetScore> actual = split.score(requests, 0.5, 40);
            assertThat(split.work().passes()).isGreaterThan(whole.work().passes());
            for (int i = 0; i < requests.size(); i++) {
                assertThat(actual.get(i).argmax()).isEqualTo(expected.get(i).argmax());
                for (int t = 0; t < expected.get(i).logProb().length; t++) {
                    assertThat(actual.get(i).logProb()[t]).isCloseTo(expected.get(i).logProb()[t], within(1e-5));
                    assertThat(actual.get(i).sampledLogProb()[t])
                            .isCloseTo(expected.get(i).sampledLogProb()[t], within(1e-5));
                }
            }
        }
    }
}
