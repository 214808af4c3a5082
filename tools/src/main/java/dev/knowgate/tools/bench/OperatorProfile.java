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
        Map<String, Long> sorted = new LinkedHashMap<>();
        byOperator.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(x -> sorted.put(x.getKey(), x.getValue()));
        return new OperatorProfile(sorted, run, runs);
    }

    /** Markdown rows: the operators that take at least {@code minShare} of kernel time, then the rest as one row. */
    List<String> rows(double minShare) {
        long total = kernelTotal();
        List<String> rows = new java.util.ArrayList<>();
        long rest = 0;
        int others = 0;
        for (Map.Entry<String, Long> e : kernelMicros.entrySet()) {
            if (e.getValue() >= minShare * total) {
                rows.add(String.format(java.util.Locale.ROOT, "| %s | %.1f | %.1f%% |", e.getKey(),
                        e.getValue() / 1000.0, 100.0 * e.getValue() / total));
            } else {
                rest += e.getValue();
                others++;
            }
        }
        if (others > 0) {
            rows.add(String.format(java.util.Locale.ROOT, "| %d other operators | %.1f | %.1f%% |", others, rest / 1000.0,
                    100.0 * rest / total));
        }
        return rows;
    }
}
