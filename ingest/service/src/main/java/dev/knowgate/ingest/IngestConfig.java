package dev.knowgate.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Limits and publishing settings of the ingest service ({@code knowgate.ingest.*}). */
@ConfigMapping(prefix = "knowgate.ingest")
public interface IngestConfig {

    /** Most examples in one {@code POST /v1/examples} array. */
    @WithDefault("1000")
    int maxItems();

    /** Largest {@code POST /v1/examples} body. */
    @WithDefault("4194304")
    int maxBodyBytes();

    /** Most lines in one bulk (NDJSON) request. */
    @WithDefault("10000")
    int maxBulkLines();

    /** Largest bulk body; read as a stream, never held whole. */
    @WithDefault("16777216")
    long maxBulkBytes();

    /** Longest single NDJSON line. */
    @WithDefault("65536")
    int maxLineBytes();

    /** Most item errors listed in one problem response; the rest are counted. */
    @WithDefault("100")
    int maxReportedErrors();

    Publisher publisher();

    Auth auth();

    interface Publisher {
        /** Transactional producers kept open; one request holds one while it publishes. */
        @WithDefault("4")
        int producers();

        /**
         * Stable per instance: a restarted instance with the same id fences its predecessor and aborts
         * its open transactions at once instead of leaving read_committed consumers waiting.
         */
        @WithDefault("${HOSTNAME:local}")
        String instanceId();

        /** How long a request may wait for a free producer and for the broker's acknowledgement. */
        @WithDefault("30s")
        Duration timeout();
    }

    interface Auth {
        /** A file of hashed keys, one per line: {@code <curator> <sha256-hex-of-key> <right>[,<right>]}. */
        Optional<String> keysFile();

        /** Keys from configuration: {@code knowgate.ingest.auth.keys.<curator>.sha256} and {@code .rights}. */
        Map<String, Key> keys();

        interface Key {
            /** SHA-256 of the key, hex; the key itself is never stored. */
            String sha256();

            /** {@code submit}, and {@code probe} for examples with purpose=probe. */
            @WithDefault("submit")
            String rights();
        }
    }
}
