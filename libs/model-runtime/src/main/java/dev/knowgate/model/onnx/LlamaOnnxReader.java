package dev.knowgate.model.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.knowgate.model.gpt.GptWeights.Tensor;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a folder written by {@link LlamaOnnxWriter} back into {@link LlamaWeights} (the shape from
 * config.json, the weights from model.onnx's initializers, inline or in model.onnx_data, fp32 or fp16,
 * behind a float32 or float16 interface),
 * with the options it was written with, so that a fine-tuned version is exported as its parent was.
 *
 * <p>It also reads optimum's own exports (torch.onnx.export of transformers' LlamaForCausalLM). There
 * the norms and the embedding keep their parameter names, but each projection's weight is folded into
 * an anonymous constant ({@code onnx::MatMul_123}) holding its transpose, [in, out]; torch names the
 * MatMul node after the module that made it ({@code /model/layers.0/self_attn/q_proj/MatMul}), so the
 * parameter's name is taken from the node and the constant is transposed back. A tensor found neither
 * way is refused by name, and so is a model that is not a plain Llama (another model_type, biases in
 * config.json or among the initializers), so that nothing trains a Llama that drops its parameters.
 */
public final class LlamaOnnxReader {

    /** The weights and how the folder stored them. */
    public record Result(LlamaWeights weights, LlamaOnnxWriter.Options options) {
    }

    /** torch's name for a projection's MatMul: the module path, '/'-separated, then the op. */
    private static final Pattern PROJECTION_NODE =
            Pattern.compile("/?((?:model/layers\\.\\d+/(?:self_attn|mlp)/[a-z]+_proj)|lm_head)/MatMul");

    private static final ObjectMapper JSON = new ObjectMapper();

    private LlamaOnnxReader() {
    }

    public static Result read(Path dir) throws IOException {
        Path modelFile = dir.resolve(LlamaOnnxWriter.MODEL_FILE);
        LlamaConfig config = LlamaConfig.read(dir.resolve(LlamaConfig.CONFIG_FILE));
        refuseOtherArchitectures(dir.resolve(LlamaConfig.CONFIG_FILE));
        try {
            ProtoFields graph = ProtoFields.parse(Files.readAllBytes(modelFile)).message(7);
            if (graph == null) {
                throw new GptOnnxFormatException("model has no graph");
            }
            // The graph's own constants may be initializers too; the weights are the names the config expects.
            Set<String> expected = LlamaWeights.expectedShapes(config).keySet();
            Map<String, String> folded = foldedProjections(graph, expected);
            Map<String, Tensor> tensors = new HashMap<>();
            boolean external = false;
            boolean half = false;
            for (ProtoFields init : graph.messages(5)) {
                String stored = init.string(8, "");
                String name = expected.contains(stored) ? stored : folded.get(stored);
                if (name == null) {
                    if (isParameterName(stored) && !(config.tieWordEmbeddings() && stored.equals(LlamaWeights.LM_HEAD))) {
                        // Such as Qwen2's q_proj.bias: training without it would write a different model.
                        throw new GptOnnxFormatException("initializer '" + stored + "' is a parameter the Llama "
                                + "architecture does not have");
                    }
                    continue;
                }
                external |= init.has(13);
                half |= init.int64(2, 0) == OnnxGraphBuilder.FLOAT16;
                Tensor t = OnnxInitializers.read(stored, init, dir);
                if (tensors.put(name, name.equals(stored) ? t : transpose(stored, t)) != null) {
                    throw new GptOnnxFormatException("weight '" + name + "' appears twice");
                }
            }
            LlamaWeights weights;
            try {
                weights = new LlamaWeights(config, tensors);
            } catch (IllegalArgumentException e) {
                throw new GptOnnxFormatException(e.getMessage(), e);
            }
            LlamaOnnxWriter.Precision precision = !half ? LlamaOnnxWriter.Precision.FP32
                    : halfInterface(graph) ? LlamaOnnxWriter.Precision.FP16_IO : LlamaOnnxWriter.Precision.FP16;
            return new Result(weights, new LlamaOnnxWriter.Options(external, precision));
        } catch (InvalidProtocolBufferException e) {
            throw new GptOnnxFormatException(modelFile + ": not a valid ONNX protobuf: " + e.getMessage(), e);
        } catch (GptOnnxFormatException e) {
            throw new GptOnnxFormatException(modelFile + ": " + e.getMessage(), e);
        }
    }

