package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.model.CategorizedBatch;
import dev.knowgate.categorize.model.CategorizedBatch.Outcome;
import dev.knowgate.categorize.model.ExampleCategorizer;
import dev.knowgate.categorize.model.ModelRef;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.QuarantineEntry;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.RejectedRecord;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.SubmissionOutcome;
import dev.knowgate.contracts.Timings;
import dev.knowgate.contracts.Verdict;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.ProbeHeaders;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickResult;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Validation, micro-batching, categorization and routing in one processor, because they share the
 * batch: Kafka Streams hands records over one by one; valid examples wait in a changelogged store
 * (so exactly-once holds across crashes: the store, the outputs and the input offsets commit
 * together) and are categorized when a batch's worth waits on this instance, or this task's oldest
 * example has waited {@code maxWait} (a wall-clock punctuation). A batch holds examples of every task
 * of the instance ({@link SharedBatches}); each task routes its own results. Malformed records go to
 * examples.rejected with the reason; nothing here stops the stream.
 */
final class MicroBatcher implements Processor<String, byte[], String, Object> {

    private static final Logger LOG = Logger.getLogger(MicroBatcher.class);

    private final BatchSettings settings;
    private final RoutingPolicy routing;
    private final ExampleCategorizer categorizer;
    private final CategorizeMetrics metrics;
    private final QuarantineRecheck recheck;
    private final SharedBatches shared;
    private ProcessorContext<String, Object> context;
    private TaskId task;
    private KeyValueStore<String, QuarantinedExample> quarantine;
    /** The live version whose recheck of the quarantine this task has finished (null: none yet). */
    private String recheckedAll;
    /** The live version being rechecked, and the last quarantine key looked at for it (a scan resumes after it). */
    private String recheckVersion;
    private String recheckAfter;
    /** Quarantined examples sent to be judged again, per live version, on this task since it started. */
    private final Map<String, Integer> rechecked = new LinkedHashMap<>();
    private KeyValueStore<String, PendingExample> pending;
    private KeyValueStore<String, VerdictHistory> verdicts;
    private int pendingCount;
    /** Of the pending, those left waiting by the last flush (probes for a version not loaded yet). */
    private int waitingCount;
    private long oldestArrival = Long.MAX_VALUE;
    /** When this task last flushed: what was pending then counts as having arrived then (looked at again after maxWait). */
    private long lastFlushAt;

    MicroBatcher(BatchSettings settings, RoutingPolicy routing, ExampleCategorizer categorizer,
                 CategorizeMetrics metrics) {
        this(settings, routing, categorizer, metrics, QuarantineRecheck.OFF, new SharedBatches());
    }

