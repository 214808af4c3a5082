package dev.knowgate.model.slick;

import dev.knowgate.model.onnx.LlamaOnnxWriter;

/**
 * {@link LlamaRealTokenizerSlickTest}'s cases on the same weights exported with a float16 interface
 * (past_key_values, logits and present.* in float16, as optimum's {@code --dtype fp16} export
 * declares them): the runtime reads float16 logits and carries a float16 cache between passes, and
 * exact SliCK's greedy verdicts are still real greedy decodes through both scorers.
 */
class Float16InterfaceSlickTest extends LlamaRealTokenizerSlickTest {

    @Override
    LlamaOnnxWriter.Precision precision() {
        return LlamaOnnxWriter.Precision.FP16_IO;
    }
}
