package dev.knowgate.tools.models;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.Decoded;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.TargetScore;
import dev.knowgate.model.runtime.TargetScorer;
import dev.knowgate.model.slick.ExactSlick;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The import's cache check with float16 logits: a cached answer that chose a near-tie runner-up
 * passes (where it parts from recomputation is reported), one that chose a token recomputation
 * clearly rejects does not, and float32 exports get no such allowance.
 */
class CacheCheckNearTieTest {

    private static final LlamaConfig SHAPE = LlamaConfig.of(500, 32, 64, 2, 4, 2, 64, true);

    @TempDir
    Path tmp;

    @Test
    void aFloat16CacheMayPartFromRecomputationAtANearTieOnly() throws Exception {
        try (OnnxCausalLm model = load("fp16", LlamaOnnxWriter.Precision.FP16_IO)) {
            int[] prompt = nearTiePrompt(model);
            float[] row = lastRow(model, prompt);
            int best = TargetScorer.argmax(row);
            int runnerUp = runnerUp(row, best);
            int worst = worst(row);
            assertThat(OptimumImport.nearTie(model, prompt, new Decoded(new int[] {runnerUp}, Decoded.Stop.MAX_TOKENS), 0))
                    .isZero();
            assertThat(OptimumImport.nearTie(model, prompt, new Decoded(new int[] {worst}, Decoded.Stop.MAX_TOKENS), 0))
                    .isEqualTo(-1);
            // After the tie, every later choice must be recomputation's own again.
            assertThat(OptimumImport.nearTie(model, prompt, new Decoded(new int[] {best, worst}, Decoded.Stop.MAX_TOKENS), 0))
                    .isEqualTo(-1);
        }
        try (OnnxCausalLm model = load("fp32", LlamaOnnxWriter.Precision.FP32)) {
            int[] prompt = nearTiePrompt(model);
            int runnerUp = runnerUp(lastRow(model, prompt), TargetScorer.argmax(lastRow(model, prompt)));
            assertThat(OptimumImport.nearTie(model, prompt, new Decoded(new int[] {runnerUp}, Decoded.Stop.MAX_TOKENS), 0))
                    .isEqualTo(-1);
        }
    }

    private OnnxCausalLm load(String name, LlamaOnnxWriter.Precision precision) throws Exception {
        Path dir = tmp.resolve(name);
        LlamaOnnxWriter.write(LlamaWeights.random(SHAPE, 7L, 0.3, 0.1), new LlamaOnnxWriter.Options(false, precision), dir);
        ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "tie", 1, null, "hf-causal-lm", files,
                "Q: {question} A:", "\n", Instant.parse("2026-12-07T00:00:00Z"), null, null));
        return OnnxCausalLm.load(ModelFolder.open(dir), RuntimeOptions.cpu());
    }

    /** A short prompt whose next-token choice is a near-tie in float16 (the first of many tried). */
    private static int[] nearTiePrompt(OnnxCausalLm model) throws Exception {
        for (int first = 1; first < 400; first++) {
            int[] prompt = {first, 7, 42};
            float[] row = lastRow(model, prompt);
            int best = TargetScorer.argmax(row);
            if (TargetScore.lead(row[best], row[runnerUp(row, best)]) <= ExactSlick.FLOAT16_NEAR_TIE / 2) {
                return prompt;
            }
        }
        throw new AssertionError("no near-tie among 399 prompts");
    }

    private static float[] lastRow(OnnxCausalLm model, int[] prompt) throws Exception {
        return model.forward(List.of(prompt), 0, l -> l.row(0, prompt.length - 1, new float[l.vocab()]));
    }

    private static int runnerUp(float[] row, int best) {
        int second = best == 0 ? 1 : 0;
        for (int i = 0; i < row.length; i++) {
            if (i != best && row[i] > row[second]) {
                second = i;
            }
        }
        return second;
    }

    private static int worst(float[] row) {
        int worst = 0;
        for (int i = 1; i < row.length; i++) {
            worst = row[i] < row[worst] ? i : worst;
        }
        return worst;
    }
}
