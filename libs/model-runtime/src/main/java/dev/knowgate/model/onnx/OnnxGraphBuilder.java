package dev.knowgate.model.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds an ONNX GraphProto node by node (field numbers from onnx.proto, checked against the official file;
 * see docs/onnx-export.md). Value names are generated from a counter, so the same calls give the same bytes.
 */
final class OnnxGraphBuilder {

    // TensorProto.DataType
    static final int FLOAT = 1;
    static final int INT64 = 7;
    static final int FLOAT16 = 10;

    // TensorProto.DataLocation
    private static final int EXTERNAL = 1;

    // AttributeProto.AttributeType
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_TENSOR = 4;
    private static final int ATTR_INTS = 7;

    /** One node attribute, already encoded. */
    record Attr(ProtoMessage proto) {
        static Attr i(String name, long value) {
            return new Attr(new ProtoMessage().string(1, name).int64(3, value).int64(20, ATTR_INT));
        }

        static Attr f(String name, float value) {
            return new Attr(new ProtoMessage().string(1, name).float32(2, value).int64(20, ATTR_FLOAT));
        }

        static Attr ints(String name, long... values) {
            ProtoMessage m = new ProtoMessage().string(1, name);
            for (long v : values) {
                m.int64(8, v);
            }
            return new Attr(m.int64(20, ATTR_INTS));
        }

        static Attr tensor(String name, ProtoMessage tensor) {
            return new Attr(new ProtoMessage().string(1, name).message(5, tensor).int64(20, ATTR_TENSOR));
        }
    }

    private final List<ProtoMessage> nodes = new ArrayList<>();
    private final List<ProtoMessage> initializers = new ArrayList<>();
    private final List<ProtoMessage> inputs = new ArrayList<>();
    private final List<ProtoMessage> outputs = new ArrayList<>();
    private int counter;
    private String scope = "";

    /** Prefix of the generated value names (e.g. "h.0.attn."), for readable graphs. */
    void scope(String prefix) {
        this.scope = prefix;
    }

    /** A new value name, for a node whose outputs are named by the caller. */
    String fresh(String hint) {
        return scope + hint + "_" + counter++;
    }

    /** Adds a node with one generated output and returns that output's name. */
    String op(String opType, String[] in, Attr... attrs) {
        String out = scope + opType + "_" + counter++;
        node(opType, in, new String[] {out}, attrs);
        return out;
    }

    /** Adds a node whose outputs have the given names. */
    void node(String opType, String[] in, String[] out, Attr... attrs) {
        node("", opType, in, out, attrs);
    }

    /** Adds a node of an operator set other than ONNX's own (domain "com.microsoft": ONNX Runtime's contrib operators). */
    void node(String domain, String opType, String[] in, String[] out, Attr... attrs) {
        ProtoMessage n = new ProtoMessage();
        for (String s : in) {
            n.string(1, s);
        }
        for (String s : out) {
            n.string(2, s);
        }
        n.string(3, out[0]);
        n.string(4, opType);
        for (Attr a : attrs) {
            n.message(5, a.proto());
        }
        if (!domain.isEmpty()) {
            n.string(7, domain);
        }
        nodes.add(n);
    }

    String op(String opType, String a, Attr... attrs) {
        return op(opType, new String[] {a}, attrs);
    }

    String op(String opType, String a, String b, Attr... attrs) {
        return op(opType, new String[] {a, b}, attrs);
    }

    /** A Constant node holding an int64 tensor; dims empty for a scalar. */
    String constInt64(long[] dims, long... values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        return constant(tensor(null, dims, INT64, buf.array()));
    }

    String constInt64Vector(long... values) {
        return constInt64(new long[] {values.length}, values);
    }

    String constInt64Scalar(long value) {
        return constInt64(new long[0], value);
    }

    String constFloatScalar(float value) {
        ByteBuffer buf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        return constant(tensor(null, new long[0], FLOAT, buf.array()));
    }

    String constFloatVector(float... values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return constant(tensor(null, new long[] {values.length}, FLOAT, buf.array()));
    }