    /** @param shared the waiting examples of every task of this instance, one per topology (batches across tasks) */
    MicroBatcher(BatchSettings settings, RoutingPolicy routing, ExampleCategorizer categorizer,
                 CategorizeMetrics metrics, QuarantineRecheck recheck, SharedBatches shared) {
        this.shared = shared;
        this.settings = settings;
        this.routing = routing;
        this.categorizer = categorizer;
        this.metrics = metrics;
        this.recheck = recheck;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.task = context.taskId();
        this.pending = context.getStateStore(CategorizeTopology.PENDING_STORE);
        this.verdicts = context.getStateStore(CategorizeTopology.VERDICT_STORE);
        this.quarantine = context.getStateStore(CategorizeTopology.QUARANTINE_STORE);
        // After a restart the store holds what was pending at the last commit. Kafka Streams initializes
        // this same processor again when it revives a task after an aborted transaction: count afresh.
        pendingCount = 0;
        waitingCount = 0;
        oldestArrival = Long.MAX_VALUE;
        lastFlushAt = 0;
        recheckedAll = null;
        recheckVersion = null;
        recheckAfter = null;
        try (KeyValueIterator<String, PendingExample> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, PendingExample> kv = it.next();
                pendingCount++;
                oldestArrival = Math.min(oldestArrival, kv.value.arrivedAtMs());
                share(kv.key, kv.value);
            }
        }
        // Results other tasks' batches left here are routed soon, whatever maxWait is, and a batch's worth
        // waiting across the tasks runs even when no new record comes to start it (where the thread's
        // transactions bound the batches it starts; TransactionBudget).
        context.schedule(Duration.ofMillis(20), PunctuationType.WALL_CLOCK_TIME, now -> {
            if (TransactionBudget.transactional()) {
                fillOrRoute();
            } else {
                routeReady();
            }
        });
        Duration tick = settings.maxWait().dividedBy(4);
        context.schedule(tick.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : tick,
                PunctuationType.WALL_CLOCK_TIME, now -> {
                    requeueQuarantined();
                    if (pendingCount > 0 && now - oldestArrival >= settings.maxWait().toMillis()) {
                        // Also the periodic look at waiting probes: their version may be loaded now.
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
        String probeFor = header(record.headers(), ProbeHeaders.MODEL);
        String evaluationId = header(record.headers(), ProbeHeaders.EVALUATION_ID);
        if (example.purpose() != Purpose.PROBE && (probeFor != null || evaluationId != null)) {
            // The headers steer probes only. On a training example they would park it until the version
            // named comes, which may be never: it is judged by the live version like any other.
            LOG.debugf("example %s is not a probe: its probe headers are ignored", example.id());
            metrics.probeHeaderIgnored();
            probeFor = null;
            evaluationId = null;
        }
        if (probeFor != null && ModelRef.parse(probeFor).isEmpty()) {
            reject(record.key(), new RejectedRecord("invalid_value", "header " + ProbeHeaders.MODEL, "probe "
                    + example.id() + " names model '" + probeFor + "', which is not name@version", null,
                    source.topic(), source.partition(), source.offset(), now()), record.timestamp());
            return;
        }
        long arrived = context.currentSystemTimeMs();
        outcome(example, () -> SubmissionOutcome.received(example, Instant.ofEpochMilli(arrived)), record.timestamp());
        String key = String.format(Locale.ROOT, "%019d", source.offset());
        PendingExample p = new PendingExample(example, record.timestamp(), arrived, probeFor, evaluationId);
        pending.put(key, p);
        share(key, p);
        pendingCount++;
        oldestArrival = Math.min(oldestArrival, arrived);
        // A batch fills from this task's examples or from every task's on this instance (SharedBatches).
        if (pendingCount - waitingCount >= settings.size()) {
            flush();
        } else {
            fillOrRoute();
        }
    }

    /** Runs the full batches that wait across the tasks here, if any; else routes what others computed. */
    private void fillOrRoute() {
        if (categorizer.live().isPresent() && shared.batchWaiting(settings.size())) {
            flushFullBatches();
        } else {
            routeReady();
        }
    }

    @Override
    public void close() {
        shared.forget(task); // results computed for this task are dropped: it categorizes again wherever it runs next
    }

    /** Examples judged by the live version can go into any task's batch; probes of a named version cannot. */
    private void share(String key, PendingExample p) {
        if (p.probeFor() == null) {
            shared.add(task, key, p.example());
        }
    }

    /** Leaves the batch store (and the shared view of it). */
    private void done(String key) {
        pending.delete(key);
        shared.remove(task, key);
    }

    /** Routes what other tasks' batches categorized for this task under the live version. */
    private void routeReady() {
        Optional<ModelRef> live = categorizer.live();
        if (live.isEmpty() || !shared.hasReady(task)) {
            return;
        }
        Map<String, SharedBatches.Ready> ready = shared.takeReady(task, live.get().key());
        for (Map.Entry<String, SharedBatches.Ready> r : ready.entrySet()) {
            PendingExample p = pending.get(r.getKey());
            if (p == null) {
                shared.remove(task, r.getKey());
                continue;
            }
            route(List.of(KeyValue.pair(r.getKey(), p)), r.getValue().batch(), r.getValue().startedMs(),
                    r.getValue().finishedMs());
        }
        if (!ready.isEmpty()) {
            recountAfterOthersTook();
        }
    }

    /**
     * What other batches took (or a full batch of this task's took) no longer holds this task's oldest
     * arrival, which starts its own partial batch after maxWait: recount from what is still pending.
     */
    private void recountAfterOthersTook() {
        long oldest = recountPending();
        waitingCount = Math.min(waitingCount, pendingCount);
        oldestArrival = pendingCount == 0 ? Long.MAX_VALUE : Math.max(oldest, lastFlushAt);
    }

    /**
     * Categorizes full batches only: this task's training examples filled up with other tasks' waiting
     * ones, and with none of its own, a batch of theirs. Started because a batch's worth waits across
     * the tasks, which another thread's batch may have taken since; a batch that cannot be filled is not
     * started (it would be a partial model call), and what is left keeps its place and its clock.
     */
    private void flushFullBatches() {
        routeReady();
        Optional<ModelRef> live = categorizer.live();
        if (live.isEmpty()) {
            return;
        }
        List<KeyValue<String, PendingExample>> training = new ArrayList<>();
        try (KeyValueIterator<String, PendingExample> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, PendingExample> kv = it.next();
                if (kv.value.probeFor() == null && !shared.computingElsewhere(task, kv.key)) {
                    training.add(kv);
                }
            }
        }
        TransactionBudget.flushStarting();
        for (int from = 0; from == 0 || from < training.size(); from += settings.size()) {
            if (!TransactionBudget.tryStartBatch(settings.maxFlushTime())) {
                break; // the thread's transaction has had its batches; this waits for the next one
            }
            List<KeyValue<String, PendingExample>> batch = training.subList(Math.min(from, training.size()),
                    Math.min(training.size(), from + settings.size()));
            if (!categorizeShared(batch, live.get(), true)) {
                break;
            }
        }
        recountAfterOthersTook();
    }

    /** Sets {@link #pendingCount} from the store; returns the oldest arrival pending (MAX_VALUE: none). */
    private long recountPending() {
        long oldest = Long.MAX_VALUE;
        int n = 0;
        try (KeyValueIterator<String, PendingExample> it = pending.all()) {
            while (it.hasNext()) {
                oldest = Math.min(oldest, it.next().value.arrivedAtMs());
                n++;
            }
        }
        pendingCount = n;
        return oldest;
    }

    /**
     * Categorizes everything pending that can be, in batches of at most {@code size}: training
     * examples (and untagged probes) under the live version, each probe evaluation under the version
     * it names. Probes whose version is not loaded yet wait; probes of a refused version, or of one
     * never announced within {@code probeMaxWait}, are rejected.
     */
    private void flush() {
        routeReady();
        Optional<ModelRef> live = categorizer.live();
        long now = context.currentSystemTimeMs();
        List<KeyValue<String, PendingExample>> training = new ArrayList<>();
        Map<ModelRef, List<KeyValue<String, PendingExample>>> probes = new LinkedHashMap<>();
        try (KeyValueIterator<String, PendingExample> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, PendingExample> kv = it.next();
                Optional<ModelRef> wanted = ModelRef.parse(kv.value.probeFor());
                if (wanted.isEmpty()) {
                    if (live.isPresent() && !shared.computingElsewhere(task, kv.key)) {
                        training.add(kv); // (one a batch on another thread computes now is routed when it is done)
                    }
                    continue;
                }
                ExampleCategorizer.Availability a = categorizer.availability(wanted.get());
                switch (a.state()) {
                    case READY -> probes.computeIfAbsent(wanted.get(), r -> new ArrayList<>()).add(kv);
                    case REFUSED -> rejectProbe(kv, "model_refused", wanted.get().key() + " was refused here: " + a.reason());
                    case PENDING -> {
                        if (now - kv.value.arrivedAtMs() >= settings.probeMaxWait().toMillis()) {
                            rejectProbe(kv, "model_unknown", wanted.get().key() + " was not announced on "
                                    + Topics.MODELS.name() + " within " + settings.probeMaxWait()
                                    + " (knowgate.categorize.batch.probe-max-wait); the probe is not answered");
                        }
                    }
                }
            }
        }
        // Everything here commits in the thread's one transaction, which must end well inside the
        // producer's transaction timeout: no batch starts once the transaction's batches have run
        // maxFlushTime (TransactionBudget, shared by the thread's tasks; at least one per transaction).
        Duration budget = settings.maxFlushTime();
        TransactionBudget.flushStarting();
        boolean cut = false;
        if (live.isPresent()) {
            // Each batch is this task's next examples, filled up with other tasks' waiting ones. With none
            // of its own it computes the others' only when they fill a batch: a task that flushes to look
            // at its waiting probes again must not start partial batches.
            for (int from = 0; from < training.size() || (from == 0 && shared.batchWaiting(settings.size()));
                 from += settings.size()) {
                if (!TransactionBudget.tryStartBatch(budget)) {
                    cut = true;
                    break;
                }
                List<KeyValue<String, PendingExample>> batch = training.subList(Math.min(from, training.size()),
                        Math.min(training.size(), from + settings.size()));
                categorizeShared(batch, live.get(), batch.isEmpty());
            }
        }
        for (Map.Entry<ModelRef, List<KeyValue<String, PendingExample>>> e : probes.entrySet()) {
            List<KeyValue<String, PendingExample>> list = e.getValue();
            for (int from = 0; from < list.size() && !cut; from += settings.size()) {
                if (!TransactionBudget.tryStartBatch(budget)) {
                    cut = true;
                    break;
                }
                ModelRef version = e.getKey();
                categorizeAndRoute(list.subList(from, Math.min(list.size(), from + settings.size())), version,
                        examples -> categorizer.categorize(version, examples));
            }
        }
        if (cut) {
            metrics.flushCut();
        }
        // What is left waits: probes for a version not loaded yet, and examples that found no model
        // (none loaded, or it went away mid-flush). Both are looked at again after maxWait; they do
        // not count toward the next batch's size, so one new record does not flush a near-empty batch.
        recountPending();
        waitingCount = pendingCount;
        lastFlushAt = context.currentSystemTimeMs();
        oldestArrival = pendingCount == 0 ? Long.MAX_VALUE : lastFlushAt;
    }

