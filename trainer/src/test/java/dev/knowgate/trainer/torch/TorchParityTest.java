package dev.knowgate.trainer.torch;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.runtime.KvCacheDecoder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.testing.TorchRuntime;
import dev.knowgate.trainer.KnownFacts;
import dev.knowgate.trainer.registry.ModelRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The torch trainer's model is the project's GPT: the parent's weights, read from its model.onnx
 * initializers and written back by torch.onnx.export without training (--epochs 0), give the same
 * logits in ONNX Runtime as the DJL path's export (GptOnnxWriter, the shipped base) within 1e-4; the
 * folder passes the registry's contract check; and GptOnnxReader reads the same weights back, so the
 * djl backend can continue a lineage the torch trainer wrote.
 */
class TorchParityTest {

    @TempDir
    Path tmp;

    @Test
    void theTorchExportOfTheStartingWeightsGivesTheDjlExportsLogits() throws Exception {
        TorchRuntime.assume();
        ModelFolder parent = ModelFolder.open(KnownFacts.BASE);
        ModelRegistry registry = ModelRegistry.withLocalKey(tmp.resolve("registry"), tmp.resolve("keys/signing.key"),
                tmp.resolve("keys/signing.pub"));
        Path staging = registry.stage("knowgate-base", 2);
        Path empty = Files.createFile(tmp.resolve("train.jsonl"));
        Path log = tmp.resolve("torchrun.log");
        Process p = new ProcessBuilder(TorchRuntime.LAUNCHER.toString(), "--", "--train", empty.toString(),
                "--parent", parent.dir().toAbsolutePath().toString(), "--out", staging.toString(), "--epochs", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("torchrun finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();

        ModelFolder torch = registry.install(staging, parent, files -> manifest(parent, files));

        // The same prompts and answers through both files, right-padded in one batch.
        List<int[]> batch = new ArrayList<>();
        try (ModelTokenizer tokenizer = ModelTokenizer.load(parent)) {
            ExemplarFile.read(parent.file("exemplars.jsonl")).stream().limit(12).forEach(e -> batch.add(tokenizer.encode(
                    parent.manifest().promptTemplate().replace("{question}", e.question()) + " " + e.answer() + " <eoa>")));
        }
        double maxDiff;
        try (OnnxCausalLm djl = OnnxCausalLm.load(parent, RuntimeOptions.cpu());
             OnnxCausalLm exported = OnnxCausalLm.load(torch, RuntimeOptions.cpu())) {
            assertThat(exported.vocabSize()).isEqualTo(djl.vocabSize());
            assertThat(exported.maxPositions()).isEqualTo(djl.maxPositions());
            assertThat(exported.optimumLayout()).isFalse();
            float[][][] a = djl.forwardCopying(batch, 0);
            float[][][] b = exported.forwardCopying(batch, 0);
            maxDiff = 0;
            for (int r = 0; r < batch.size(); r++) {
                for (int t = 0; t < batch.get(r).length; t++) { // logits at padding positions are undefined
                    for (int v = 0; v < a[r][t].length; v++) {
                        maxDiff = Math.max(maxDiff, Math.abs(a[r][t][v] - b[r][t][v]));
                    }
                }
            }
        }
        System.out.printf("torch export vs DJL export of the same weights: max |logit diff| %.3g over %d sequences%n",
                maxDiff, batch.size());
        assertThat(maxDiff).isLessThan(1e-4);

        GptOnnxReader.Result back = GptOnnxReader.read(torch.file(OnnxCausalLm.MODEL_FILE));
        GptOnnxReader.Result base = GptOnnxReader.read(parent.file(OnnxCausalLm.MODEL_FILE));
        assertThat(back.variant()).isEqualTo(GptOnnxWriter.Variant.PLAIN);
        assertThat(back.weights().config()).isEqualTo(base.weights().config());
        assertThat(back.weights().tensors()).isEqualTo(base.weights().tensors());
        assertThat(back.metadata()).containsEntry("knowgate.model.name", "knowgate-base");
        assertThat(torch.manifest().file("tokenizer.json")).isPresent();
        assertThat(torch.manifest().file("exemplars.jsonl")).isPresent();

        // The KV-cache variant: a 5-token prefix with an empty cache, then 3 single-token steps fed the presents.
        GptOnnxReader.Result backKv = GptOnnxReader.read(torch.file(KvCacheDecoder.MODEL_FILE));
        assertThat(backKv.variant()).isEqualTo(GptOnnxWriter.Variant.KV_CACHE);
        assertThat(backKv.weights().tensors()).isEqualTo(base.weights().tensors());
        double kvDiff = kvParity(parent.file(KvCacheDecoder.MODEL_FILE), torch.file(KvCacheDecoder.MODEL_FILE),
                List.of(batch.get(0), batch.get(1)), base.weights().config());
        System.out.printf("torch KV-cache export vs DJL's: max |diff| %.3g over logits and presents, prefix and 3 steps%n", kvDiff);
        assertThat(kvDiff).isLessThan(1e-4);
        try (KvCacheDecoder decoder = KvCacheDecoder.load(torch, RuntimeOptions.cpu(), 0)) {
            assertThat(decoder).isNotNull(); // categorize-stream's sampled mode accepts the file
        }
    }

    /** Max |difference| of logits and presents between two KV-cache files over a prefix and three single steps. */
    private static double kvParity(Path a, Path b, List<int[]> rows, GptConfig config) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int heads = config.nHeads();
        int headDim = config.dModel() / config.nHeads();
        int n = rows.size();
        double max = 0;
        try (OrtSession sa = env.createSession(a.toString()); OrtSession sb = env.createSession(b.toString())) {
            Map<String, Object> pastA = new HashMap<>();
            Map<String, Object> pastB = new HashMap<>();
            int[][] cuts = {{0, 5}, {5, 6}, {6, 7}, {7, 8}};
            for (int[] cut : cuts) {
                long[][] ids = new long[n][cut[1] - cut[0]];
                long[][] positions = new long[n][cut[1] - cut[0]];
                long[][] mask = new long[n][cut[1]];
                for (int r = 0; r < n; r++) {
                    for (int t = cut[0]; t < cut[1]; t++) {
                        ids[r][t - cut[0]] = rows.get(r)[t];
                        positions[r][t - cut[0]] = t;
                    }
                    java.util.Arrays.fill(mask[r], 1L);
                }
                Map<String, float[][][][]> outA = run(env, sa, ids, mask, positions, pastA, config.nLayers(), heads, headDim);
                Map<String, float[][][][]> outB = run(env, sb, ids, mask, positions, pastB, config.nLayers(), heads, headDim);
                for (Map.Entry<String, float[][][][]> e : outA.entrySet()) {
                    float[] x = flatten(e.getValue());
                    float[] y = flatten(outB.get(e.getKey()));
                    assertThat(y).as(e.getKey()).hasSameSizeAs(x);
                    for (int i = 0; i < x.length; i++) {
                        max = Math.max(max, Math.abs(x[i] - y[i]));
                    }
                    if (e.getKey().startsWith("present.")) {
                        pastA.put(e.getKey().replace("present.", "past_key_values."), e.getValue());
                        pastB.put(e.getKey().replace("present.", "past_key_values."), outB.get(e.getKey()));
                    }
                }
            }
        }
        return max;
    }

    private static Map<String, float[][][][]> run(OrtEnvironment env, OrtSession session, long[][] ids, long[][] mask,
                                                 long[][] positions, Map<String, Object> past, int layers, int heads,
                                                 int headDim) throws Exception {
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put("input_ids", own(owned, OnnxTensor.createTensor(env, ids)));
            in.put("attention_mask", own(owned, OnnxTensor.createTensor(env, mask)));
            in.put("position_ids", own(owned, OnnxTensor.createTensor(env, positions)));
            for (int i = 0; i < layers; i++) {
                for (String kv : List.of(".key", ".value")) {
                    String name = "past_key_values." + i + kv;
                    in.put(name, own(owned, past.containsKey(name) ? OnnxTensor.createTensor(env, past.get(name))
                            : OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[]{ids.length, heads, 0, headDim})));
                }
            }
            Map<String, float[][][][]> out = new HashMap<>();
            try (OrtSession.Result result = session.run(in)) {
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
                    Object v = e.getValue().getValue();
                    out.put(e.getKey(), v instanceof float[][][] logits ? new float[][][][]{logits} : (float[][][][]) v);
                }
            }
            return out;
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
        owned.add(t);
        return t;
    }

    private static float[] flatten(float[][][][] x) {
        List<Float> all = new ArrayList<>();
        for (float[][][] a : x) {
            for (float[][] b : a) {
                for (float[] c : b) {
                    for (float f : c) {
                        all.add(f);
                    }
                }
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private static ModelVersion manifest(ModelFolder parent, List<ModelFile> files) {
        ModelVersion p = parent.manifest();
        return new ModelVersion(SchemaVersions.CURRENT, p.name(), 2, p.version(), p.architecture(), files,
                p.promptTemplate(), p.answerTerminator(), Instant.now(), null, null);
    }
}