    /**
     * The attention bias [batch, 1, sequence, total]: {@code maskValue} where key j comes after query
     * i or is padding, else 0. Query i's absolute index is past + i (past = total - sequence) when the
     * graph takes a cache, else i; key j's is j. The other arguments are the callers' shared constants.
     */
    String causalPaddingBias(boolean past, String zeroI, String oneI, String axes0, String axes1, String axes12,
                             String maskValue, String zeroF) {
        String total = op("Squeeze", op("Shape", "attention_mask", Attr.i("start", 1), Attr.i("end", 2)), axes0);
        String keyPos = op("Range", new String[] {zeroI, total, oneI});
        String queryPos;
        if (past) {
            String seq = op("Squeeze", op("Shape", "input_ids", Attr.i("start", 1), Attr.i("end", 2)), axes0);
            queryPos = op("Range", new String[] {op("Sub", total, seq), total, oneI});
        } else {
            queryPos = keyPos;
        }
        String future = op("Greater", op("Unsqueeze", keyPos, axes0), op("Unsqueeze", queryPos, axes1));
        String padding = op("Unsqueeze", op("Equal", "attention_mask", zeroI), axes12);
        return op("Where", new String[] {op("Or", future, padding), maskValue, zeroF});
    }

    private String constant(ProtoMessage tensor) {
        return op("Constant", new String[0], Attr.tensor("value", tensor));
    }

    /** A named float32 initializer stored as little-endian raw_data. */
    void initializer(String name, int[] shape, float[] data) {
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        initializer(name, shape, FLOAT, buf.array());
    }

    /** A named initializer of any element type, its little-endian bytes inline as raw_data. */
    void initializer(String name, int[] shape, int dataType, byte[] raw) {
        initializers.add(tensor(name, dims(shape), dataType, raw));
    }

    /**
     * A named initializer whose bytes lie in {@code location} (a file next to the model) at
     * {@code offset}, as the ONNX external-data convention that optimum uses past 2 GB says.
     */
    void externalInitializer(String name, int[] shape, int dataType, String location, long offset, long length) {
        ProtoMessage t = new ProtoMessage();
        for (long d : dims(shape)) {
            t.int64(1, d);
        }
        t.int64(2, dataType);
        t.string(8, name);
        t.message(13, new ProtoMessage().string(1, "location").string(2, location));
        t.message(13, new ProtoMessage().string(1, "offset").string(2, Long.toString(offset)));
        t.message(13, new ProtoMessage().string(1, "length").string(2, Long.toString(length)));
        t.int64(14, EXTERNAL);
        initializers.add(t);
    }

    private static long[] dims(int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return dims;
    }

    /** Dimensions are Long (fixed) or String (symbolic). */
    void input(String name, int elemType, Object... dims) {
        inputs.add(valueInfo(name, elemType, dims));
    }

    void output(String name, int elemType, Object... dims) {
        outputs.add(valueInfo(name, elemType, dims));
    }

    ProtoMessage build(String graphName) {
        ProtoMessage g = new ProtoMessage(1 << 16);
        for (ProtoMessage n : nodes) {
            g.message(1, n);
        }
        g.string(2, graphName);
        for (ProtoMessage t : initializers) {
            g.message(5, t);
        }
        for (ProtoMessage v : inputs) {
            g.message(11, v);
        }
        for (ProtoMessage v : outputs) {
            g.message(12, v);
        }
        return g;
    }

    static ProtoMessage tensor(String name, long[] dims, int dataType, byte[] raw) {
        ProtoMessage t = new ProtoMessage(raw.length + 64);
        for (long d : dims) {
            t.int64(1, d);
        }
        t.int64(2, dataType);
        if (name != null) {
            t.string(8, name);
        }
        t.bytes(9, raw);
        return t;
    }

    private static ProtoMessage valueInfo(String name, int elemType, Object... dims) {
        ProtoMessage shape = new ProtoMessage();
        for (Object d : dims) {
            ProtoMessage dim = new ProtoMessage();
            if (d instanceof String param) {
                dim.string(2, param);
            } else {
                dim.int64(1, ((Number) d).longValue());
            }
            shape.message(1, dim);
        }
        ProtoMessage tensorType = new ProtoMessage().int64(1, elemType).message(2, shape);
        ProtoMessage type = new ProtoMessage().message(1, tensorType);
        return new ProtoMessage().string(1, name).message(2, type);
    }
}