    /** Categorizes one batch under one version. */
    @FunctionalInterface
    private interface Categorize {
        Optional<CategorizedBatch> apply(List<Example> examples) throws Exception;
    }

    /**
     * One batch under the live version: {@code batch} (this task's) plus other tasks' waiting examples up
     * to the batch size; with {@code fullOnly}, only if that fills it. This task routes its own results
     * now; the others are left with their tasks. Returns whether the batch ran (a failed batch's
     * examples were categorized one by one).
     */
    private boolean categorizeShared(List<KeyValue<String, PendingExample>> batch, ModelRef version, boolean fullOnly) {
        List<KeyValue<String, PendingExample>> fresh = notYetCategorized(batch, version);
        List<String> keys = fresh.stream().map(kv -> kv.key).toList();
        SharedBatches.Loan loan = fullOnly ? shared.claimFull(task, keys, settings.size())
                : shared.claim(task, keys, settings.size());
        // (an example of this task another thread's batch took meanwhile is routed when that batch is done)
        List<KeyValue<String, PendingExample>> todo = fresh.stream().filter(kv -> loan.own().contains(kv.key)).toList();
        if (todo.isEmpty() && loan.borrowed().isEmpty()) {
            return false;
        }
        List<Example> examples = new ArrayList<>(todo.stream().map(kv -> kv.value.example()).toList());
        examples.addAll(loan.examples());
        long started = context.currentSystemTimeMs();
        Optional<CategorizedBatch> result;
        try {
            result = categorizer.categorize(examples);
        } catch (Exception e) {
            shared.release(loan); // their own tasks take them again
            LOG.warnf(e, "a batch of %d under %s failed (%s); categorizing this task's %d one by one", examples.size(),
                    version.key(), e.getMessage(), todo.size());
            for (KeyValue<String, PendingExample> kv : todo) {
                categorizeAlone(kv, version, list -> categorizer.categorize(list));
            }
            return true;
        }
        if (result.isEmpty()) {
            shared.release(loan);
            return false; // the version went away; everything stays pending
        }
        CategorizedBatch b = result.get();
        long nanos = b.inferenceNanos();
        long finished = started + nanos / 1_000_000;
        recordBatch(examples.size(), nanos);
        if (!loan.borrowed().isEmpty()) {
            metrics.sharedBatch(loan.borrowed().size());
        }
        long each = nanos / examples.size();
        List<SharedBatches.Ready> lent = new ArrayList<>();
        for (int j = 0; j < loan.borrowed().size(); j++) {
            lent.add(new SharedBatches.Ready(new CategorizedBatch(b.model(), b.method(), b.config(),
                    List.of(b.outcomes().get(todo.size() + j)), each), started, finished));
        }
        shared.settle(loan, lent);
        if (!todo.isEmpty()) {
            route(todo, new CategorizedBatch(b.model(), b.method(), b.config(), b.outcomes().subList(0, todo.size()),
                    each * todo.size()), started, finished);
        }
        return true;
    }

