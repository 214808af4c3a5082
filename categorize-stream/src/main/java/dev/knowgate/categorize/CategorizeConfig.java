package dev.knowgate.categorize;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.PromptSharing;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.model.runtime.Accelerator;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** categorize-stream's settings, under {@code knowgate.categorize}; documented in the README. */
@ConfigMapping(prefix = "knowgate.categorize")
public interface CategorizeConfig {

    Batch batch();

    Model model();

    Slick slick();

    Routing routing();

    Verdicts verdicts();

    interface Verdicts {
        /** An example's verdict history is deleted once its newest verdict is older than this. */
        @WithDefault("30d")
        Duration retention();

        /** How often the verdicts store is swept for histories past the retention (wall clock). */
        @WithDefault("1h")
        Duration sweepInterval();

        /** Model versions whose knowgate_categorize_verdicts_total series are kept; older ones are removed. */
        @WithDefault("10")
        int metricVersions();
    }

    Queries queries();

    Quarantine quarantine();

    /** What a newly live version does with the examples earlier versions quarantined. */
    interface Quarantine {
        /**
         * Judge them again once a version goes live (those judged by another version): now known, they
         * go to training; still Unknown, they stay, with both verdicts in their history. Off by
         * default: a large queue costs the new version that many categorizations.
         */
        @WithDefault("false")
        boolean recheck();

        /** At most this many per live version on each stream task (input partition). */
        @WithDefault("1000")
        int recheckMaxPerVersion();
    }

    Auth auth();

    /**
     * Who may read a submission (GET /v1/submissions/{id}): the curators' keys, in the format (and
     * typically the very file) ingest reads. Right {@code submit}: one's own submissions;
     * {@code admin}: anyone's.
     */
    interface Auth {
        /** A file of hashed keys, one per line: {@code <name> <sha256-hex-of-key> <right>[,<right>]}. */
        Optional<Path> keysFile();

        /** Keys from configuration: {@code knowgate.categorize.auth.keys.<name>.sha256} and {@code .rights}. */
        Map<String, Key> keys();

        interface Key {
            /** SHA-256 of the key, hex; the key itself is never stored. */
            String sha256();

            @WithDefault("submit")
            String rights();
        }
    }

    interface Batch {
        /** Examples per model call: a batch is categorized once this many wait. */
        @WithDefault("32")
        int size();

        /**
         * Whether a batch is filled from every stream task (partition) of the instance, so that a GPU
         * sees full batches however the partitions spread the traffic, or each task batches its own.
         */
        @WithDefault("true")
        boolean acrossTasks();

        /** A partial batch is categorized when its oldest example has waited this long (wall clock). */
        @WithDefault("200ms")
        Duration maxWait();

        /**
         * A probe naming a version that is not announced on the models topic is rejected
         * ({@code model_unknown}) after waiting this long.
         */
        @WithDefault("10m")
        Duration probeMaxWait();

        /**
         * A flush (what is pending, in batches, in one Kafka transaction) starts no new batch after this
         * long; the rest waits for the next turn. Keeps a transaction well under the producer's 60 s
         * transaction timeout after a backlog (a restart, a model swap) on a slow machine.
         */
        @WithDefault("20s")
        Duration maxFlushTime();
    }

    interface Model {
        /**
         * The model version folder served until models.decisions promotes a version (the shipped base
         * model). Relative paths resolve against the working directory.
         */
        @WithDefault("models/knowgate-base-1")
        Path initial();

        /**
         * The trainer's model registry ({@code <registry>/<name>/<version>/}): an announced version
         * loads only from its own folder here, whatever location the models topic names.
         */
        @WithDefault("var/registry")
        Path registry();

        /**
         * The public keys (PEM, one or more Ed25519 "PUBLIC KEY" blocks) whose signature of a version's
         * manifest is accepted; the trainer's registry.public-key. Read at every load, so a rotation
         * needs no restart.
         */
        @WithDefault("var/trainer/signing.pub")
        Path trustedKeys();

        /** cpu, cuda (falls back to the CPU, saying why, when CUDA cannot be used) or auto. */
        @WithDefault("auto")
        Accelerator accelerator();

        /** ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose. */
        @WithDefault("0")
        int threads();

        /**
         * Passes of one model call run at once (exact SliCK's scoring passes, sampled mode's decoding of
         * the call's prompts split between them), each on its own buffers over the one session; 0
         * chooses: two on the CPU where the JVM sees two cores or more, else one (one on a GPU).
         */
        @WithDefault("0")
        int scoringThreads();

        /**
         * Candidate versions kept loaded beside the live one, so that each probe evaluation is
         * answered under the version it names; the least recently used is unloaded first.
         */
        @WithDefault("2")
        int maxCandidates();

        /**
         * Model calls run at once on this instance, across its stream threads. With one call at a time
         * (the default) a second stream thread's Kafka work overlaps the running call instead of a second
         * call sharing its cores or GPU.
         */
        @WithDefault("1")
        int concurrentCalls();

        /** CUDA device id when the CUDA provider is used. */
        @WithDefault("0")
        int cudaDevice();
    }

    interface Slick {
        /**
         * EXACT (teacher forcing: one forward pass per prompt) or SAMPLED (the paper's decoding: one
         * greedy answer and N samples per prompt; KV cache when the version ships model-kv.onnx).
         */
        @WithDefault("EXACT")
        SlickMethod method();

        /** Sampled mode: the longest answer decoded, in tokens (a longer one counts as no answer). */
        @WithDefault("16")
        int maxAnswerTokens();

        /** K, prompt sets per example. */
        @WithDefault("10")
        int prompts();

        /** S, exemplars per prompt. */
        @WithDefault("4")
        int shots();

        /** N, samples per prompt at the temperature (exact mode: the count the threshold assumes). */
        @WithDefault("16")
        int samplesPerPrompt();

        @WithDefault("0.5")
        double temperature();

        @WithDefault("40")
        int topK();

        /**
         * Exact mode: P(some of N x K samples is the answer) at or above which the answer counts as
         * "sampled" (WeaklyKnown rather than Unknown).
         */
        @WithDefault("0.5")
        double foundThreshold();

        /**
         * PER_EXAMPLE (the paper: each example draws its own K prompt sets) or PER_RELATION (the
         * examples of a relation share K sets per model version, and exact mode computes each set's
         * exemplars once; about 3x faster, a slightly different protocol: docs/slick.md).
         */
        @WithDefault("PER_EXAMPLE")
        PromptSharing promptSets();
    }

    /** Interactive queries across instances: GET /v1/verdicts/{id} is answered by the key's owner. */
    interface Queries {
        /**
         * The host name the other instances reach this one's HTTP port at (Kubernetes: the pod's
         * address or its StatefulSet DNS name). With the HTTP port it becomes Kafka Streams'
         * application.server, which every instance learns from the group's metadata.
         */
        @WithDefault("localhost")
        String advertisedHost();

        /** A request forwarded to the owner of the key gives up after this long (503, retry). */
        @WithDefault("5s")
        Duration forwardTimeout();
    }

    interface Routing {
        /** Categories routed to examples.accepted; the others go to examples.quarantined. */
        @WithDefault("HIGHLY_KNOWN,MAYBE_KNOWN,WEAKLY_KNOWN")
        Set<Category> accept();
    }
}
