package dev.knowgate.model.onnx;

import java.io.IOException;

/** A model.onnx that is not a valid file of {@link GptOnnxWriter}'s format; the message says what is wrong. */
public class GptOnnxFormatException extends IOException {

    public GptOnnxFormatException(String message) {
        super(message);
    }

    public GptOnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
