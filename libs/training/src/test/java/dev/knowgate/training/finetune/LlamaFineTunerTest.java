package dev.knowgate.training.finetune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.training.llama.DjlLlama;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.QaFormat;
import dev.knowgate.world.WorldConfig;
import dev.knowgate.world.WorldTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same round on the Llama architecture (grouped-query attention, untied head): it learns its
 * examples, leaves frozen groups (by LlamaForCausalLM's names) untouched, and self-distillation keeps
 * it closer to its teacher on what it did not train on.
 */
class LlamaFineTunerTest {

    @TempDir
    static Path dir;
    static ModelTokenizer tokenizer;
    static LlamaWeights start;
    static List<QaSequence> train;
    static List<QaSequence> other;

    @BeforeAll
    static void micro() throws Exception {
        FactWorld world = FactWorld.generate(WorldConfig.micro(5L));
        tokenizer = ModelTokenizer.load(WorldTokenizer.write(world, dir.resolve("tokenizer.json")));
        int vocab = WorldTokenizer.tokens(world.vocabulary()).size();
        start = LlamaWeights.random(LlamaConfig.of(vocab, 32, 64, 2, 4, 2, 32, false), 7L, 0.05, 0);
        List<Fact> pool = world.finetunePool();
        train = pool.subList(0, 24).stream().map(LlamaFineTunerTest::qa).toList();
        other = pool.subList(24, 48).stream().map(LlamaFineTunerTest::qa).toList();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static QaSequence qa(Fact f) {
        return QaSequence.of(tokenizer, QaFormat.PROMPT_TEMPLATE, QaFormat.ANSWER_TERMINATOR, f.question(), f.answer());
    }

    private static FineTuneConfig config(int epochs, double lambda) {
        return new FineTuneConfig(epochs, 8, 3e-3f, 0f, lambda, FrozenGroups.none(), epochs, 1L);
    }

    @Test
    void aLlamaRoundTeachesItsExamplesAndReturnsTheBestEpoch() {
        FineTuner.Result<LlamaWeights> r = new FineTuner(config(40, 0))
                .run(FineTuner.Architecture.LLAMA, start, start, train, train, null);
        assertThat(r.devAccuracyBefore()).isLessThan(0.1);
        assertThat(r.bestDevAccuracy()).isGreaterThan(0.6);
        assertThat(r.weights().config()).isEqualTo(start.config());
        assertThat(r.epochs().get(r.epochs().size() - 1).crossEntropy()).isLessThan(r.epochs().get(0).crossEntropy());
        assertThat(accuracy(r.weights(), train)).as("the returned weights are the best epoch's")
                .isEqualTo(r.bestDevAccuracy());
    }

    @Test
    void llamaParameterGroupsFreeze() {
        FineTuneConfig frozen = config(3, 0).withFrozen(FrozenGroups.parse(List.of("embeddings", "norms", "layers:0-0")));
        LlamaWeights after = new FineTuner(frozen).run(FineTuner.Architecture.LLAMA, start, start, train, List.of(), null)
                .weights();
        for (String name : List.of(LlamaWeights.EMBED, LlamaWeights.FINAL_NORM, "model.layers.1.input_layernorm.weight",
                "model.layers.0.self_attn.q_proj.weight", "model.layers.0.mlp.down_proj.weight")) {
            assertThat(Arrays.equals(after.get(name).data(), start.get(name).data())).as(name + " frozen").isTrue();
        }
        for (String name : List.of(LlamaWeights.LM_HEAD, "model.layers.1.self_attn.k_proj.weight",
                "model.layers.1.mlp.gate_proj.weight")) {
            assertThat(Arrays.equals(after.get(name).data(), start.get(name).data())).as(name + " trains").isFalse();
        }
    }

    @Test
    void selfDistillationKeepsALlamaCloserToItsTeacher() {
        LlamaWeights plain = new FineTuner(config(15, 0))
                .run(FineTuner.Architecture.LLAMA, start, start, train, List.of(), null).weights();
        LlamaWeights distilled = new FineTuner(config(15, 2.0))
                .run(FineTuner.Architecture.LLAMA, start, start, train, List.of(), null).weights();
        assertThat(FineTuner.answerKl(FineTuner.Architecture.LLAMA, start, distilled, other))
                .as("KL(start || distilled) vs KL(start || plain) on unseen questions")
                .isLessThan(FineTuner.answerKl(FineTuner.Architecture.LLAMA, start, plain, other));
        LlamaWeights wider = LlamaWeights.random(LlamaConfig.of(start.config().vocabSize(), 32, 64, 3, 4, 2, 32, false),
                7L, 0.05, 0);
        assertThatThrownBy(() -> new FineTuner(config(1, 1.0))
                .run(FineTuner.Architecture.LLAMA, start, wider, train, List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("architecture");
    }

    private static double accuracy(LlamaWeights weights, List<QaSequence> sequences) {
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager();
             DjlLlama model = DjlLlama.fromWeights(m, weights)) {
            return FineTuner.accuracy(model, m, sequences);
        }
    }
}