    /** A name under LlamaForCausalLM's modules, as torch names parameters; rotary frequencies are buffers. */
    private static boolean isParameterName(String name) {
        return (name.startsWith("model.") || name.startsWith("lm_head.")) && !name.endsWith("inv_freq");
    }

    /**
     * Refuses a config.json of a model that is not a plain Llama: another model_type, or biases on the
     * projections (attention_bias, mlp_bias), which LlamaWeights does not hold. Mistral is Llama's
     * architecture but for its sliding window, so it passes where the window covers every position.
     */
    private static void refuseOtherArchitectures(Path configJson) throws IOException {
        JsonNode c = JSON.readTree(configJson.toFile());
        String type = c.path("model_type").asText(LlamaConfig.MODEL_TYPE);
        JsonNode window = c.path("sliding_window");
        boolean windowCoversAll = window.isMissingNode() || window.isNull()
                || window.asLong() >= c.path("max_position_embeddings").asLong(Long.MAX_VALUE);
        if (!(type.equals(LlamaConfig.MODEL_TYPE) || type.equals("mistral") && windowCoversAll)) {
            throw new GptOnnxFormatException(configJson + ": model_type '" + type + "'"
                    + (type.equals("mistral") ? " with a sliding window of " + window.asLong() + " positions" : "")
                    + " is not the Llama architecture this reader trains");
        }
        for (String bias : List.of("attention_bias", "mlp_bias")) {
            if (c.path(bias).asBoolean(false)) {
                throw new GptOnnxFormatException(configJson + ": " + bias + " is true; the Llama architecture "
                        + "this reader trains has no biases");
            }
        }
    }

    /**
     * Anonymous initializer name to parameter name, for each MatMul node torch named after a projection
     * module ({@code /model/layers.3/mlp/down_proj/MatMul}, {@code /lm_head/MatMul}) whose weight input is
     * an initializer under another name. Nothing for the project's own exports, whose weights keep their names.
     */
    private static Map<String, String> foldedProjections(ProtoFields graph, Set<String> expected)
            throws IOException {
        Map<String, String> out = new HashMap<>();
        for (ProtoFields node : graph.messages(1)) {
            List<String> inputs = node.strings(1);
            if (!"MatMul".equals(node.string(4, "")) || inputs.size() != 2 || expected.contains(inputs.get(1))) {
                continue;
            }
            Matcher m = PROJECTION_NODE.matcher(node.string(3, ""));
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1).replace('/', '.') + ".weight";
            if (expected.contains(name)) {
                String before = out.put(inputs.get(1), name);
                if (before != null && !before.equals(name)) {
                    throw new GptOnnxFormatException("initializer '" + inputs.get(1) + "' is the weight of both "
                            + before + " and " + name);
                }
            }
        }
        return out;
    }

    /** A folded [in, out] projection back to the parameter's [out, in]. */
    private static Tensor transpose(String name, Tensor t) throws GptOnnxFormatException {
        if (t.shape().length != 2) {
            throw new GptOnnxFormatException("initializer '" + name + "' multiplies a projection but has shape "
                    + Arrays.toString(t.shape()));
        }
        int rows = t.shape()[0];
        int cols = t.shape()[1];
        float[] src = t.data();
        float[] dst = new float[src.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[r * cols + c];
            }
        }
        return new Tensor(new int[] {cols, rows}, dst);
    }

    /** Whether the graph's logits output is float16 (ValueInfoProto.type.tensor_type.elem_type). */
    private static boolean halfInterface(ProtoFields graph) throws InvalidProtocolBufferException {
        for (ProtoFields output : graph.messages(12)) {
            if ("logits".equals(output.string(1, ""))) {
                ProtoFields type = output.message(2);
                ProtoFields tensor = type == null ? null : type.message(1);
                return tensor != null && tensor.int64(1, OnnxGraphBuilder.FLOAT) == OnnxGraphBuilder.FLOAT16;
            }
        }
        return false;
    }
}
