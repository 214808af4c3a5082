package dev.knowgate.model.slick;

import dev.knowgate.contracts.PromptSharing;
import java.util.Objects;

/**
 * SliCK's protocol (Gekhman et al. 2024): K few-shot prompts of S exemplars per question; per prompt
 * one greedy answer and N samples at temperature T with top-k.
 *
 * @param prompts          K, prompt sets per example (paper: 10)
 * @param shots            S, exemplars per prompt (paper: 4)
 * @param samplesPerPrompt N, samples per prompt (paper: 16)
 * @param temperature      T (paper: 0.5)
 * @param topK             k (paper: 40)
 * @param foundThreshold   exact mode: the answer counts as "sampled" (P_sampled > 0 in the paper's
 *                         rule) when N x K samples would find it at least once with this probability
 * @param promptSets       whose K prompt sets: each example's own (the paper's protocol) or one list
 *                         per relation and model version, which exact mode computes once per set
 */
public record SlickConfig(int prompts, int shots, int samplesPerPrompt, double temperature, int topK,
                          double foundThreshold, PromptSharing promptSets) {

    /** Prompt sets drawn per example, as the paper does. */
    public SlickConfig(int prompts, int shots, int samplesPerPrompt, double temperature, int topK, double foundThreshold) {
        this(prompts, shots, samplesPerPrompt, temperature, topK, foundThreshold, PromptSharing.PER_EXAMPLE);
    }

    public SlickConfig {
        if (prompts < 1 || shots < 0 || samplesPerPrompt < 1 || topK < 1) {
            throw new IllegalArgumentException("prompts, samplesPerPrompt and topK must be >= 1, shots >= 0");
        }
        if (!(temperature > 0) || !(foundThreshold > 0 && foundThreshold < 1)) {
            throw new IllegalArgumentException("temperature must be > 0 and foundThreshold in (0, 1)");
        }
        Objects.requireNonNull(promptSets, "promptSets");
    }

    public SlickConfig withPromptSets(PromptSharing sharing) {
        return new SlickConfig(prompts, shots, samplesPerPrompt, temperature, topK, foundThreshold, sharing);
    }

    /** The paper's protocol; in exact mode "sampled" means N x K samples find the answer at least half the time. */
    public static SlickConfig paper() {
        return new SlickConfig(10, 4, 16, 0.5, 40, 0.5);
    }
}
