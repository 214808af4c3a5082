package dev.knowgate.trainer.torch;

import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.testing.TorchRuntime;
import dev.knowgate.trainer.KnownFacts;
import dev.knowgate.trainer.registry.ModelRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
        ModelRegistry registry = new ModelRegistry(tmp.resolve("registry"));
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
    }

    private static ModelVersion manifest(ModelFolder parent, List<ModelFile> files) {
        ModelVersion p = parent.manifest();
        return new ModelVersion(SchemaVersions.CURRENT, p.name(), 2, p.version(), p.architecture(), files,
                p.promptTemplate(), p.answerTerminator(), Instant.now(), null, null);
    }
}
