package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;

/** Something that holds an ONNX Runtime session and closes with ONNX Runtime's own exception. */
public interface OrtResource extends AutoCloseable {

    @Override
    void close() throws OrtException;
}
