package dev.knowgate.ingest.submit;

import dev.knowgate.service.KafkaClientConfig;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.ingest.IngestConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Puts examples on examples.submitted, one Kafka transaction per request: a request is visible to
 * read_committed consumers (every consumer of this pipeline) whole, or not at all. Commit returns
 * only after the broker acknowledged every record (acks=all, idempotence), so a 2xx is never given
 * for an example the broker does not hold.
 *
 * <p>A fixed pool of transactional producers, with ids stable per instance and slot, so that a
 * restarted instance fences its predecessor and aborts whatever it left open.
 */
@ApplicationScoped
public class ExamplePublisher {

    private static final Logger LOG = Logger.getLogger(ExamplePublisher.class);

    private final IngestConfig config;
    private final Map<String, Object> kafkaConfig;
    private final BlockingQueue<Slot> idle;

    @Inject
    public ExamplePublisher(IngestConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        int producers = config.publisher().producers();
        this.idle = new ArrayBlockingQueue<>(producers);
        for (int i = 0; i < producers; i++) {
            idle.add(new Slot(i));
        }
    }

    /** The broker could not be reached or did not acknowledge in time; the caller may retry. */
    public static class UnavailableException extends RuntimeException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One open transaction; closing without {@link #commit()} aborts it. */
    public final class Transaction implements AutoCloseable {
        private final Slot slot;
        private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
        private int sent;
        private boolean finished;

        private Transaction(Slot slot) {
            this.slot = slot;
        }

        public void send(Example example) {
            if (sendFailure.get() != null) {
                throw unavailable("the broker refused an earlier record of this request", sendFailure.get());
            }
            try {
                slot.producer.send(new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), example.id(),
                        ContractJson.write(example)), (metadata, error) -> {
                    if (error != null) {
                        sendFailure.compareAndSet(null, error);
                    }
                });
                sent++;
            } catch (KafkaException e) {
                throw fail(e);
            }
        }

        public int sent() {
            return sent;
        }

        /** Flushes, waits for every acknowledgement and commits. */
        public void commit() {
            try {
                slot.producer.commitTransaction();
                finished = true;
            } catch (KafkaException e) {
                throw fail(e);
            }
        }

        @Override
        public void close() {
            try {
                if (!finished) {
                    abort();
                }
            } finally {
                idle.add(slot);
            }
        }

        private void abort() {
            finished = true;
            if (slot.producer == null) {
                return;
            }
            try {
                slot.producer.abortTransaction();
            } catch (KafkaException e) {
                LOG.warnf("abort failed on producer slot %d (%s); it will be recreated", slot.index, e.getMessage());
                slot.discard();
            }
        }

        /** The transaction stays open: close() aborts it, and replaces the producer if even that fails. */
        private UnavailableException fail(KafkaException e) {
            return unavailable("Kafka did not accept the request: " + e.getMessage(), e);
        }
    }

    /** Starts a transaction on a free producer, waiting for one up to the configured timeout. */
    public Transaction begin() {
        Slot slot;
        try {
            slot = idle.poll(config.publisher().timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while waiting for a producer", e);
        }
        if (slot == null) {
            throw unavailable("all " + config.publisher().producers() + " producers busy for "
                    + config.publisher().timeout(), null);
        }
        try {
            slot.open();
            slot.producer.beginTransaction();
            return new Transaction(slot);
        } catch (KafkaException e) {
            slot.discard();
            idle.add(slot);
            throw unavailable("Kafka is not reachable: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            idle.add(slot);
            throw e;
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        for (Slot slot : idle) {
            slot.discard();
        }
    }

    private static UnavailableException unavailable(String message, Throwable cause) {
        return new UnavailableException(message, cause);
    }

    /** A producer slot; the producer is created (and its transactions initialised) on first use. */
    private final class Slot {
        private final int index;
        private KafkaProducer<String, byte[]> producer;

        Slot(int index) {
            this.index = index;
        }

        void open() {
            if (producer != null) {
                return;
            }
            Map<String, Object> props = KafkaClientConfig.producer(kafkaConfig);
            Duration timeout = config.publisher().timeout();
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    "knowgate-ingest-" + config.publisher().instanceId() + "-" + index);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest-" + index);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 15_000));
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            KafkaProducer<String, byte[]> created =
                    new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
            try {
                created.initTransactions();
            } catch (KafkaException e) {
                created.close(Duration.ZERO);
                throw e;
            }
            producer = created;
        }

        void discard() {
            if (producer != null) {
                try {
                    producer.close(Duration.ofSeconds(5));
                } catch (KafkaException e) {
                    LOG.debugf("closing producer slot %d: %s", index, e.getMessage());
                }
                producer = null;
            }
        }
    }
}
