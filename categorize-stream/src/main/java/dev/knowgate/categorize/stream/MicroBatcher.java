package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.model.CategorizedBatch;
import dev.knowgate.categorize.model.CategorizedBatch.Outcome;
import dev.knowgate.categorize.model.ExampleCategorizer;
import dev.knowgate.categorize.model.ModelRef;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.RejectedRecord;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.Timings;
import dev.knowgate.contracts.Verdict;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.ProbeHeaders;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickResult;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Validation, micro-batching, categorization and routing in one processor, because they share the
 * batch: Kafka Streams hands records over one by one; valid examples wait in a changelogged store
 * (so exactly-once holds across crashes: the store, the outputs and the input offsets commit
 * together) and are categorized when the batch is full or its oldest example has waited
 * {@code maxWait} (a wall-clock punctuation). Malformed records go to examples.rejected with the
 * reason; nothing here stops the stream.
 */
final class MicroBatcher implements Processor<String, byte[], String, Object> {

    private static final Logger LOG = Logger.getLogger(MicroBatcher.class);

    private final BatchSettings settings;
    private final RoutingPolicy routing;
    private final ExampleCategorizer categorizer;
    private final CategorizeMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, PendingExample> pending;
    private KeyValueStore<String, VerdictHistory> verdicts;
    private int pendingCount;
    private long oldestArrival = Long.MAX_VALUE;

    MicroBatcher(BatchSettings settings, RoutingPolicy routing, ExampleCategorizer categorizer,
                 CategorizeMetrics metrics) {
        this.settings = settings;
        this.routing = routing;
        this.categorizer = categorizer;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(CategorizeTopology.PENDING_STORE);
        this.verdicts = context.getStateStore(CategorizeTopology.VERDICT_STORE);
        // After a restart the store holds what was pending at the last commit.
        try (KeyValueIterator<String, PendingExample> it = pending.all()) {
            while (it.hasNext()) {
                pendingCount++;
                oldestArrival = Math.min(oldestArrival, it.next().value.arrivedAtMs());
            }
        }
        Duration tick = settings.maxWait().dividedBy(4);
        context.schedule(tick.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : tick,
                PunctuationType.WALL_CLOCK_TIME, now -> {
                    if (pendingCount > 0 && now - oldestArrival >= settings.maxWait().toMillis()) {
                        flush();
                    }
                });
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        if (record.value() == null) {
            reject(record.key(), new RejectedRecord("invalid_json", null, "the record has no value", null,
                    source.topic(), source.partition(), source.offset(), now()), record.timestamp());
            return;
        }
        Example example;
        try {
            example = ContractJson.read(record.value(), Example.class);
        } catch (ContractViolation v) {
            reject(record.key(), RejectedRecord.of(v, record.value(), source.topic(), source.partition(),
                    source.offset(), now()), record.timestamp());
            return;
        }
        long arrived = context.currentSystemTimeMs();
        pending.put(String.format(Locale.ROOT, "%019d", source.offset()), new PendingExample(example,
                record.timestamp(), arrived, header(record.headers(), ProbeHeaders.MODEL),
                header(record.headers(), ProbeHeaders.EVALUATION_ID)));
        pendingCount++;
        oldestArrival = Math.min(oldestArrival, arrived);
        if (pendingCount >= settings.size()) {
            flush();
        }
    }

