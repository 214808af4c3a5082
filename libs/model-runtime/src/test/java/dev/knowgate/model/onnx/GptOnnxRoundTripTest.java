package dev.knowgate.model.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GptOnnxRoundTripTest {

    static final GptConfig C = GptConfig.of(50, 32, 16, 2, 2, 64);

    @Test
    void writeThenReadGivesTheSameConfigAndBitIdenticalWeights(@TempDir Path dir) throws Exception {
        GptWeights w = GptWeights.random(C, 11, 0.3, true);
        Path file = dir.resolve("model.onnx");
        GptOnnxWriter.write(w, GptOnnxWriter.Variant.PLAIN, Map.of("knowgate.model.version", "base-1"), file);

        GptOnnxReader.Result r = GptOnnxReader.read(file);
        assertThat(r.config()).isEqualTo(C);
        assertThat(r.variant()).isEqualTo(GptOnnxWriter.Variant.PLAIN);
        assertThat(r.metadata()).containsEntry("knowgate.model.version", "base-1")
                .containsEntry(GptOnnxWriter.META_CONFIG, C.toJson());
        assertThat(r.weights().names()).containsExactlyElementsOf(w.names());
        for (String name : w.names()) {
            float[] a = w.get(name).data();
            float[] b = r.weights().get(name).data();
            assertThat(b.length).isEqualTo(a.length);
            for (int i = 0; i < a.length; i++) {
                assertThat(Float.floatToRawIntBits(b[i])).as(name + "[" + i + "]").isEqualTo(Float.floatToRawIntBits(a[i]));
            }
            assertThat(r.weights().get(name).shape()).containsExactly(w.get(name).shape());
        }
        assertThat(r.weights()).isEqualTo(w);

        // the KV variant carries the same weights
        GptOnnxReader.Result kv = GptOnnxReader.read(GptOnnxWriter.toBytes(w, GptOnnxWriter.Variant.KV_CACHE, Map.of()));
        assertThat(kv.variant()).isEqualTo(GptOnnxWriter.Variant.KV_CACHE);
        assertThat(kv.weights()).isEqualTo(w);
    }

    @Test
    void writingTwiceGivesIdenticalBytes(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.onnx");
        Path b = dir.resolve("b.onnx");
        GptOnnxWriter.write(GptWeights.random(C, 5), a);
        GptOnnxWriter.write(GptWeights.random(C, 5), b);
        assertThat(sha256(Files.readAllBytes(a))).isEqualTo(sha256(Files.readAllBytes(b)));
        // and reading then re-writing reproduces the file exactly
        byte[] again = GptOnnxWriter.toBytes(GptOnnxReader.readWeights(a));
        assertThat(again).isEqualTo(Files.readAllBytes(a));
        assertThat(sha256(Files.readAllBytes(a))).isNotEqualTo(sha256(GptOnnxWriter.toBytes(GptWeights.random(C, 6))));
    }

    @Test
    void refusesAModelMissingAnInitializer() {
        byte[] model = GptOnnxWriter.toBytes(GptWeights.random(C, 1));
        byte[] broken = rewriteInitializers(model, init -> name(init).equals("h.1.mlp.c_fc.bias") ? null : init);
        assertThatThrownBy(() -> GptOnnxReader.read(broken))
                .isInstanceOf(GptOnnxFormatException.class)
                .hasMessageContaining("missing tensor 'h.1.mlp.c_fc.bias'");
    }

    @Test
    void refusesAModelWithAWrongShape() {
        byte[] model = GptOnnxWriter.toBytes(GptWeights.random(C, 1));
        byte[] broken = rewriteInitializers(model, init -> !name(init).equals("h.0.attn.c_attn.weight") ? init
                : ByteString.copyFrom(OnnxGraphBuilder.tensor("h.0.attn.c_attn.weight", new long[] {48, 16},
                        OnnxGraphBuilder.FLOAT, new byte[48 * 16 * 4]).toByteArray()));
        assertThatThrownBy(() -> GptOnnxReader.read(broken))
                .isInstanceOf(GptOnnxFormatException.class)
                .hasMessageContaining("'h.0.attn.c_attn.weight' has shape [48, 16], expected [16, 48]");

        byte[] truncated = rewriteInitializers(model, init -> !name(init).equals("wpe") ? init
                : ByteString.copyFrom(OnnxGraphBuilder.tensor("wpe", new long[] {32, 16},
                        OnnxGraphBuilder.FLOAT, new byte[100]).toByteArray()));
        assertThatThrownBy(() -> GptOnnxReader.read(truncated))
                .isInstanceOf(GptOnnxFormatException.class)
                .hasMessageContaining("'wpe'").hasMessageContaining("100 bytes of raw_data, expected 2048");
    }

    @Test
    void refusesFilesThatAreNotOurs(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> GptOnnxReader.read(new byte[] {1, 2, 3}))
                .isInstanceOf(GptOnnxFormatException.class);
        Path file = dir.resolve("model.onnx");
        Files.write(file, new byte[0]);
        assertThatThrownBy(() -> GptOnnxReader.read(file))
                .isInstanceOf(GptOnnxFormatException.class).hasMessageContaining("knowgate.gpt.config");
    }

    private static String name(ByteString tensor) {
        try {
            return ProtoFields.parse(tensor).string(8, "");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Copies a model, passing every graph initializer through {@code edit} (null drops it). */
    static byte[] rewriteInitializers(byte[] model, Function<ByteString, ByteString> edit) {
        return rewrite(ByteString.copyFrom(model), 7, graph -> rewrite(graph, 5, edit)).toByteArray();
    }

    /** Copies a message, passing each value of one length-delimited field through {@code edit}. */
    private static ByteString rewrite(ByteString message, int field, Function<ByteString, ByteString> edit) {
        try {
            CodedInputStream in = message.newCodedInput();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            while (true) {
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                if (WireFormat.getTagFieldNumber(tag) == field
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    ByteString edited = edit.apply(in.readBytes());
                    if (edited != null) {
                        out.writeBytes(field, edited);
                    }
                } else {
                    in.skipField(tag, out);
                }
            }
            out.flush();
            return ByteString.copyFrom(bytes.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