    /** The batch less examples this version already judged (their submissions learn that verdict). */
    private List<KeyValue<String, PendingExample>> notYetCategorized(List<KeyValue<String, PendingExample>> batch,
                                                                      ModelRef version) {
        List<KeyValue<String, PendingExample>> todo = new ArrayList<>();
        for (KeyValue<String, PendingExample> kv : batch) {
            if (alreadyCategorized(kv.value.example(), version.key())) {
                metrics.duplicate();
                repeated(kv.value, version.key());
                done(kv.key);
            } else {
                todo.add(kv);
            }
        }
        return todo;
    }

    private void categorizeAndRoute(List<KeyValue<String, PendingExample>> batch, ModelRef version, Categorize categorize) {
        List<KeyValue<String, PendingExample>> todo = notYetCategorized(batch, version);
        if (todo.isEmpty()) {
            return;
        }
        long started = context.currentSystemTimeMs();
        List<Example> examples = todo.stream().map(kv -> kv.value.example()).toList();
        Optional<CategorizedBatch> result;
        try {
            result = categorize.apply(examples);
        } catch (Exception e) {
            LOG.warnf(e, "a batch of %d under %s failed (%s); categorizing its examples one by one", todo.size(),
                    version.key(), e.getMessage());
            for (KeyValue<String, PendingExample> kv : todo) {
                categorizeAlone(kv, version, categorize);
            }
            return;
        }
        if (result.isEmpty()) {
            return; // the version went away; everything stays pending
        }
        recordBatch(todo.size(), result.get().inferenceNanos());
        route(todo, result.get(), started, started + result.get().inferenceNanos() / 1_000_000);
    }

