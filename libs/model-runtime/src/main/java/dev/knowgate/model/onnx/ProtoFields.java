package dev.knowgate.model.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One protobuf message decoded one level deep: field number -> values in wire order (Long for varint and
 * fixed64, Integer for fixed32, ByteString for length-delimited: strings, bytes, nested messages, packed
 * repeated scalars). Unknown fields are kept and simply never asked for.
 */
final class ProtoFields {

    private final Map<Integer, List<Object>> fields = new TreeMap<>();

    static ProtoFields parse(ByteString data) throws InvalidProtocolBufferException {
        return parse(data.newCodedInput());
    }

    static ProtoFields parse(byte[] data) throws InvalidProtocolBufferException {
        return parse(CodedInputStream.newInstance(data));
    }

    private static ProtoFields parse(CodedInputStream in) throws InvalidProtocolBufferException {
        ProtoFields f = new ProtoFields();
        in.setSizeLimit(Integer.MAX_VALUE);
        try {
            while (true) {
                int tag = in.readTag();
                if (tag == 0) {
                    return f;
                }
                int number = WireFormat.getTagFieldNumber(tag);
                Object value = switch (WireFormat.getTagWireType(tag)) {
                    case WireFormat.WIRETYPE_VARINT -> in.readInt64();
                    case WireFormat.WIRETYPE_FIXED64 -> in.readFixed64();
                    case WireFormat.WIRETYPE_FIXED32 -> in.readFixed32();
                    case WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readBytes();
                    default -> throw new InvalidProtocolBufferException("unsupported wire type in tag " + tag);
                };
                f.fields.computeIfAbsent(number, k -> new ArrayList<>()).add(value);
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
    }

    boolean has(int field) {
        return fields.containsKey(field);
    }

    List<Object> all(int field) {
        return fields.getOrDefault(field, List.of());
    }

    /** Last value wins (protobuf semantics for singular fields). */
    long int64(int field, long fallback) {
        List<Object> v = all(field);
        return v.isEmpty() ? fallback : ((Number) v.get(v.size() - 1)).longValue();
    }

    String string(int field, String fallback) {
        List<Object> v = all(field);
        return v.isEmpty() ? fallback : ((ByteString) v.get(v.size() - 1)).toString(StandardCharsets.UTF_8);
    }

    /** A repeated string field, in order. */
    List<String> strings(int field) {
        List<String> out = new ArrayList<>();
        for (Object o : all(field)) {
            out.add(((ByteString) o).toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    ByteString bytes(int field) {
        List<Object> v = all(field);
        return v.isEmpty() ? null : (ByteString) v.get(v.size() - 1);
    }

    List<ProtoFields> messages(int field) throws InvalidProtocolBufferException {
        List<ProtoFields> out = new ArrayList<>();
        for (Object o : all(field)) {
            out.add(parse((ByteString) o));
        }
        return out;
    }

    ProtoFields message(int field) throws InvalidProtocolBufferException {
        ByteString b = bytes(field);
        return b == null ? null : parse(b);
    }

    /** A repeated int64 field, written packed or not. */
    List<Long> int64s(int field) throws InvalidProtocolBufferException {
        List<Long> out = new ArrayList<>();
        try {
            for (Object o : all(field)) {
                if (o instanceof ByteString packed) {
                    CodedInputStream in = packed.newCodedInput();
                    while (!in.isAtEnd()) {
                        out.add(in.readInt64());
                    }
                } else {
                    out.add(((Number) o).longValue());
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return out;
    }
}
