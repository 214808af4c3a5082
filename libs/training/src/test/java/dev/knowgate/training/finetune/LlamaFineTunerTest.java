package dev.knowgate.training.finetune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.training.llama.DjlLlama;
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
 * examples, leaves frozen groups (by LlamaForCausalLM's names) untouched, self-distillation keeps it
 * closer to its teacher on what it did not train on, and the ids a tied model does not have are left
 * out of the round exactly.
 */
class LlamaFineTunerTest {

    @TempDir
    static Path dir;
    static LlamaWeights start;
    static List<QaSequence> train;
    static List<QaSequence> other;

    @BeforeAll
    static void micro() throws Exception {
        MicroRound micro = MicroRound.load(dir);
        start = LlamaWeights.random(LlamaConfig.of(micro.vocab(), 32, 64, 2, 4, 2, 32, false), 7L, 0.05, 0);
        train = micro.train();
        other = micro.other();
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

    /**
     * A vocabulary with 500 ids the model does not have (zero rows of its tied embedding, as the
     * project's pre-training leaves the ids the world never shows): cross-entropy, distillation KL and
     * greedy accuracy over the ids in use plus one column for the absent ones equal those over the whole
     * vocabulary; a round trains on the ids in use, keeps the absent rows at zero and returns the model
     * at its full size.
     */
    @Test
    void idsTheModelDoesNotHaveAreLeftOutOfTheRoundExactly() {
        LlamaConfig c = start.config();
        LlamaWeights tied = LlamaWeights.random(LlamaConfig.of(c.vocabSize(), 32, 64, 2, 4, 2, 32, true), 7L, 0.05, 0);
        LlamaWeights wide = widened(tied, 500);
        LlamaWeights tuned = new FineTuner(config(3, 0)).run(FineTuner.Architecture.LLAMA, tied, tied, train,
                List.of(), null).weights();
        LlamaWeights wideTuned = widened(tuned, 500);
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager();
             DjlLlama full = DjlLlama.fromWeights(m, wide);
             DjlLlama fullTuned = DjlLlama.fromWeights(m, wideTuned);
             DjlLlama compact = DjlLlama.fromWeights(m, tied);
             DjlLlama compactTuned = DjlLlama.fromWeights(m, tuned)) {
            assertThat(FineTuner.accuracy(compactTuned, m, train, 500))
                    .isEqualTo(FineTuner.accuracy(fullTuned, m, train)).isGreaterThan(0);
            ai.djl.ndarray.NDArray[] in = batch(m, train.subList(0, 8));
            double ceFull = dev.knowgate.training.gpt.DjlGpt.loss(fullTuned.forward(in[0], in[1]), in[0], in[2]).getFloat();
            double ceCompact = dev.knowgate.training.gpt.DjlGpt.loss(compactTuned.forward(in[0], in[1]), in[0], in[2], 500)
                    .getFloat();
            assertThat(ceCompact).isCloseTo(ceFull, org.assertj.core.api.Assertions.within(1e-4));
            double klFull = kl(FineTuner.logProbs(shifted(full.forward(in[0], in[1])), 0),
                    FineTuner.logProbs(shifted(fullTuned.forward(in[0], in[1])), 0));
            double klCompact = kl(FineTuner.logProbs(shifted(compact.forward(in[0], in[1])), 500),
                    FineTuner.logProbs(shifted(compactTuned.forward(in[0], in[1])), 500));
            assertThat(klFull).isGreaterThan(0.01);
            assertThat(klCompact).isCloseTo(klFull, org.assertj.core.api.Assertions.within(1e-4 * klFull));
        }

        FineTuner.Result<LlamaWeights> r = new FineTuner(config(40, 1.0))
                .run(FineTuner.Architecture.LLAMA, wide, wide, train, train, null);
        assertThat(r.weights().config()).isEqualTo(wide.config());
        assertThat(r.bestDevAccuracy()).isGreaterThan(0.6);
        float[] embed = r.weights().get(LlamaWeights.EMBED).data();
        int d = wide.config().hiddenSize();
        for (int j = c.vocabSize() * d; j < embed.length; j++) {
            assertThat(embed[j]).as("absent row %d", j / d).isZero();
        }
    }

    /** {@code w} with {@code extra} more ids whose (tied) embedding rows are zero. */
    private static LlamaWeights widened(LlamaWeights w, int extra) {
        LlamaConfig c = w.config();
        int d = c.hiddenSize(); // a tied head: the embedding is the head
        float[] rows = java.util.Arrays.copyOf(w.get(LlamaWeights.EMBED).data(), (c.vocabSize() + extra) * d);
        java.util.Map<String, dev.knowgate.model.gpt.GptWeights.Tensor> t = new java.util.LinkedHashMap<>(w.tensors());
        t.put(LlamaWeights.EMBED, new dev.knowgate.model.gpt.GptWeights.Tensor(new int[] {c.vocabSize() + extra, d}, rows));
        return new LlamaWeights(new LlamaConfig(c.vocabSize() + extra, d, c.intermediateSize(), c.layers(), c.heads(),
                c.kvHeads(), c.headDim(), c.maxPositions(), c.rmsNormEps(), c.ropeTheta(), true, c.bosTokenId(),
                c.eosTokenId()), t);
    }

    private static ai.djl.ndarray.NDArray shifted(ai.djl.ndarray.NDArray logits) {
        return logits.get(new ai.djl.ndarray.index.NDIndex(":, :-1, :"));
    }

    /** Summed KL(p || q) over every position and column. */
    private static double kl(ai.djl.ndarray.NDArray p, ai.djl.ndarray.NDArray q) {
        return p.exp().mul(p.sub(q)).sum().getFloat();
    }

    /** ids, mask and answer mask of a batch, right-padded. */
    private static ai.djl.ndarray.NDArray[] batch(NDManager m, List<QaSequence> batch) {
        int s = batch.stream().mapToInt(q -> q.ids().length).max().orElseThrow();
        long[] ids = new long[batch.size() * s];
        long[] mask = new long[ids.length];
        long[] answers = new long[ids.length];
        for (int r = 0; r < batch.size(); r++) {
            QaSequence q = batch.get(r);
            for (int t = 0; t < q.ids().length; t++) {
                ids[r * s + t] = q.ids()[t];
                mask[r * s + t] = 1;
                answers[r * s + t] = t >= q.answerStart() ? 1 : 0;
            }
        }
        ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(batch.size(), s);
        return new ai.djl.ndarray.NDArray[] {m.create(ids, shape), m.create(mask, shape), m.create(answers, shape)};
    }

    private static double accuracy(LlamaWeights weights, List<QaSequence> sequences) {
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager();
             DjlLlama model = DjlLlama.fromWeights(m, weights)) {
            return FineTuner.accuracy(model, m, sequences);
        }
    }
}
