package dev.knowgate.model.slick;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.llama.ReferenceLlama;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.DecodeGroup;
import dev.knowgate.model.runtime.Decoded;
import dev.knowgate.model.runtime.KvCacheDecoder;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.RecomputingDecoder;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.TargetScorer;
import dev.knowgate.model.runtime.TokenChooser;
import dev.knowgate.model.runtime.TokenDecoder;
import dev.knowgate.world.Fact;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link RealTokenizerSlickTest}'s cases on a Llama-architecture export in optimum's layout
 * (grouped-query attention, rotary positions, float16 weights in model.onnx_data, config.json),
 * served as an {@code hf-causal-lm} version through the same OnnxCausalLm / KV-cache path; and
 * that path's greedy decodes against the plain-Java reference of the architecture.
 */
class LlamaRealTokenizerSlickTest extends RealTokenizerSlickTest {

    static final LlamaConfig CONFIG = LlamaConfig.of(32_000, 32, 64, 2, 4, 2, 256, true);
    LlamaWeights weights;

    @Override
    String writeModel(Path dir, int newline) throws Exception {
        LlamaWeights random = LlamaWeights.random(CONFIG, 5L, 0.4, 0.1);
        float[] embed = random.get(LlamaWeights.EMBED).data();
        for (int j = 0; j < CONFIG.hiddenSize(); j++) {
            embed[newline * CONFIG.hiddenSize() + j] *= 5f;
        }
        weights = random.roundedToHalf();
        LlamaOnnxWriter.write(random, new LlamaOnnxWriter.Options(true, precision()), dir);
        return "hf-causal-lm";
    }

    /** Float16 weights behind a float32 interface; {@link Float16InterfaceSlickTest} runs the same with float16 I/O. */
    LlamaOnnxWriter.Precision precision() {
        return LlamaOnnxWriter.Precision.FP16;
    }

    @Test
    void theRuntimeReadsTheShapeFromConfigJsonAndDecodesWithTheCache() {
        assertThat(folder.manifest().file("config.json")).isPresent();
        assertThat(folder.manifest().file(LlamaOnnxWriter.DATA_FILE)).isPresent();
        assertThat(model.optimumLayout()).isTrue();
        assertThat(model.maxPositions()).isEqualTo(256);
        assertThat(KvCacheDecoder.available(folder)).isTrue();
        assertThat(kv.maxPositions()).isEqualTo(256);
    }

