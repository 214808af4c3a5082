package dev.knowgate.model.slick;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.KvCacheDecoder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.QaFormat;
import dev.knowgate.world.WorldConfig;
import dev.knowgate.world.WorldTokenizer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The SliCK tests' fixture: the micro world (seed 11) and an untrained micro model of it, sealed in
 * a folder as micro@1 with both exports (plain and KV cache), plus the world's dev exemplars.
 *
 * @param tokenizer open; the caller closes it
 */
record MicroSlickModel(FactWorld world, ModelFolder folder, ModelTokenizer tokenizer, ExemplarPool pool) {

    static final String MODEL_KEY = "micro@1";

    static MicroSlickModel create(Path dir) throws Exception {
        FactWorld world = FactWorld.generate(WorldConfig.micro(11L));
        WorldTokenizer.write(world, dir.resolve("tokenizer.json"));
        ModelTokenizer tokenizer = ModelTokenizer.load(dir.resolve("tokenizer.json"));
        // Ids run over the special tokens and the world's words: the largest id decides the size.
        int vocab = 1 + world.vocabulary().stream().mapToInt(tokenizer::tokenId).max().orElseThrow();
        GptWeights weights = GptWeights.random(GptConfig.of(vocab, 128, 32, 2, 2, 64), 3L, 0.4, true);
        // Make the terminator likely enough that greedy decodes end within a few tokens.
        float[] wte = weights.get("wte").data();
        int eoa = tokenizer.tokenId(QaFormat.ANSWER_TERMINATOR);
        for (int j = 0; j < 32; j++) {
            wte[eoa * 32 + j] *= 6f;
        }
        GptOnnxWriter.write(weights, GptOnnxWriter.Variant.PLAIN, Map.of(), dir.resolve(OnnxCausalLm.MODEL_FILE));
        GptOnnxWriter.write(weights, GptOnnxWriter.Variant.KV_CACHE, Map.of(), dir.resolve(KvCacheDecoder.MODEL_FILE));
        ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "micro", 1, null, "knowgate-gpt", files,
                QaFormat.PROMPT_TEMPLATE, QaFormat.ANSWER_TERMINATOR, Instant.parse("2026-11-22T00:00:00Z"), null, null));
        ExemplarPool pool = new ExemplarPool(world.dev().stream()
                .map(f -> new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer())).toList());
        return new MicroSlickModel(world, ModelFolder.open(dir), tokenizer, pool);
    }
}
