package dev.knowgate.model.slick;

import ai.onnxruntime.OrtException;
import dev.knowgate.model.runtime.DecodeGroup;
import dev.knowgate.model.runtime.Decoded;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RecomputingDecoder;
import dev.knowgate.model.runtime.StopTokens;
import dev.knowgate.model.runtime.TokenChooser;
import dev.knowgate.model.runtime.TokenDecoder;

import java.util.ArrayList;
import java.util.List;

/**
 * The baseline the benchmark measures sampled SliCK against, and nothing else: each of an
 * example's K x (1 + N) decodes runs on its own, and every step recomputes the whole prompt (no KV
 * cache, no batching, no prompt shared). Same prompts, seeds and rule as {@link SampledSlick}, so
 * its verdicts are the optimised mode's.
 */
public final class NaiveSampledSlick {

    private NaiveSampledSlick() {
    }

    public static SampledSlick create(OnnxCausalLm model, ModelTokenizer tokenizer, int padId, String modelKey,
                                      String promptTemplate, String terminator, ExemplarPool pool, SlickConfig config,
                                      SampledOptions options) {
        return new SampledSlick(new OneDecodeAtATime(new RecomputingDecoder(model, padId)), tokenizer, modelKey,
                promptTemplate, terminator, pool, config, options);
    }

    /** Splits every group into single-row groups decoded one after the other. */
    private static final class OneDecodeAtATime implements TokenDecoder {

        private final TokenDecoder inner;

        OneDecodeAtATime(TokenDecoder inner) {
            this.inner = inner;
        }

        @Override
        public List<List<Decoded>> decode(List<DecodeGroup> groups, StopTokens stops, int maxNewTokens) throws OrtException {
            List<List<Decoded>> results = new ArrayList<>(groups.size());
            for (DecodeGroup group : groups) {
                List<Decoded> rows = new ArrayList<>(group.rows().size());
                for (TokenChooser chooser : group.rows()) {
                    rows.add(inner.decode(List.of(new DecodeGroup(group.prompt(), List.of(chooser))), stops,
                            maxNewTokens).get(0).get(0));
                }
                results.add(rows);
            }
            return results;
        }

        @Override
        public int maxPositions() {
            return inner.maxPositions();
        }

        @Override
        public void close() throws OrtException {
            inner.close();
        }
    }
}
