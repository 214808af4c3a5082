package dev.knowgate.ingest.submit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

import dev.knowgate.service.problem.ItemError;

/**
 * knowgate_ingest_examples_accepted_total{curator}, knowgate_ingest_examples_rejected_total{reason}
 * and knowgate_ingest_request_seconds{endpoint,outcome} (with percentiles).
 */
@ApplicationScoped
public class IngestMetrics {

    @Inject
    MeterRegistry registry;

    void accepted(String curator, int count) {
        Counter.builder("knowgate.ingest.examples.accepted")
                .description("examples the broker acknowledged")
                .tag("curator", curator)
                .register(registry)
                .increment(count);
    }

    void rejected(List<ItemError> reported, int omitted) {
        for (ItemError error : reported) {
            rejectedCounter(error.reason()).increment();
        }
        if (omitted > 0) {
            rejectedCounter("unlisted").increment(omitted);
        }
    }

    void request(String endpoint, String outcome, long nanos) {
        Timer.builder("knowgate.ingest.request")
                .description("time to validate and publish one request, broker acknowledgement included")
                .tag("endpoint", endpoint)
                .tag("outcome", outcome)
                .publishPercentiles(0.5, 0.99)
                .register(registry)
                .record(java.time.Duration.ofNanos(nanos));
    }

    private Counter rejectedCounter(String reason) {
        return Counter.builder("knowgate.ingest.examples.rejected")
                .description("items refused, by reason")
                .tag("reason", reason)
                .register(registry);
    }
}
