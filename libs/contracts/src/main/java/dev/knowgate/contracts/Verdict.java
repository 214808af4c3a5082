package dev.knowgate.contracts;

import java.time.Instant;
import java.util.Objects;

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
 * @param exemplarPool     the relation whose exemplars were used, or {@value #MIXED_POOL}
 * @param fallback         true when the relation had too few exemplars and the mixed pool was used
 * @param timings          latency breakdown
 * @param computedAt       when the verdict was computed
 */
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
        String exemplarPool,
        boolean fallback,
        Timings timings,
        Instant computedAt) {

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
        Require.line("exemplarPool", exemplarPool, Example.MAX_LABEL_LENGTH);
        if (fallback != MIXED_POOL.equals(exemplarPool)) {
            throw ContractViolation.invalid("fallback", fallback
                    ? "is true but exemplarPool is " + Require.quote(exemplarPool) + ", not '" + MIXED_POOL + "'"
                    : "is false but exemplarPool is '" + MIXED_POOL + "'");
        }
        Require.present("timings", timings);
        Require.present("computedAt", computedAt);
    }

    /** The models-topic key of the version judged against: name@version. */
    public String modelKey() {
        return ModelVersion.keyOf(model, modelVersion);
    }

    /** A verdict by name, not by position: several of its components are numbers of the same type. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this verdict's components, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.exampleId = exampleId;
        b.model = model;
        b.modelVersion = modelVersion;
        b.category = category;
        b.pGreedy = pGreedy;
        b.pSampled = pSampled;
        b.method = method;
        b.prompts = prompts;
        b.shots = shots;
        b.samplesPerPrompt = samplesPerPrompt;
        b.temperature = temperature;
        b.topK = topK;
        b.exemplarPool = exemplarPool;
        b.fallback = fallback;
        b.timings = timings;
        b.computedAt = computedAt;
        return b;
    }

    /**
     * Every number and flag must be given (a missing one is a {@link NullPointerException} naming it);
     * the constructor checks the values, a missing object included.
     */
    public static final class Builder {
        private String exampleId;
        private String model;
        private Long modelVersion;
        private Category category;
        private Double pGreedy;
        private Double pSampled;
        private SlickMethod method;
        private Integer prompts;
        private Integer shots;
        private Integer samplesPerPrompt;
        private Double temperature;
        private Integer topK;
        private String exemplarPool;
        private Boolean fallback;
        private Timings timings;
        private Instant computedAt;

        private Builder() {
        }

        public Builder exampleId(String exampleId) {
            this.exampleId = exampleId;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder modelVersion(long modelVersion) {
            this.modelVersion = modelVersion;
            return this;
        }

        public Builder category(Category category) {
            this.category = category;
            return this;
        }

        public Builder pGreedy(double pGreedy) {
            this.pGreedy = pGreedy;
            return this;
        }

        public Builder pSampled(double pSampled) {
            this.pSampled = pSampled;
            return this;
        }

        public Builder method(SlickMethod method) {
            this.method = method;
            return this;
        }

        public Builder prompts(int prompts) {
            this.prompts = prompts;
            return this;
        }

        public Builder shots(int shots) {
            this.shots = shots;
            return this;
        }

        public Builder samplesPerPrompt(int samplesPerPrompt) {
            this.samplesPerPrompt = samplesPerPrompt;
            return this;
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder exemplarPool(String exemplarPool) {
            this.exemplarPool = exemplarPool;
            return this;
        }

        public Builder fallback(boolean fallback) {
            this.fallback = fallback;
            return this;
        }

        public Builder timings(Timings timings) {
            this.timings = timings;
            return this;
        }

        public Builder computedAt(Instant computedAt) {
            this.computedAt = computedAt;
            return this;
        }

        public Verdict build() {
            return new Verdict(exampleId,
                    model,
                    Objects.requireNonNull(modelVersion, "modelVersion"),
                    category,
                    Objects.requireNonNull(pGreedy, "pGreedy"),
                    Objects.requireNonNull(pSampled, "pSampled"),
                    method,
                    Objects.requireNonNull(prompts, "prompts"),
                    Objects.requireNonNull(shots, "shots"),
                    Objects.requireNonNull(samplesPerPrompt, "samplesPerPrompt"),
                    Objects.requireNonNull(temperature, "temperature"),
                    Objects.requireNonNull(topK, "topK"),
                    exemplarPool,
                    Objects.requireNonNull(fallback, "fallback"),
                    timings,
                    computedAt);
        }
    }
}
