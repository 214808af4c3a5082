package dev.knowgate.trainer.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.model.registry.ModelFolder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * For teams with their own training stack: writes the round's train and dev splits as JSONL, runs
 * the configured command, and hands the folder it wrote to the registry, which seals it and checks
 * it against the model contract before anything is published. The command line's {train}, {dev},
 * {parent} and {out} are replaced by paths (also in the environment as KNOWGATE_TRAIN, KNOWGATE_DEV,
 * KNOWGATE_PARENT, KNOWGATE_OUT, with KNOWGATE_ROUND, KNOWGATE_MODEL_NAME, KNOWGATE_MODEL_VERSION, and
 * KNOWGATE_ATTEMPT, KNOWGATE_DISTILL_SCALE and KNOWGATE_LEARNING_RATE_SCALE for a retry of a rejected round).
 * Its output goes to command.log next to the datasets. If it writes a training-log.json with
 * epochs, trainLoss, devAccuracyBefore, bestDevAccuracy, trainTokens, the round reports them.
 */
public final class CommandBackend implements TrainingBackend {

    public static final String TRAIN_FILE = "train.jsonl";
    public static final String DEV_FILE = "dev.jsonl";
    public static final String LOG_FILE = "command.log";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> line;
    private final Duration timeout;

    public CommandBackend(String commandLine, Duration timeout) {
        this.line = List.of(commandLine.trim().split("\\s+"));
        if (commandLine.isBlank()) {
            throw new IllegalArgumentException("knowgate.trainer.backend.command.line is empty");
        }
        this.timeout = timeout;
    }

    @Override
    public String kind() {
        return "command";
    }

    @Override
    public Optional<String> unavailable() {
        String program = line.get(0);
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isExecutable(p) ? Optional.empty() : Optional.of(program + " is not an executable file");
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.empty();
            }
        }
        return Optional.of(program + " is not on the PATH");
    }

    @Override
    public TrainingOutcome train(RoundDataset dataset, ModelFolder parent, Path out) throws IOException, InterruptedException {
        Path work = out.resolveSibling(out.getFileName() + ".work");
        Files.createDirectories(work);
        Path train = RoundExample.writeJsonl(work.resolve(TRAIN_FILE), dataset.train());
        Path dev = RoundExample.writeJsonl(work.resolve(DEV_FILE), dataset.dev());
        Map<String, String> values = Map.of("{train}", train.toString(), "{dev}", dev.toString(),
                "{parent}", parent.dir().toString(), "{out}", out.toString());
        List<String> command = new ArrayList<>();
        for (String arg : line) {
            String a = arg;
            for (Map.Entry<String, String> v : values.entrySet()) {
                a = a.replace(v.getKey(), v.getValue());
            }
            command.add(a);
        }
        Path log = work.resolve(LOG_FILE);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("KNOWGATE_TRAIN", train.toString());
        env.put("KNOWGATE_DEV", dev.toString());
        env.put("KNOWGATE_PARENT", parent.dir().toString());
        env.put("KNOWGATE_OUT", out.toString());
        env.put("KNOWGATE_ROUND", dataset.roundId());
        env.put("KNOWGATE_MODEL_NAME", dataset.name());
        env.put("KNOWGATE_MODEL_VERSION", Long.toString(dataset.version()));
        env.put("KNOWGATE_ATTEMPT", Integer.toString(dataset.retry().attempt()));
        env.put("KNOWGATE_DISTILL_SCALE", Double.toString(dataset.retry().distillScale()));
        env.put("KNOWGATE_LEARNING_RATE_SCALE", Double.toString(dataset.retry().learningRateScale()));
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("training command timed out after " + timeout + ": " + String.join(" ", command)
                        + tail(log));
            }
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        if (p.exitValue() != 0) {
            throw new IOException("training command exited with " + p.exitValue() + ": " + String.join(" ", command)
                    + tail(log));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return outcome(out.resolve(DjlBackend.LOG_FILE), seconds);
    }

    private static TrainingOutcome outcome(Path trainingLog, double seconds) throws IOException {
        if (!Files.isRegularFile(trainingLog)) {
            return new TrainingOutcome(0, null, null, null, false, 0, seconds);
        }
        JsonNode n = JSON.readTree(trainingLog.toFile());
        JsonNode epochs = n.path("epochs");
        int count = epochs.isArray() ? epochs.size() : epochs.asInt(0);
        Double loss = n.hasNonNull("trainLoss") ? n.get("trainLoss").asDouble() : null;
        int best = n.path("bestEpoch").asInt(0);
        if (loss == null && epochs.isArray() && best >= 1 && best <= epochs.size()) {
            loss = epochs.get(best - 1).path("crossEntropy").asDouble();
        }
        Double before = n.hasNonNull("devAccuracyBefore") ? n.get("devAccuracyBefore").asDouble() : null;
        Double after = n.hasNonNull("bestDevAccuracy") ? n.get("bestDevAccuracy").asDouble() : null;
        return new TrainingOutcome(count, loss, before, after, n.path("stoppedEarly").asBoolean(false),
                n.path("trainTokens").asLong(0), seconds);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n  last lines of " + log + ":\n  "
                    + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
