package dev.knowgate.testing;

import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A Kafka broker in a container, for machines where a container engine runs (never required). The
 * image is the project's own broker image, {@code knowgate/kafka:4.1.1} (docker/build-images: the
 * jars bin/kafka runs, no registry needed), which stands in for apache/kafka; the system property
 * {@code knowgate.test.kafka.image} names another, e.g. apache/kafka:4.1.1 where Docker Hub is reachable.
 */
final class ContainerKafkaBroker implements KafkaBroker {

    static final String PROP_IMAGE = "knowgate.test.kafka.image";
    static final String DEFAULT_IMAGE = "knowgate/kafka:4.1.1";

    private final KafkaContainer container;
    private final String image;

    private ContainerKafkaBroker(KafkaContainer container, String image) {
        this.container = container;
        this.image = image;
    }

    static String image() {
        return System.getProperty(PROP_IMAGE, DEFAULT_IMAGE);
    }

    static boolean dockerAvailable() {
        return ContainerEngine.available();
    }

    static ContainerKafkaBroker start() {
        String image = image();
        KafkaContainer container = new KafkaContainer(
                DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"));
        container.start();
        return new ContainerKafkaBroker(container, image);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String description() {
        return "container broker " + image + " at " + bootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
