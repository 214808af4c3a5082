package dev.knowgate.contracts;

import java.time.Instant;

/**
 * How one model version did on one probe fact: the value on probes.results, from which the
 * monitor computes hallucination and forgetting rates per version.
 *
 * @param probeId           the probe's example id
 * @param evaluationId      the probe evaluation run this result belongs to
 * @param model             the model's registry name
 * @param modelVersion      the version evaluated
 * @param category          its SliCK category for this fact
 * @param pGreedy           as in {@link Verdict#pGreedy()}
 * @param pSampled          as in {@link Verdict#pSampled()}
 * @param answeredCorrectly whether greedy decoding on the plain question gave the gold answer
 * @param computedAt        when it was computed
 */
public record ProbeResult(
        String probeId,
        String evaluationId,
        String model,
        long modelVersion,
        Category category,
        double pGreedy,
        double pSampled,
        boolean answeredCorrectly,
        Instant computedAt) {

    public static final int MAX_EVALUATION_ID_LENGTH = 128;

    public ProbeResult {
        Require.exampleId("probeId", probeId, Example.MAX_ID_LENGTH);
        Require.token("evaluationId", evaluationId, MAX_EVALUATION_ID_LENGTH);
        Require.modelName("model", model);
        Require.atLeast("modelVersion", modelVersion, 1L);
        Require.present("category", category);
        Require.probability("pGreedy", pGreedy);
        Require.probability("pSampled", pSampled);
        Require.present("computedAt", computedAt);
    }

    /** The models-topic key of the version evaluated: name@version. */
    public String modelKey() {
        return ModelVersion.keyOf(model, modelVersion);
    }
}
