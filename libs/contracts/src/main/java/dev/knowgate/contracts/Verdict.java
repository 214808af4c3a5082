package dev.knowgate.contracts;

import io.soabase.recordbuilder.core.RecordBuilder;

import java.time.Instant;

/**
 * The SliCK verdict on one example against one model version, with everything needed to
 * reproduce it (prompting protocol, decoding settings, exemplar pool).
 *
 * <p>The category is stored as computed rather than re-derived: {@link Category#of} is the
 * sampled-mode rule, while exact mode thresholds pSampled (an exact, tiny but non-zero
 * probability is not "sometimes sampled"). Only ranges are checked here.
 *
 * @param exampleId        the example judged
 * @param model            the model's registry name
 * @param modelVersion     the model version the verdict was computed against
 * @param category         the SliCK category
 * @param pGreedy          fraction of the K prompts whose greedy answer matched
 * @param pSampled         fraction (sampled) or probability (exact) of a matching T-sample
 * @param method           exact (teacher forcing) or sampled (decoding, as in the paper)
 * @param prompts          K, the number of few-shot prompts
 * @param shots            S, exemplars per prompt
 * @param samplesPerPrompt N, temperature samples per prompt (0 when none were drawn)
 * @param temperature      the sampling temperature
 * @param topK             the top-k cut applied to sampling (0: none)
 * @param promptSets       how the K prompt sets were drawn: per example (absent in records written
 *                         before the field existed, and read as such) or shared per relation
 * @param exemplarPool     the relation whose exemplars were used, or {@value #MIXED_POOL}
 * @param fallback         true when the relation had too few exemplars and the mixed pool was used
 * @param timings          latency breakdown
 * @param computedAt       when the verdict was computed
 * @param evidence         for an Unknown example: the model's own answer and a hint (docs/curators.md);
 *                         absent otherwise, and in verdicts written before it existed
 */
@RecordBuilder
@RecordBuilder.Options(builderMode = RecordBuilder.BuilderMode.STANDARD_AND_STAGED)
public record Verdict(
        String exampleId,
        String model,
        long modelVersion,
        Category category,
        double pGreedy,
        double pSampled,
        SlickMethod method,
        int prompts,
        int shots,
        int samplesPerPrompt,
        double temperature,
        int topK,
        PromptSharing promptSets,
        String exemplarPool,
        boolean fallback,
        Timings timings,
        Instant computedAt,
        Evidence evidence) implements VerdictBuilder.With {

    /** The exemplar pool of last resort, drawn from all relations. */
    public static final String MIXED_POOL = "mixed";

    public Verdict {
        Require.exampleId("exampleId", exampleId, Example.MAX_ID_LENGTH);
        Require.modelName("model", model);
        Require.atLeast("modelVersion", modelVersion, 1L);
        Require.present("category", category);
        Require.probability("pGreedy", pGreedy);
        Require.probability("pSampled", pSampled);
        Require.present("method", method);
        Require.atLeast("prompts", prompts, 1);
        Require.atLeast("shots", shots, 0);
        Require.atLeast("samplesPerPrompt", samplesPerPrompt, method == SlickMethod.SAMPLED ? 1 : 0);
        Require.atLeast("temperature", Require.finite("temperature", temperature), 0.0);
        Require.atLeast("topK", topK, 0);
        promptSets = promptSets == null ? PromptSharing.PER_EXAMPLE : promptSets;
        Require.line("exemplarPool", exemplarPool, Example.MAX_LABEL_LENGTH);
        if (fallback != MIXED_POOL.equals(exemplarPool)) {
            throw ContractViolation.invalid("fallback", fallback
                    ? "is true but exemplarPool is " + Require.quote(exemplarPool) + ", not '" + MIXED_POOL + "'"
                    : "is false but exemplarPool is '" + MIXED_POOL + "'");
        }
        Require.present("timings", timings);
        Require.present("computedAt", computedAt);
    }

    /**
     * A verdict by name, not by position (several components are numbers of the same type): every
     * component in order, the compiler refusing {@code build()} until all are given. A verdict's
     * {@code with...} methods copy it with one component changed.
     */
    public static VerdictBuilder.ExampleIdStage builder() {
        return VerdictBuilder.stagedBuilder();
    }

    /** The models-topic key of the version judged against: name@version. */
    public String modelKey() {
        return ModelVersion.keyOf(model, modelVersion);
    }
}
