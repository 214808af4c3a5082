package dev.knowgate.testing;

/**
 * A real Kafka broker for tests. Every module's integration tests obtain one through
 * {@link #shared()}, so a test JVM starts at most one broker however many test classes use it.
 *
 * <p>Which broker, in order of preference:
 * <ol>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} (environment) or {@code knowgate.test.kafka.bootstrap}
 *       (system property): an already running broker, left alone;</li>
 *   <li>{@code knowgate.test.kafka=container} and a reachable Docker engine: a Testcontainers
 *       Apache Kafka broker;</li>
 *   <li>otherwise a combined KRaft broker inside this JVM (Kafka's own test kit), ready in about 2 s.</li>
 * </ol>
 */
public interface KafkaBroker extends AutoCloseable {

    String ENV_BOOTSTRAP = "KAFKA_BOOTSTRAP_SERVERS";
    String PROP_BOOTSTRAP = "knowgate.test.kafka.bootstrap";
    String PROP_KIND = "knowgate.test.kafka";

    /** host:port list that clients connect to. */
    String bootstrapServers();

    /** Human-readable description for logs, e.g. "in-JVM KRaft broker". */
    String description();

    @Override
    void close();

    /** The broker shared by the whole test JVM, started on first use and stopped at JVM exit. */
    static KafkaBroker shared() {
        return SharedKafkaBroker.get();
    }

    /**
     * Starts a new, private in-JVM broker with extra server properties (for tests of what a broker
     * setting does, such as default.replication.factor); the caller closes it.
     */
    static KafkaBroker startEmbedded(java.util.Map<String, String> brokerProperties) {
        return EmbeddedKafkaBroker.start(brokerProperties);
    }

    /** Starts a new, private broker following the same rules as {@link #shared()}; the caller closes it. */
    static KafkaBroker start() {
        String external = System.getProperty(PROP_BOOTSTRAP, System.getenv(ENV_BOOTSTRAP));
        if (external != null && !external.isBlank()) {
            return new ExternalKafkaBroker(external.trim());
        }
        if ("container".equalsIgnoreCase(System.getProperty(PROP_KIND, ""))) {
            if (ContainerKafkaBroker.dockerAvailable()) {
                return ContainerKafkaBroker.start();
            }
            System.getLogger(KafkaBroker.class.getName()).log(System.Logger.Level.WARNING,
                    "knowgate.test.kafka=container but no Docker engine is reachable; using the in-JVM broker");
        }
        return EmbeddedKafkaBroker.start();
    }
}
