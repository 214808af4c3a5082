package dev.knowgate.model.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.knowgate.model.gpt.GptWeights.Tensor;
import dev.knowgate.model.llama.Half;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an initializer (TensorProto) back into a float32 {@link Tensor}: FLOAT or FLOAT16 elements,
 * as raw_data, float_data or ONNX external data (a file next to the model, at an offset), the forms
 * the project's writers produce. Anything else is refused naming the initializer.
 */
final class OnnxInitializers {

    private OnnxInitializers() {
    }

    /**
     * @param externalDir the folder external data locations are relative to; null refuses external data
     */
    static Tensor read(String name, ProtoFields t, Path externalDir) throws IOException {
        long dataType = t.int64(2, 0);
        if (dataType != OnnxGraphBuilder.FLOAT && dataType != OnnxGraphBuilder.FLOAT16) {
            throw new GptOnnxFormatException("initializer '" + name + "' has data_type " + dataType
                    + ", expected 1 (FLOAT) or 10 (FLOAT16)");
        }
        int width = dataType == OnnxGraphBuilder.FLOAT ? 4 : 2;
        int[] shape = shape(name, t);
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new GptOnnxFormatException("initializer '" + name + "' is too large: " + n + " elements");
        }
        ByteString raw;
        boolean external = t.has(13) || t.int64(14, 0) != 0;
        if (external) {
            if (externalDir == null) {
                throw new GptOnnxFormatException("initializer '" + name + "' uses external data, which is not supported");
            }
            raw = external(name, t, externalDir, n * width);
        } else {
            raw = t.bytes(9);
        }
        float[] data = new float[(int) n];
        if (raw != null) {
            if (raw.size() != n * width) {
                throw new GptOnnxFormatException("initializer '" + name + "' of shape " + Arrays.toString(shape)
                        + " has " + raw.size() + " bytes of " + (external ? "external data" : "raw_data") + ", expected " + n * width);
            }
            ByteBuffer buf = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (width == 4) {
                buf.asFloatBuffer().get(data);
            } else {
                for (int i = 0; i < data.length; i++) {
                    data[i] = Half.toFloat(buf.getShort());
                }
            }
        } else if (width == 4) {
            floatData(name, t, shape, data);
        } else {
            throw new GptOnnxFormatException("initializer '" + name + "' is FLOAT16 without raw_data");
        }
        return new Tensor(shape, data);
    }

    private static int[] shape(String name, ProtoFields t) throws IOException {
        List<Long> dims = t.int64s(1);
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            long dim = dims.get(i);
            if (dim < 0 || dim > Integer.MAX_VALUE) {
                throw new GptOnnxFormatException("initializer '" + name + "' has dimension " + dim);
            }
            shape[i] = (int) dim;
        }
        return shape;
    }

    /** float_data (field 4): packed little-endian floats or unpacked fixed32 values. */
    private static void floatData(String name, ProtoFields t, int[] shape, float[] data) throws IOException {
        int k = 0;
        for (Object o : t.all(4)) {
            if (o instanceof ByteString packed) {
                if (packed.size() % 4 != 0 || k + packed.size() / 4 > data.length) {
                    throw new GptOnnxFormatException("initializer '" + name + "' has malformed float_data");
                }
                packed.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data, k, packed.size() / 4);
                k += packed.size() / 4;
            } else if (o instanceof Integer bits && k < data.length) {
                data[k++] = Float.intBitsToFloat(bits);
            } else {
                throw new GptOnnxFormatException("initializer '" + name + "' has malformed float_data");
            }
        }
        if (k != data.length) {
            throw new GptOnnxFormatException("initializer '" + name + "' of shape " + Arrays.toString(shape)
                    + " has " + k + " values, expected " + data.length);
        }
    }

    /** The bytes at external_data's location (inside {@code dir}), offset and length. */
    private static ByteString external(String name, ProtoFields t, Path dir, long expected) throws IOException {
        Map<String, String> entries = new HashMap<>();
        try {
            for (ProtoFields kv : t.messages(13)) {
                entries.put(kv.string(1, ""), kv.string(2, ""));
            }
        } catch (InvalidProtocolBufferException e) {
            throw new GptOnnxFormatException("initializer '" + name + "' has malformed external_data", e);
        }
        String location = entries.get("location");
        if (location == null || location.isEmpty()) {
            throw new GptOnnxFormatException("initializer '" + name + "' has external data without a location");
        }
        Path file = dir.resolve(location).normalize();
        if (!file.startsWith(dir.normalize())) {
            throw new GptOnnxFormatException("initializer '" + name + "' points outside the model's folder: " + location);
        }
        long offset;
        long length;
        try {
            offset = Long.parseLong(entries.getOrDefault("offset", "0"));
            length = entries.containsKey("length") ? Long.parseLong(entries.get("length")) : expected;
        } catch (NumberFormatException e) {
            throw new GptOnnxFormatException("initializer '" + name + "' has a malformed external offset or length", e);
        }
        if (!Files.isRegularFile(file)) {
            throw new GptOnnxFormatException("initializer '" + name + "' is in " + location + ", which is missing");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset < 0 || length != expected || offset + length > ch.size()) {
                throw new GptOnnxFormatException("initializer '" + name + "' wants bytes " + offset + "+" + length
                        + " of " + location + " (" + ch.size() + " bytes; " + expected + " expected)");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) length);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw new GptOnnxFormatException(location + " ended early");
                }
            }
            buf.flip();
            return ByteString.copyFrom(buf);
        }
    }
}