    private void categorizeAlone(KeyValue<String, PendingExample> kv, ModelRef version, Categorize categorize) {
        long started = context.currentSystemTimeMs();
        try {
            Optional<CategorizedBatch> result = categorize.apply(List.of(kv.value.example()));
            if (result.isPresent()) {
                recordBatch(1, result.get().inferenceNanos());
                route(List.of(kv), result.get(), started, started + result.get().inferenceNanos() / 1_000_000);
            }
        } catch (Exception e) {
            Example x = kv.value.example();
            reject(x, new RejectedRecord("categorization_failed", null, "model " + version.key()
                    + " could not categorize example " + x.id() + ": " + e, ContractJson.writeString(x),
                    CategorizeTopology.SOURCE_TOPIC, context.taskId().partition(), Long.parseLong(kv.key), now()),
                    kv.value.timestamp());
            done(kv.key);
        }
    }

    /** One model call of {@code n} examples; full when it held {@code batch.size}. */
    private void recordBatch(int n, long inferenceNanos) {
        metrics.batch(n, inferenceNanos, n >= settings.size());
    }

    private void rejectProbe(KeyValue<String, PendingExample> kv, String reason, String why) {
        Example x = kv.value.example();
        reject(x.id(), new RejectedRecord(reason, "header " + ProbeHeaders.MODEL, "probe " + x.id() + " of evaluation "
                + kv.value.evaluationId() + " not answered: " + why, ContractJson.writeString(x),
                CategorizeTopology.SOURCE_TOPIC, context.taskId().partition(), Long.parseLong(kv.key), now()),
                kv.value.timestamp());
        done(kv.key);
    }

