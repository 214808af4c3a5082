package dev.knowgate.model.runtime;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.gpt.ReferenceGpt;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A micro GPT written by the project, in its own layout and in the optimum KV-cache layout, loaded
 * through the verified-folder path: ONNX Runtime's scores equal the plain-Java reference's.
 */
class OnnxCausalLmTest {

    private static final GptConfig CONFIG = GptConfig.of(40, 32, 16, 2, 2, 64);
    private static final GptWeights WEIGHTS = GptWeights.random(CONFIG, 7L, 0.3, true);

    @TempDir
    Path dir;

    private ModelFolder folder(GptOnnxWriter.Variant variant) throws Exception {
        GptOnnxWriter.write(WEIGHTS, variant, Map.of(), dir.resolve("model.onnx"));
        ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "micro", 1, null, "knowgate-gpt",
                files, "Q: {question} A:", "<eoa>", Instant.parse("2026-11-22T00:00:00Z"), null, null));
        return ModelFolder.open(dir);
    }

    @ParameterizedTest
    @EnumSource(value = GptOnnxWriter.Variant.class, names = {"PLAIN", "KV_CACHE"}) // what a version ships
    void targetScoresEqualTheReferenceForAPaddedBatch(GptOnnxWriter.Variant variant) throws Exception {
        List<ScoringRequest> requests = List.of(
                new ScoringRequest(new int[]{5, 9, 12, 3, 7, 7, 21}, 4),
                new ScoringRequest(new int[]{8, 1, 30}, 1),
                new ScoringRequest(new int[]{2, 2, 2, 2, 2, 2, 2, 2, 2, 11}, 8));

        try (OnnxCausalLm lm = OnnxCausalLm.load(folder(variant), RuntimeOptions.cpu())) {
            assertThat(lm.vocabSize()).isEqualTo(40);
            assertThat(lm.optimumLayout()).isEqualTo(variant == GptOnnxWriter.Variant.KV_CACHE);
            List<TargetScore> scores = new TargetScorer(lm, 0).score(requests, 0.5, 5);

            ReferenceGpt reference = new ReferenceGpt(WEIGHTS);
            for (int r = 0; r < requests.size(); r++) {
                ScoringRequest request = requests.get(r);
                long[] ids = java.util.Arrays.stream(request.tokens()).asLongStream().toArray();
                long[] mask = new long[ids.length];
                java.util.Arrays.fill(mask, 1);
                float[][] logits = reference.forwardOne(ids, mask);
                TargetScore score = scores.get(r);
                for (int t = 0; t < request.targets(); t++) {
                    float[] row = logits[request.firstTarget() + t - 1];
                    int target = request.tokens()[request.firstTarget() + t];
                    assertThat(score.argmax()[t]).isEqualTo(TargetScorer.argmax(row));
                    assertThat(score.logProb()[t]).isCloseTo(TargetScorer.logSoftmaxAt(row, target, 1.0, row.length), within(1e-4));
                    double sampled = TargetScorer.logSoftmaxAt(row, target, 0.5, 5);
                    if (Double.isInfinite(sampled)) {
                        assertThat(score.sampledLogProb()[t]).isEqualTo(Double.NEGATIVE_INFINITY);
                    } else {
                        assertThat(score.sampledLogProb()[t]).isCloseTo(sampled, within(1e-4));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GptOnnxWriter.Variant.class, names = {"PLAIN", "KV_CACHE"}) // what a version ships
    void inPlaceAndCopiedLogitsAgree(GptOnnxWriter.Variant variant) throws Exception {
        List<int[]> batch = List.of(new int[]{1, 2, 3, 4, 5}, new int[]{6, 7});
        try (OnnxCausalLm lm = OnnxCausalLm.load(folder(variant), RuntimeOptions.cpu())) {
            float[][][] copied = lm.forwardCopying(batch, 0);
            float maxDiff = lm.forward(batch, 0, logits -> {
                float worst = 0;
                for (int b = 0; b < batch.size(); b++) {
                    for (int p = 0; p < batch.get(b).length; p++) {
                        for (int v = 0; v < logits.vocab(); v++) {
                            worst = Math.max(worst, Math.abs(logits.get(b, p, v) - copied[b][p][v]));
                        }
                    }
                }
                return worst;
            });
            assertThat(maxDiff).isZero();
        }
    }

    @org.junit.jupiter.api.Test
    void aTamperedModelNeverReachesOnnxRuntime() throws Exception {
        folder(GptOnnxWriter.Variant.PLAIN);
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        bytes[bytes.length - 1] ^= 1;
        Files.write(dir.resolve("model.onnx"), bytes);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelFolder.open(dir))
                .hasMessageContaining("model.onnx has sha256");
    }
}
