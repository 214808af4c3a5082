package dev.knowgate.model.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.knowgate.model.llama.Half;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * The element type of an export's floating-point inputs and outputs (logits, past_key_values,
 * present.*): float32, or float16 as optimum's {@code --dtype fp16} exports declare them. The
 * runtime keeps caches in the export's own width (ONNX Runtime reads and writes them in place) and
 * reads logits as float32, widening float16 ones where they are read.
 */
enum FloatWidth {
    FLOAT32(Float.BYTES),
    FLOAT16(Short.BYTES);

    final int bytes;
    /** Every float16 value as a float32, by bit pattern: widening a logit is one lookup. */
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
            HALF_TO_FLOAT[h] = Half.toFloat((short) h);
        }
    }

    FloatWidth(int bytes) {
        this.bytes = bytes;
    }

    /** The width {@code name} declares; any other element type (bfloat16, double) is refused by name. */
    static FloatWidth of(String name, NodeInfo info) {
        OnnxJavaType type = ((TensorInfo) info.getInfo()).type;
        return switch (type) {
            case FLOAT -> FLOAT32;
            case FLOAT16 -> FLOAT16;
            default -> throw new IllegalArgumentException("'" + name + "' is " + type
                    + ": only float32 and float16 logits and caches are supported");
        };
    }

    /** A float16 bit pattern as a float32 (exact). */
    static float halfToFloat(short half) {
        return HALF_TO_FLOAT[half & 0xffff];
    }

    /** Bytes one logit of this width takes while a pass's logits are held: float32, plus the copy it is widened from. */
    long bytesPerHeldLogit() {
        return Float.BYTES + (this == FLOAT32 ? 0 : bytes);
    }

    /** A native buffer of {@code elements} elements of this width. */
    ByteBuffer allocate(int elements) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(elements, bytes)).order(ByteOrder.nativeOrder());
    }

    /** Elements {@code [0, elements)} of {@code buffer}, in native order (a slice would be big-endian). */
    ByteBuffer slice(ByteBuffer buffer, int elements) {
        return buffer.slice(0, Math.multiplyExact(elements, bytes)).order(ByteOrder.nativeOrder());
    }

    /** A tensor over {@code data} (native, direct): ONNX Runtime reads or writes it in place. */
    OnnxTensor tensor(OrtEnvironment env, ByteBuffer data, long[] shape) throws OrtException {
        ByteBuffer bytes = data.order(ByteOrder.nativeOrder());
        return this == FLOAT32
                ? OnnxTensor.createTensor(env, bytes.asFloatBuffer(), shape)
                : OnnxTensor.createTensor(env, bytes.asShortBuffer(), shape, OnnxJavaType.FLOAT16);
    }

    /**
     * Copies {@code elements} values of {@code from} (this width), starting at element {@code at},
     * into {@code to} from element {@code into}, as float32.
     */
    void widen(ByteBuffer from, int at, FloatBuffer to, int into, int elements) {
        if (this == FLOAT32) {
            to.put(into, from.order(ByteOrder.nativeOrder()).asFloatBuffer(), at, elements);
            return;
        }
        ShortBuffer halves = from.order(ByteOrder.nativeOrder()).asShortBuffer();
        short[] chunk = new short[Math.min(elements, 1 << 14)];
        float[] widened = new float[chunk.length];
        for (int done = 0; done < elements; done += chunk.length) {
            int n = Math.min(chunk.length, elements - done);
            halves.get(at + done, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                widened[i] = HALF_TO_FLOAT[chunk[i] & 0xffff];
            }
            to.put(into + done, widened, 0, n);
        }
    }
}