    /**
     * Routes one batch's outcomes for this task's examples ({@code batch.inferenceNanos()} is their
     * share of the batch's time); {@code finished}: when the batch's inference ended (the context's
     * clock only advances between records).
     */
    private void route(List<KeyValue<String, PendingExample>> todo, CategorizedBatch batch, long started, long finished) {
        long now = finished;
        long inferenceMs = batch.inferenceNanos() / 1_000_000 / todo.size();
        for (int i = 0; i < todo.size(); i++) {
            KeyValue<String, PendingExample> kv = todo.get(i);
            PendingExample p = kv.value;
            Example example = p.example();
            Outcome outcome = batch.outcomes().get(i);
            if (outcome.result() == null) {
                reject(example, new RejectedRecord("too_long", "question", "example " + example.id()
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
                Verdict verdict = verdict(example, outcome, batch, new Timings(
                        Math.max(0, started - p.timestamp()), inferenceMs, Math.max(0, now - p.timestamp())), now);
                Route route = routing.route(verdict.category());
                CategorizedExample out = new CategorizedExample(example, verdict, route);
                context.forward(new Record<>(example.id(), out, p.timestamp()), CategorizeTopology.CATEGORIZED_SINK);
                context.forward(new Record<>(example.id(), out, p.timestamp()), route == Route.ACCEPTED
                        ? CategorizeTopology.ACCEPTED_SINK : CategorizeTopology.QUARANTINED_SINK);
                VerdictHistory history = verdicts.get(example.id());
                verdicts.put(example.id(), (history == null ? new VerdictHistory(example.id(), List.of()) : history)
                        .with(new RoutedVerdict(verdict, route)));
                QuarantinedExample before = quarantine.get(example.id());
                if (route == Route.QUARANTINED) {
                    // A new verdict opens it again in the queue; the decisions about it stay in its history.
                    quarantine.put(example.id(), new QuarantinedExample(example, Long.parseLong(kv.key), p.timestamp(),
                            batch.model().key(), now, null, verdict, QuarantineEntry.State.OPEN,
                            before == null ? List.of() : before.decisions()));
                } else if (before != null && before.open()) {
                    quarantine.put(example.id(), before.known()); // known now: it went to training, its history stays
                }
                metrics.verdict(verdict.category(), batch.model());
                outcome(example, () -> SubmissionOutcome.categorized(example, verdict, route), p.timestamp());
            } else {
                metrics.duplicate(); // the same example twice in one batch
                repeated(p, batch.model().key());
            }
            done(kv.key);
        }
    }

    private static Verdict verdict(Example example, Outcome outcome, CategorizedBatch batch, Timings timings, long now) {
        SlickConfig c = batch.config();
        SlickResult r = outcome.result();
        return Verdict.builder().exampleId(example.id()).model(batch.model().name()).modelVersion(batch.model().version())
                .category(r.category()).pGreedy(r.pGreedy()).pSampled(r.pSampled()).method(batch.method())
                .prompts(c.prompts()).shots(c.shots()).samplesPerPrompt(c.samplesPerPrompt()).temperature(c.temperature())
                .topK(c.topK()).promptSets(c.promptSets()).exemplarPool(r.pool()).fallback(r.fallback())
                .timings(timings).computedAt(Instant.ofEpochMilli(now)).evidence(outcome.evidence()).build();
    }

    private boolean alreadyCategorized(Example example, String modelKey) {
        if (example.purpose() == Purpose.PROBE) {
            return false; // every evaluation gets its answers
        }
        VerdictHistory history = verdicts.get(example.id());
        return history != null && history.under(modelKey).isPresent();
    }

    /**
     * Once a new version is live, sends the quarantined examples another version judged back to be
     * judged by it, a batch's worth per tick and at most {@link QuarantineRecheck#maxPerVersion()} per
     * version on this task; they then take the normal path (now known: accepted, for training; still
     * Unknown: quarantined again), and their verdict history keeps both verdicts.
     */
    private void requeueQuarantined() {
        if (!recheck.enabled()) {
            return;
        }
        Optional<ModelRef> live = categorizer.live();
        if (live.isEmpty() || live.get().key().equals(recheckedAll)) {
            return;
        }
        String liveKey = live.get().key();
        if (!liveKey.equals(recheckVersion)) {
            recheckVersion = liveKey;
            recheckAfter = null;
        }
        int done = rechecked.getOrDefault(liveKey, 0);
        int room = Math.min(settings.size(), recheck.maxPerVersion() - done);
        List<KeyValue<String, QuarantinedExample>> chosen = new ArrayList<>();
        if (room > 0) {
            // Each tick goes on where the last stopped: a large quarantine is read once per version, not
            // once per batch. What is quarantined meanwhile is quarantined by the live version itself.
            try (KeyValueIterator<String, QuarantinedExample> it = recheckAfter == null ? quarantine.all()
                    : quarantine.range(recheckAfter, null)) {
                while (it.hasNext() && chosen.size() < room) {
                    KeyValue<String, QuarantinedExample> e = it.next();
                    if (e.key.equals(recheckAfter)) {
                        continue;
                    }
                    recheckAfter = e.key;
                    if (e.value.open() && !e.value.modelKey().equals(liveKey) && !liveKey.equals(e.value.recheckedFor())) {
                        chosen.add(e);
                    }
                }
            }
        }
        if (chosen.size() < room || room <= 0) {
            recheckedAll = liveKey; // nothing more to send for this version (or its bound is reached)
        }
        long now = context.currentSystemTimeMs();
        for (KeyValue<String, QuarantinedExample> e : chosen) {
            QuarantinedExample q = e.value;
            quarantine.put(e.key, q.recheckedFor(liveKey));
            String key = String.format(Locale.ROOT, "%019d", q.sourceOffset());
            PendingExample p = new PendingExample(q.example(), q.timestamp(), now, null, null);
            pending.put(key, p);
            share(key, p);
        }
        if (!chosen.isEmpty()) {
            rechecked.put(liveKey, done + chosen.size());
            metrics.rechecked(chosen.size());
            pendingCount += chosen.size();
            oldestArrival = Math.min(oldestArrival, now);
            LOG.debugf("%d quarantined examples sent to be judged again by %s", chosen.size(), liveKey);
        }
    }

    /** An example seen again after its verdict under this version: its submission learns that verdict. */
    private void repeated(PendingExample p, String modelKey) {
        Example example = p.example();
        VerdictHistory history = verdicts.get(example.id());
        history.under(modelKey).ifPresent(v ->
                outcome(example, () -> SubmissionOutcome.categorized(example, v.verdict(), v.route()), p.timestamp()));
    }

    /** Re-keyed by submission for the submissions store (SubmissionAggregator); nothing for probes or unstamped examples. */
    private void outcome(Example example, Supplier<SubmissionOutcome> outcome, long timestamp) {
        if (SubmissionOutcome.counted(example)) {
            SubmissionOutcome o = outcome.get();
            context.forward(new Record<>(o.key(), o, timestamp), CategorizeTopology.OUTCOMES_SINK);
        }
    }

    private void reject(Example example, RejectedRecord rejected, long timestamp) {
        reject(example.id(), rejected, timestamp);
        outcome(example, () -> SubmissionOutcome.rejected(example, rejected.reason(), rejected.message(),
                rejected.rejectedAt()), timestamp);
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
