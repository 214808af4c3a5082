package dev.knowgate.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * ONNX Runtime's own operator profile (the JSON trace a session writes when it closes, with profiling
 * on): kernel time per operator type, and the time of whole runs. Where a pass's time goes, measured
 * rather than guessed.
 */
record OperatorProfile(Map<String, Long> kernelMicros, long runMicros, int runs) {

    long kernelTotal() {
        return kernelMicros.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The profile of the session that wrote the newest file named {@code prefix}* in its folder. */
    static OperatorProfile newest(Path prefix) throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(prefix.toAbsolutePath().getParent())) {
            file = files.filter(f -> f.getFileName().toString().startsWith(prefix.getFileName().toString())
                            && f.toString().endsWith(".json"))
                    .max(Comparator.comparingLong(f -> f.toFile().lastModified()))
                    .orElseThrow(() -> new IOException("ONNX Runtime wrote no profile named " + prefix + "*"));
        }
        return read(new ObjectMapper().readTree(file.toFile()));
    }

    static OperatorProfile read(JsonNode events) {
        Map<String, Long> byOperator = new LinkedHashMap<>();
        long run = 0;
        int runs = 0;
        for (JsonNode e : events) {
            String name = e.path("name").asText();
            if (e.path("cat").asText().equals("Node") && name.endsWith("_kernel_time")) {
                byOperator.merge(e.path("args").path("op_name").asText("?"), e.path("dur").asLong(), Long::sum);
            } else if (e.path("cat").asText().equals("Session") && name.equals("model_run")) {
                run += e.path("dur").asLong();
                runs++;
            }
        }
        return new OperatorProfile(byOperator, run, runs);
    }

    /** Markdown rows, one per operator type in name order (the same rows every run, for bin/bench-repeat). */
    List<String> rows() {
        long total = kernelTotal();
        return kernelMicros.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> String.format(java.util.Locale.ROOT, "| %s | %.1f | %.1f%% |", e.getKey(),
                        e.getValue() / 1000.0, 100.0 * e.getValue() / total))
                .toList();
    }
}
