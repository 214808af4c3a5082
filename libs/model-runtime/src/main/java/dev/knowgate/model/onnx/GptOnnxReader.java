package dev.knowgate.model.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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

    public static Result read(byte[] modelBytes) throws GptOnnxFormatException {
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

    private static GptWeights.Tensor tensor(String name, ProtoFields t) throws GptOnnxFormatException,
            InvalidProtocolBufferException {
        long dataType = t.int64(2, 0);
        if (dataType != OnnxGraphBuilder.FLOAT) {
            throw new GptOnnxFormatException("initializer '" + name + "' has data_type " + dataType + ", expected 1 (FLOAT)");
        }
        if (t.has(13) || t.int64(14, 0) != 0) {
            throw new GptOnnxFormatException("initializer '" + name + "' uses external data, which is not supported");
        }
        List<Long> dimsL = t.int64s(1);
        int[] shape = new int[dimsL.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long dim = dimsL.get(i);
            if (dim < 0 || dim > Integer.MAX_VALUE) {
                throw new GptOnnxFormatException("initializer '" + name + "' has dimension " + dim);
            }
            shape[i] = (int) dim;
            n *= dim;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new GptOnnxFormatException("initializer '" + name + "' is too large: " + n + " elements");
        }
        float[] data = new float[(int) n];
        ByteString raw = t.bytes(9);
        if (raw != null) {
            if (raw.size() != n * 4) {
                throw new GptOnnxFormatException("initializer '" + name + "' of shape " + Arrays.toString(shape)
                        + " has " + raw.size() + " bytes of raw_data, expected " + n * 4);
            }
            raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        } else {
            // float_data (field 4): packed little-endian floats or unpacked fixed32 values
            int k = 0;
            for (Object o : t.all(4)) {
                if (o instanceof ByteString packed) {
                    if (packed.size() % 4 != 0 || k + packed.size() / 4 > n) {
                        throw new GptOnnxFormatException("initializer '" + name + "' has malformed float_data");
                    }
                    packed.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data, k, packed.size() / 4);
                    k += packed.size() / 4;
                } else if (o instanceof Integer bits && k < n) {
                    data[k++] = Float.intBitsToFloat(bits);
                } else {
                    throw new GptOnnxFormatException("initializer '" + name + "' has malformed float_data");
                }
            }
            if (k != n) {
                throw new GptOnnxFormatException("initializer '" + name + "' of shape " + Arrays.toString(shape)
                        + " has " + k + " values, expected " + n);
            }
        }
        return new GptWeights.Tensor(shape, data);
    }
}