    /** Categorizes everything pending that can be, in batches of at most {@code size}. */
    private void flush() {
        Optional<ModelRef> live = categorizer.live();
        if (live.isEmpty()) {
            return; // no model yet: the examples wait, safely stored
        }
        List<KeyValue<String, PendingExample>> ready = new ArrayList<>();
        try (KeyValueIterator<String, PendingExample> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, PendingExample> kv = it.next();
                if (!waitsForNewerVersion(kv.value, live.get())) {
                    ready.add(kv);
                }
            }
        }
        for (int from = 0; from < ready.size(); from += settings.size()) {
            categorizeAndRoute(ready.subList(from, Math.min(ready.size(), from + settings.size())), live.get());
        }
        // What is left: probes waiting for their version, and examples of a batch that found no model
        // (it went away mid-flush). Both are looked at again after maxWait.
        pendingCount = 0;
        try (KeyValueIterator<String, PendingExample> it = pending.all()) {
            while (it.hasNext()) {
                it.next();
                pendingCount++;
            }
        }
        oldestArrival = pendingCount == 0 ? Long.MAX_VALUE : context.currentSystemTimeMs();
    }

    /** A probe for name@v waits while the live model is an older version of the same name. */
    private static boolean waitsForNewerVersion(PendingExample p, ModelRef live) {
        return ModelRef.parse(p.probeFor())
                .filter(wanted -> wanted.name().equals(live.name()) && wanted.version() > live.version())
                .isPresent();
    }

    private void categorizeAndRoute(List<KeyValue<String, PendingExample>> batch, ModelRef live) {
        List<KeyValue<String, PendingExample>> todo = new ArrayList<>();
        for (KeyValue<String, PendingExample> kv : batch) {
            if (alreadyCategorized(kv.value.example(), live.key())) {
                metrics.duplicate();
                pending.delete(kv.key);
            } else {
                todo.add(kv);
            }
        }
        if (todo.isEmpty()) {
            return;
        }
        long started = context.currentSystemTimeMs();
        List<Example> examples = todo.stream().map(kv -> kv.value.example()).toList();
        Optional<CategorizedBatch> result;
        try {
            result = categorizer.categorize(examples);
        } catch (Exception e) {
            LOG.warnf(e, "a batch of %d failed (%s); categorizing its examples one by one", todo.size(), e.getMessage());
            for (KeyValue<String, PendingExample> kv : todo) {
                categorizeAlone(kv, live);
            }
            return;
        }
        if (result.isEmpty()) {
            return; // the model went away; everything stays pending
        }
        route(todo, result.get(), started);
    }

    private void categorizeAlone(KeyValue<String, PendingExample> kv, ModelRef live) {
        long started = context.currentSystemTimeMs();
        try {
            Optional<CategorizedBatch> result = categorizer.categorize(List.of(kv.value.example()));
            if (result.isPresent()) {
                route(List.of(kv), result.get(), started);
            }
        } catch (Exception e) {
            Example x = kv.value.example();
            reject(x.id(), new RejectedRecord("categorization_failed", null, "model " + live.key()
                    + " could not categorize example " + x.id() + ": " + e, ContractJson.writeString(x),
                    CategorizeTopology.SOURCE_TOPIC, context.taskId().partition(), Long.parseLong(kv.key), now()),
                    kv.value.timestamp());
            pending.delete(kv.key);
        }
    }

    private void route(List<KeyValue<String, PendingExample>> todo, CategorizedBatch batch, long started) {
        metrics.batch(todo.size(), batch.inferenceNanos());
        // The context's clock is only advanced between records: add the batch's measured time.
        long now = started + batch.inferenceNanos() / 1_000_000;
        long inferenceMs = batch.inferenceNanos() / 1_000_000 / todo.size();
        for (int i = 0; i < todo.size(); i++) {
            KeyValue<String, PendingExample> kv = todo.get(i);
            PendingExample p = kv.value;
            Example example = p.example();
            Outcome outcome = batch.outcomes().get(i);
            if (outcome.result() == null) {
                reject(example.id(), new RejectedRecord("too_long", "question", "example " + example.id()
                        + " does not fit the model: " + outcome.unfitReason(), ContractJson.writeString(example),
                        CategorizeTopology.SOURCE_TOPIC, context.taskId().partition(), Long.parseLong(kv.key),
                        Instant.ofEpochMilli(now)), p.timestamp());
            } else if (example.purpose() == Purpose.PROBE) {
                SlickResult r = outcome.result();
                ProbeResult result = new ProbeResult(example.id(),
                        p.evaluationId() != null ? p.evaluationId() : batch.model().key(), batch.model().name(),
                        batch.model().version(), r.category(), r.pGreedy(), r.pSampled(),
                        Boolean.TRUE.equals(outcome.answeredPlain()), Instant.ofEpochMilli(now));
                context.forward(new Record<>(example.id(), result, p.timestamp()), CategorizeTopology.PROBE_RESULTS_SINK);
                metrics.probe();
            } else if (!alreadyCategorized(example, batch.model().key())) {
                Verdict verdict = verdict(example, outcome.result(), batch, new Timings(
                        Math.max(0, started - p.timestamp()), inferenceMs, Math.max(0, now - p.timestamp())), now);
                Route route = routing.route(verdict.category());
                CategorizedExample out = new CategorizedExample(example, verdict, route);
                context.forward(new Record<>(example.id(), out, p.timestamp()), CategorizeTopology.CATEGORIZED_SINK);
                context.forward(new Record<>(example.id(), out, p.timestamp()), route == Route.ACCEPTED
                        ? CategorizeTopology.ACCEPTED_SINK : CategorizeTopology.QUARANTINED_SINK);
                VerdictHistory history = verdicts.get(example.id());
                verdicts.put(example.id(), (history == null ? new VerdictHistory(example.id(), List.of()) : history)
                        .with(new RoutedVerdict(verdict, route)));
                metrics.verdict(verdict.category(), batch.model().key());
            } else {
                metrics.duplicate(); // the same example twice in one batch
            }
            pending.delete(kv.key);
        }
    }

    private static Verdict verdict(Example example, SlickResult r, CategorizedBatch batch, Timings timings, long now) {
        SlickConfig c = batch.config();
        return new Verdict(example.id(), batch.model().name(), batch.model().version(), r.category(), r.pGreedy(),
                r.pSampled(), batch.method(), c.prompts(), c.shots(), c.samplesPerPrompt(), c.temperature(), c.topK(),
                r.pool(), r.fallback(), timings, Instant.ofEpochMilli(now));
    }

    private boolean alreadyCategorized(Example example, String modelKey) {
        if (example.purpose() == Purpose.PROBE) {
            return false; // every evaluation gets its answers
        }
        VerdictHistory history = verdicts.get(example.id());
        return history != null && history.under(modelKey).isPresent();
    }

    private void reject(String key, RejectedRecord rejected, long timestamp) {
        context.forward(new Record<>(key, rejected, timestamp), CategorizeTopology.REJECTED_SINK);
        metrics.rejected(rejected.reason());
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
