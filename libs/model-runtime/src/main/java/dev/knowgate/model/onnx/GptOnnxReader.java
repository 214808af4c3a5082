package dev.knowgate.model.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a model.onnx written by {@link GptOnnxWriter} back into {@link GptWeights} (config from the
 * "knowgate.gpt.config" metadata, weights from the initializers), e.g. to fine-tune a published version.
 * Any missing, unexpected or mis-shaped tensor is refused with a message naming it.
 */
public final class GptOnnxReader {

    /** What a model.onnx holds: the weights (with their config), the graph variant and all metadata_props. */
    public record Result(GptWeights weights, GptOnnxWriter.Variant variant, Map<String, String> metadata) {
        public GptConfig config() {
            return weights.config();
        }
    }

    private GptOnnxReader() {
    }

    public static GptWeights readWeights(Path file) throws IOException {
        return read(file).weights();
    }

    public static Result read(Path file) throws IOException {
        try {
            return read(Files.readAllBytes(file));
        } catch (GptOnnxFormatException e) {
            throw new GptOnnxFormatException(file + ": " + e.getMessage(), e);
        }
    }

    public static Result read(byte[] modelBytes) throws IOException {
        try {
            ProtoFields model = ProtoFields.parse(modelBytes);
            Map<String, String> meta = new LinkedHashMap<>();
            for (ProtoFields entry : model.messages(14)) {
                meta.put(entry.string(1, ""), entry.string(2, ""));
            }
            String json = meta.get(GptOnnxWriter.META_CONFIG);
            if (json == null) {
                throw new GptOnnxFormatException("no '" + GptOnnxWriter.META_CONFIG
                        + "' metadata: not a model written by GptOnnxWriter");
            }
            GptConfig config;
            try {
                config = GptConfig.fromJson(json);
            } catch (IllegalArgumentException e) {
                throw new GptOnnxFormatException(e.getMessage(), e);
            }
            GptOnnxWriter.Variant variant;
            try {
                variant = GptOnnxWriter.Variant.fromId(meta.getOrDefault(GptOnnxWriter.META_VARIANT, "plain"));
            } catch (IllegalArgumentException e) {
                throw new GptOnnxFormatException(e.getMessage(), e);
            }
            ProtoFields graph = model.message(7);
            if (graph == null) {
                throw new GptOnnxFormatException("model has no graph");
            }
            Map<String, GptWeights.Tensor> tensors = new HashMap<>();
            for (ProtoFields init : graph.messages(5)) {
                String name = init.string(8, "");
                if (tensors.put(name, tensor(name, init)) != null) {
                    throw new GptOnnxFormatException("initializer '" + name + "' appears twice");
                }
            }
            try {
                return new Result(new GptWeights(config, tensors), variant, Map.copyOf(meta));
            } catch (IllegalArgumentException e) {
                throw new GptOnnxFormatException(e.getMessage(), e);
            }
        } catch (InvalidProtocolBufferException e) {
            throw new GptOnnxFormatException("not a valid ONNX protobuf: " + e.getMessage(), e);
        }
    }

    private static GptWeights.Tensor tensor(String name, ProtoFields t) throws IOException {
        return OnnxInitializers.read(name, t, null);
    }
}
