package dev.knowgate.categorize.stream;

import dev.knowgate.contracts.Example;

/**
 * An example waiting in the batch store for its micro-batch; changelogged, so a crash loses none.
 *
 * @param example       the parsed example
 * @param timestamp     the input record's timestamp (broker time): queue time is measured from it
 * @param arrivedAtMs   wall-clock time it entered the store: a partial batch is flushed by its age
 * @param probeFor      probes only: the model version (name@version) the evaluation asked for, or null
 * @param evaluationId  probes only: the evaluation the result belongs to, or null
 */
public record PendingExample(Example example, long timestamp, long arrivedAtMs, String probeFor,
                             String evaluationId) {
}