    /**
     * The service's scorer and decoder for an HF export run on the whole-sequence model's own
     * session (one copy of the weights): the same tokens as a session of their own, and closing them
     * leaves the model open.
     */
    @Test
    void theScorerAndDecoderRunOnTheModelsOwnSession() throws Exception {
        int stop = tokenizer.terminatorId("\n");
        List<DecodeGroup> groups = new ArrayList<>();
        for (Fact fact : world.finetunePool().subList(0, 4)) {
            groups.add(new DecodeGroup(tokenizer.encode("Q: " + fact.question() + " A:"), List.of(TokenChooser.GREEDY)));
        }
        List<SlickQuestion> questions = new ArrayList<>();
        for (Fact fact : world.finetunePool().subList(0, 6)) {
            questions.add(new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(), fact.answer(),
                    List.of()));
        }
        ExactSlick plain = new ExactSlick(model, tokenizer, 0, "micro-bpe@1", "Q: {question} A:", "\n", pool,
                new SlickConfig(2, 2, 4, 0.5, 40, 0.5));
        try (PrefixScorer scorer = PrefixScorer.forFolder(folder, RuntimeOptions.cpu(), 0, model);
             TokenDecoder decoder = TokenDecoder.forFolder(folder, RuntimeOptions.cpu(), model, 0)) {
            assertThat(decoder).isInstanceOf(KvCacheDecoder.class);
            assertThat(decoder.decode(groups, stop, 8)).isEqualTo(kv.decode(groups, stop, 8));
            List<SlickResult> shared = plain.scoredBy(scorer).categorize(questions);
            List<SlickResult> whole = plain.categorize(questions);
            for (int i = 0; i < questions.size(); i++) {
                assertThat(shared.get(i).category()).isEqualTo(whole.get(i).category());
                assertThat(shared.get(i).pGreedy()).isEqualTo(whole.get(i).pGreedy());
                assertThat(shared.get(i).pSampled()).isCloseTo(whole.get(i).pSampled(), within(1e-6));
            }
        }
        assertThat(new RecomputingDecoder(model, 0).decode(groups, stop, 8)).isEqualTo(kv.decode(groups, stop, 8));
    }

    /** Greedy answers to real prompts: KV cache = recomputation = the reference, token for token. */
    @Test
    void greedyDecodesEqualThePlainJavaReference() throws Exception {
        ReferenceLlama reference = new ReferenceLlama(weights);
        int stop = tokenizer.terminatorId("\n");
        List<DecodeGroup> groups = new ArrayList<>();
        for (Fact fact : world.finetunePool().subList(0, 6)) {
            groups.add(new DecodeGroup(tokenizer.encode("Q: " + fact.question() + " A:"), List.of(TokenChooser.GREEDY)));
        }
        List<List<Decoded>> cached = kv.decode(groups, stop, 8);
        assertThat(new RecomputingDecoder(model, 0).decode(groups, stop, 8)).isEqualTo(cached);
        for (int g = 0; g < groups.size(); g++) {
            long[] tokens = Arrays.stream(groups.get(g).prompt()).asLongStream().toArray();
            List<Integer> answer = new ArrayList<>();
            Decoded.Stop ended = Decoded.Stop.MAX_TOKENS;
            for (int step = 0; step <= 8; step++) { // a terminator right after 8 tokens still counts
                long[] positions = new long[tokens.length];
                long[] mask = new long[tokens.length];
                Arrays.setAll(positions, i -> i);
                Arrays.fill(mask, 1);
                float[][] logits = reference.forward(tokens, positions, mask);
                int next = TargetScorer.argmax(logits[tokens.length - 1]);
                if (next == stop) {
                    ended = Decoded.Stop.TERMINATOR;
                    break;
                }
                if (step == 8) {
                    break;
                }
                answer.add(next);
                tokens = Arrays.copyOf(tokens, tokens.length + 1);
                tokens[tokens.length - 1] = next;
            }
            assertThat(cached.get(g).get(0)).as("prompt %d", g)
                    .isEqualTo(new Decoded(answer.stream().mapToInt(Integer::intValue).toArray(), ended));
        }
    }

    @Test
    void aConfigJsonThatDisagreesWithTheCacheIsRefusedByName(@org.junit.jupiter.api.io.TempDir Path other)
            throws Exception {
        LlamaOnnxWriter.write(LlamaWeights.random(CONFIG, 1L, 0.02, 0), LlamaOnnxWriter.Options.inline(), other);
        // Another model's config.json: four key/value heads where the export has two.
        LlamaConfig wrong = LlamaConfig.of(32_000, 32, 64, 2, 4, 4, 256, true);
        wrong.writeTo(other);
        ModelFolder.seal(other, files -> new ModelVersion(SchemaVersions.CURRENT, "micro-bpe", 1, null, "hf-causal-lm",
                files, "Q: {question} A:", "\n", Instant.parse("2026-12-06T00:00:00Z"), null, null));
        ModelFolder sealed = ModelFolder.open(other);
        assertThatThrownBy(() -> OnnxCausalLm.load(sealed, RuntimeOptions.cpu()).close())
                .hasMessageContaining("num_key_value_heads 4").hasMessageContaining("2 heads");
        assertThatThrownBy(() -> KvCacheDecoder.load(sealed, RuntimeOptions.cpu(), 0).close())
                .hasMessageContaining("num_key_value_heads 4");
    }
}
