package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.contracts.ModelVersion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Does a version's model.onnx score every id its tokenizer.json can emit? A version that fails
 * this must never serve: logits narrower than the tokenizer make ONNX Runtime fail every batch
 * with a Gather error, or (read off a short row) turn into wrong verdicts that reach training.
 * The trainer checks it before publishing a version and categorize-stream before loading one.
 */
public final class VocabularyCheck {

    private static final ObjectMapper JSON = new ObjectMapper();

    private VocabularyCheck() {
    }

    /** A version whose model and tokenizer do not fit together. */
    public static final class MismatchException extends IOException {
        private static final long serialVersionUID = 1L;

        MismatchException(String message) {
            super(message);
        }
    }

    /**
     * Checks that the logits the model declares cover the tokenizer's largest id, that one forward
     * pass really yields that many columns, and that the answer terminator is one token.
     *
     * @throws MismatchException naming the version and the numbers when they do not fit
     */
    public static void check(ModelVersion manifest, Path tokenizerJson, ModelTokenizer tokenizer, OnnxCausalLm model)
            throws MismatchException, IOException {
        int largestId = largestId(tokenizerJson);
        if (largestId >= model.vocabSize()) {
            throw new MismatchException(manifest.key() + ": the tokenizer has ids up to " + largestId
                    + " but the model's logits cover only " + model.vocabSize() + " ids (0 to " + (model.vocabSize() - 1) + ")");
        }
        int terminator;
        try {
            terminator = tokenizer.terminatorId(manifest.answerTerminator());
        } catch (IllegalArgumentException e) {
            throw new MismatchException(manifest.key() + ": " + e.getMessage());
        }
        int[] prompt = tokenizer.encode(manifest.promptTemplate().replace("{question}", "where is it"));
        int[] sequence = java.util.Arrays.copyOf(prompt, prompt.length + 1);
        sequence[prompt.length] = terminator;
        int columns;
        try {
            columns = model.forward(List.of(sequence), 0, logits -> logits.vocab());
        } catch (OrtException | RuntimeException e) {
            throw new MismatchException(manifest.key() + ": model.onnx does not run on the tokenizer's ids: " + e.getMessage());
        }
        if (columns != model.vocabSize()) {
            throw new MismatchException(manifest.key() + ": the logits have " + columns + " columns, model.onnx declares "
                    + model.vocabSize());
        }
    }

    /**
     * The largest id tokenizer.json can produce: its model's vocabulary (an object of token to id for
     * WordLevel, BPE and WordPiece; a list for Unigram) and its added tokens.
     */
    public static int largestId(Path tokenizerJson) throws IOException {
        JsonNode root = JSON.readTree(tokenizerJson.toFile());
        int largest = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
                largest = Math.max(largest, id.asInt(-1));
            }
        } else if (vocab.isArray()) {
            largest = vocab.size() - 1;
        }
        for (JsonNode added : root.path("added_tokens")) {
            largest = Math.max(largest, added.path("id").asInt(-1));
        }
        if (largest < 0) {
            throw new MismatchException(tokenizerJson + " lists no token ids");
        }
        return largest;
    }
}
