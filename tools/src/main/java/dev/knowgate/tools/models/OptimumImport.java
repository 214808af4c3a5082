package dev.knowgate.tools.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.registry.ModelFolderException;
import dev.knowgate.model.runtime.DecodeGroup;
import dev.knowgate.model.runtime.Decoded;
import dev.knowgate.model.runtime.ExportConfig;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RecomputingDecoder;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.TargetScore;
import dev.knowgate.model.runtime.TargetScorer;
import dev.knowgate.model.runtime.TokenChooser;
import dev.knowgate.model.runtime.TokenDecoder;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.Exemplar;
import dev.knowgate.model.slick.ExemplarFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Turns a folder written by {@code optimum-cli export onnx --task text-generation-with-past} (plus
 * its tokenizer files) into a knowgate model version: copies what the runtime reads, adds the
 * few-shot exemplars, seals it (manifest with every file's size and sha256, architecture
 * {@code hf-causal-lm}) and checks the contract the services will hold it to, so a folder that
 * would fail at load, or decode wrongly, is refused here with the reason (docs/models.md).
 */
public final class OptimumImport {

    public static final String ARCHITECTURE = ExportConfig.ARCHITECTURE;
    /** Files an optimum export may hold that the runtime reads or that describe the model; others are left. */
    static final List<String> REQUIRED = List.of(OnnxCausalLm.MODEL_FILE, ExportConfig.CONFIG_FILE,
            ModelTokenizer.TOKENIZER_FILE);
    static final List<String> OPTIONAL = List.of("model.onnx_data", "generation_config.json", "tokenizer_config.json",
            "special_tokens_map.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param source         the optimum export folder
     * @param name           registry name (a slug)
     * @param version        version number, 1 for a new lineage
     * @param promptTemplate the template questions are put in ({@code {question}} once)
     * @param terminator     what ends an answer (a newline, or the model's EOS text such as {@code </s>})
     * @param exemplars      JSONL of examples (the ingest format) to draw SliCK's few-shot exemplars from
     * @param out            the version folder to write; must not exist
     */
    public record Request(Path source, String name, long version, String promptTemplate, String terminator,
                          Path exemplars, Path out) {
        public Request {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(exemplars, "exemplars");
            Objects.requireNonNull(out, "out");
        }
    }

    /** What was imported and what the checks saw. */
    /**
     * @param float16  whether the export's logits and cache are float16 (optimum's {@code --dtype fp16})
     * @param nearTieAt where the cached and the recomputed greedy answer part at a float16 near-tie
     *                  (the answer token's index), or -1 where they are the same
     */
    public record Report(ModelFolder folder, String modelType, int layers, int hiddenSize, int kvHeads, int vocab,
                         int maxPositions, int terminatorId, int exemplarCount, String checkQuestion,
                         String greedyAnswer, double loadSeconds, boolean float16, int nearTieAt) {
        Report in(ModelFolder moved) {
            return new Report(moved, modelType, layers, hiddenSize, kvHeads, vocab, maxPositions, terminatorId,
                    exemplarCount, checkQuestion, greedyAnswer, loadSeconds, float16, nearTieAt);
        }
    }

    /** An export that does not meet the contract; the message says what and how to fix it. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private OptimumImport() {
    }

    public static Report run(Request r) throws IOException, RefusedException {
        if (Files.exists(r.out())) {
            throw new RefusedException(r.out() + " exists: choose a new folder for the version", null);
        }
        for (String file : REQUIRED) {
            if (!Files.isRegularFile(r.source().resolve(file))) {
                throw new RefusedException(r.source() + " has no " + file + hint(r.source(), file), null);
            }
        }
        List<Exemplar> exemplars;
        try {
            exemplars = ExemplarFile.read(r.exemplars());
        } catch (IllegalArgumentException e) {
            throw new RefusedException("exemplars: " + e.getMessage(), e);
        }
        Path staging = r.out().resolveSibling(r.out().getFileName() + ".importing");
        deleteTree(staging);
        Files.createDirectories(staging);
        try {
            for (String file : REQUIRED) {
                Files.copy(r.source().resolve(file), staging.resolve(file));
            }
            for (String file : OPTIONAL) {
                if (Files.isRegularFile(r.source().resolve(file))) {
                    Files.copy(r.source().resolve(file), staging.resolve(file));
                }
            }
            ModelFolder.copyLicences(r.source(), staging); // the model's terms travel with its weights
            Files.copy(r.exemplars(), staging.resolve(ExemplarFile.FILE_NAME));
            ModelFolder.seal(staging, (List<ModelFile> files) -> new ModelVersion(SchemaVersions.CURRENT, r.name(),
                    r.version(), null, ARCHITECTURE, files, r.promptTemplate(), r.terminator(), Instant.now(), null, null));
            Report checked = check(ModelFolder.open(staging), exemplars);
            Files.move(staging, r.out());
            return checked.in(ModelFolder.open(r.out()));
        } catch (RuntimeException e) {
            throw new RefusedException(e.getMessage(), e);
        } catch (ModelFolderException e) {
            throw new RefusedException(e.getMessage(), e);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * Loads the sealed folder as the services do and runs it: the inputs and outputs of a
     * with-past export, config.json against the cache, the tokenizer's ids against the logits, the
     * terminator as one token, and one greedy answer decoded with the cache equal to the same answer
     * recomputed without it (with float16 logits, equal up to a near-tie: a float16 cache moves the
     * logits by about as much as rounding them does).
     */
    static Report check(ModelFolder folder, List<Exemplar> exemplars) throws IOException, RefusedException {
        JsonNode config = JSON.readTree(folder.file(ExportConfig.CONFIG_FILE).toFile());
        long start = System.nanoTime();
        try (ModelTokenizer tokenizer = ModelTokenizer.load(folder);
             OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu())) {
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            if (!model.optimumLayout()) {
                throw new RefusedException("model.onnx takes no past_key_values: export with optimum-cli export onnx"
                        + " --task text-generation-with-past", null);
            }
            VocabularyCheck.check(folder.manifest(), folder.file(ModelTokenizer.TOKENIZER_FILE), tokenizer, model);
            int terminator = tokenizer.terminatorId(folder.manifest().answerTerminator());
            String question = exemplars.get(0).question();
            int[] prompt = tokenizer.encode(folder.manifest().promptTemplate().replace("{question}", question));
            List<DecodeGroup> group = List.of(new DecodeGroup(prompt, List.of(TokenChooser.GREEDY)));
            Decoded cached;
            try (TokenDecoder decoder = TokenDecoder.forFolder(folder, RuntimeOptions.cpu(), model, 0)) {
                cached = decoder.decode(group, terminator, 16).get(0).get(0);
            }
            Decoded recomputed = new RecomputingDecoder(model, 0).decode(group, terminator, 16).get(0).get(0);
            int nearTieAt = cached.equals(recomputed) ? -1 : nearTie(model, prompt, cached, terminator);
            if (!cached.equals(recomputed) && nearTieAt < 0) {
                throw new RefusedException("decoding with the cache gives " + cached + " but recomputation gives "
                        + recomputed + ": the export's present.* do not continue its past_key_values", null);
            }
            return new Report(folder, config.path("model_type").asText("?"), config.path("num_hidden_layers").asInt(-1),
                    config.path("hidden_size").asInt(-1), ExportConfig.of(folder).kvHeads(), model.vocabSize(),
                    model.maxPositions(), terminator, exemplars.size(), question, tokenizer.decode(cached.tokens()),
                    loadSeconds, model.float16Logits(), nearTieAt);
        } catch (ai.onnxruntime.OrtException e) {
            throw new RefusedException("ONNX Runtime cannot run model.onnx: " + e.getMessage(), e);
        } catch (VocabularyCheck.MismatchException e) {
            throw new RefusedException(e.getMessage(), e);
        }
    }

    /**
     * With float16 logits, whether the cached greedy answer is one that recomputation could have
     * decoded: at each of its tokens (and its terminator) the recomputed logits either choose it
     * too or lead it by no more than a near-tie ({@link ExactSlick#FLOAT16_NEAR_TIE}). Returns the
     * first answer token where they part, or -1 (float32 logits, or a choice that is no near-tie:
     * a cache that does not continue its past).
     */
    static int nearTie(OnnxCausalLm model, int[] prompt, Decoded cached, int terminator)
            throws ai.onnxruntime.OrtException {
        if (!model.float16Logits()) {
            return -1;
        }
        int answer = cached.tokens().length + (cached.answered() ? 1 : 0);
        int[] sequence = Arrays.copyOf(prompt, prompt.length + answer);
        System.arraycopy(cached.tokens(), 0, sequence, prompt.length, cached.tokens().length);
        if (cached.answered()) {
            sequence[sequence.length - 1] = terminator;
        }
        return model.forward(List.of(sequence), 0, logits -> {
            float[] row = new float[logits.vocab()];
            int parted = -1;
            for (int t = 0; t < answer; t++) {
                logits.row(0, prompt.length - 1 + t, row);
                int chosen = sequence[prompt.length + t];
                int best = TargetScorer.argmax(row);
                if (best != chosen) {
                    if (TargetScore.lead(row[best], row[chosen]) > ExactSlick.FLOAT16_NEAR_TIE) {
                        return -1;
                    }
                    parted = parted < 0 ? t : parted;
                }
            }
            return parted;
        });
    }

    /** Where an older or differently-tasked optimum export put its model, say so. */
    private static String hint(Path source, String missing) {
        if (!missing.equals(OnnxCausalLm.MODEL_FILE)) {
            return "";
        }
        for (String old : List.of("decoder_model_merged.onnx", "decoder_with_past_model.onnx", "decoder_model.onnx")) {
            if (Files.exists(source.resolve(old))) {
                return " but " + old + " (an older optimum's split export): re-export with a recent optimum,"
                        + " which writes one model.onnx that takes the cache";
            }
        }
        return "";
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
