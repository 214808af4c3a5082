package dev.knowgate.trainer.backend;

import dev.knowgate.model.registry.ModelFolder;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Trains one round: from the parent version's folder and the round's dataset, writes the new
 * version's files (everything but manifest.json, which the registry seals) into {@code out}.
 */
public interface TrainingBackend {

    /** "djl" or "command", for logs and metrics. */
    String kind();

    TrainingOutcome train(RoundDataset dataset, ModelFolder parent, Path out) throws Exception;

    /** Empty when the backend can train now; otherwise why not (readiness reports it). */
    Optional<String> unavailable();
}
