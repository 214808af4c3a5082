package dev.knowgate.model.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.knowgate.model.gpt.GptWeights.Tensor;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a folder written by {@link LlamaOnnxWriter} back into {@link LlamaWeights} (the shape from
 * config.json, the weights from model.onnx's initializers, inline or in model.onnx_data, fp32 or fp16,
 * behind a float32 or float16 interface),
 * with the options it was written with, so that a fine-tuned version is exported as its parent was.
 * An export whose initializers are not LlamaForCausalLM's parameter names (optimum's own exports
 * fold some of them into anonymous constants) is refused naming the first tensor that is missing.
 */
public final class LlamaOnnxReader {

    /** The weights and how the folder stored them. */
    public record Result(LlamaWeights weights, LlamaOnnxWriter.Options options) {
    }

    private LlamaOnnxReader() {
    }

    public static Result read(Path dir) throws IOException {
        Path modelFile = dir.resolve(LlamaOnnxWriter.MODEL_FILE);
        LlamaConfig config = LlamaConfig.read(dir.resolve(LlamaConfig.CONFIG_FILE));
        try {
            ProtoFields graph = ProtoFields.parse(Files.readAllBytes(modelFile)).message(7);
            if (graph == null) {
                throw new GptOnnxFormatException("model has no graph");
            }
            // The graph's own constants may be initializers too; the weights are the names the config expects.
            Set<String> expected = LlamaWeights.expectedShapes(config).keySet();
            Map<String, Tensor> tensors = new HashMap<>();
            boolean external = false;
            boolean half = false;
            for (ProtoFields init : graph.messages(5)) {
                String name = init.string(8, "");
                if (!expected.contains(name)) {
                    continue;
                }
                external |= init.has(13);
                half |= init.int64(2, 0) == OnnxGraphBuilder.FLOAT16;
                if (tensors.put(name, OnnxInitializers.read(name, init, dir)) != null) {
                    throw new GptOnnxFormatException("initializer '" + name + "' appears twice");
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
