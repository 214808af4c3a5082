package dev.knowgate.trainer;

import dev.knowgate.service.auth.OperatorKeysConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The trainer's settings, under {@code knowgate.trainer}; documented in docs/trainer.md and the README. */
@ConfigMapping(prefix = "knowgate.trainer")
public interface TrainerConfig {

    Round round();

    /**
     * Static consumer-group membership id (group.instance.id): a restarted trainer takes its
     * partitions back at once instead of waiting for the old session to expire. One trainer per lineage.
     */
    @WithDefault("trainer-1")
    String instanceId();

    Mix mix();

    Released released();

    Finetune finetune();

    Model model();

    Registry registry();

    Backend backend();

    Gate gate();

    /** Operator keys: who may pause and resume consumption and start a round. */
    OperatorKeysConfig auth();

    /** Who may pause and resume consumption and start rounds by hand (the trainer's writes). */
    interface Gate {
        /**
         * What becomes of the examples of a round whose version the monitor rejected: {@code retry}
         * (trained again, from the last promoted version, more gently: a lower learning rate, and
         * stronger self-distillation if configured; parked when the retries are rejected too) or
         * {@code park} (set aside on examples.parked at once).
         */
        @WithDefault("retry")
        String onReject();

        /** Retries of a rejected round before its examples are parked. */
        @WithDefault("1")
        int maxRetries();

        /** Each retry multiplies the self-distillation weight by this (1: as configured). */
        @WithDefault("1")
        double retryDistillFactor();

        /** Each retry multiplies the learning rate by this. */
        @WithDefault("0.5")
        double retryLearningRateFactor();
    }

    interface Round {
        /** A round starts as soon as this many trainable examples are pending. */
        @WithDefault("200")
        int minExamples();

        /** A round takes at most this many examples (the rest wait for the next round). */
        @WithDefault("2000")
        int maxExamples();

        /** A smaller round starts when the oldest pending example has waited this long. */
        @WithDefault("10m")
        Duration maxWait();

        /**
         * Share of a round's new examples held out as its dev split for early stopping. 0 (the
         * default): every new example is trained on and every epoch runs; docs/trainer.md says why
         * (a dev split of the round's own examples measures learning, not forgetting).
         */
        @WithDefault("0.0")
        double devShare();

        /** Start with consumption paused (resume with POST /v1/consumption/resume). */
        @WithDefault("false")
        boolean startPaused();
    }

    /** Quarantined examples curators released: new knowledge on purpose (docs/curators.md). */
    interface Released {
        /**
         * The most released examples may make up of a round's trainable examples (0 to 0.9; 0: none
         * is trained, all wait). Beyond it they wait for the next round. They train under the round's
         * self-distillation, which the djl backend requires on when this is above 0.
         */
        @WithDefault("0.1")
        double budget();
    }

    interface Mix {
        /**
         * SliCK categories a round trains on; accepted examples of other categories are consumed and
         * counted as skipped. Gekhman et al. 2024 found HighlyKnown + MaybeKnown best.
         */
        @WithDefault("HIGHLY_KNOWN,MAYBE_KNOWN,WEAKLY_KNOWN")
        List<String> categories();

        /** Cap on a category's share of a round, e.g. {@code max-share.WEAKLY_KNOWN=0.2}; none by default. */
        Map<String, Double> maxShare();

        /** Share of a round's training examples replayed from earlier rounds of the lineage (0 to 0.9). */
        @WithDefault("0.1")
        double replayShare();
    }

    interface Finetune {
        @WithDefault("8")
        int epochs();

        @WithDefault("16")
        int batchSize();

        /** docs/trainer.md ("the recipe"): at 1e-3 rounds forgot 8 to 16% of the base's probes; at 1e-4, none. */
        @WithDefault("0.0001")
        float learningRate();

        @WithDefault("0.0")
        float weightDecay();

        /** Self-distillation weight: loss = CE + lambda * KL(teacher || student); 0 turns it off. */
        @WithDefault("1.0")
        double distillLambda();

        /** Frozen parameter groups: embeddings, attention, mlp, norms, layers:A-B. */
        Optional<List<String>> freeze();

        /** Epochs without a better dev accuracy before stopping early. */
        @WithDefault("2")
        int patience();

        @WithDefault("1")
        long seed();

        /** PyTorch intra-op threads; 0 uses every core. */
        @WithDefault("0")
        int threads();
    }

    interface Model {
        /**
         * The base version trained from when the models topic has none of its lineage yet; the trainer
         * registers and publishes it as the lineage's first version.
         */
        @WithDefault("models/knowgate-base-1")
        Path initial();
    }

    interface Registry {
        /** Where versions live: {@code <dir>/<name>/<version>/}. A shared volume in a cluster. */
        @WithDefault("var/registry")
        Path dir();

        /** The registry's Ed25519 signing key (PKCS#8 PEM); only the trainer holds it. */
        @WithDefault("var/trainer/signing.key")
        Path signingKey();

        /** Its public half (PEM), what categorize-stream trusts; written beside a generated key. */
        @WithDefault("var/trainer/signing.pub")
        Path publicKey();

        /** Make a new key pair at start when signing-key does not exist; false where the key is a mounted secret. */
        @WithDefault("true")
        boolean generateKey();

        /** More public keys the trainer accepts on its lineage's versions (those of a rotated-out key). */
        Optional<Path> trustedKeys();
    }

    interface Backend {
        /** djl (built in, for models of the project's architecture) or command (your own training stack). */
        @WithDefault("djl")
        String kind();

        Command command();

        interface Command {
            /**
             * The command line, split on spaces; {train}, {dev}, {parent} and {out} are replaced by the
             * round's train and dev JSONL files, the parent version's folder and the folder to write.
             */
            Optional<String> line();

            /** The command is killed after this long and the round fails. */
            @WithDefault("1h")
            Duration timeout();
        }
    }
}
