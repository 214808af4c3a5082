package dev.knowgate.categorize.stream;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.QuarantineEntry;
import dev.knowgate.contracts.RejectedRecord;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.json.ContractJson;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Applies the decisions on quarantine.decisions to the quarantine store, in the task that quarantined
 * the example (the topic is co-partitioned with examples.submitted), so a decision, its effect and
 * the queue's new state commit in one transaction:
 * <ul>
 *   <li>release: the example goes to examples.released with route {@code released} and its Unknown
 *       verdict, for the trainer to admit within its budget;</li>
 *   <li>drop: it stays out of training for good;</li>
 *   <li>amend: the corrected example goes to examples.submitted as a new example (its id in the
 *       decision), to be judged like any other;</li>
 *   <li>return (the trainer's): a released example whose round was rejected is open again, with the
 *       rejection in its history.</li>
 * </ul>
 * A decision is applied once: the same decision id again, a decision about an example that is not
 * open (not released, for a return), not in the queue, or answering another verdict than the one in
 * force is counted and logged, and changes nothing. A malformed record goes to examples.rejected.
 */
final class QuarantineDecider implements Processor<String, byte[], String, Object> {

    private static final Logger LOG = Logger.getLogger(QuarantineDecider.class);

    private final CategorizeMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, QuarantinedExample> quarantine;

    QuarantineDecider(CategorizeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.quarantine = context.getStateStore(CategorizeTopology.QUARANTINE_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        QuarantineDecision decision;
        try {
            if (record.value() == null) {
                throw ContractViolation.missing("decision");
            }
            decision = ContractJson.read(record.value(), QuarantineDecision.class);
        } catch (ContractViolation v) {
            RejectedRecord rejected = record.value() == null
                    ? new RejectedRecord("invalid_json", null, "the record has no value", null, source.topic(),
                    source.partition(), source.offset(), now())
                    : RejectedRecord.of(v, record.value(), source.topic(), source.partition(), source.offset(), now());
            context.forward(new Record<>(record.key(), rejected, record.timestamp()), CategorizeTopology.REJECTED_SINK);
            metrics.rejected(rejected.reason());
            return;
        }
        QuarantinedExample entry = quarantine.get(decision.exampleId());
        String ignored = ignored(decision, entry);
        if (ignored != null) {
            LOG.infof("decision %s (%s of %s by %s) ignored: %s", decision.decisionId(), decision.action().wireName(),
                    decision.exampleId(), decision.decidedBy(), ignored);
            metrics.decision(decision.action(), ignored);
            return;
        }
        switch (decision.action()) {
            case RELEASE -> context.forward(new Record<>(entry.example().id(),
                    new CategorizedExample(entry.example(), entry.verdict(), Route.RELEASED), record.timestamp()),
                    CategorizeTopology.RELEASED_SINK);
            case AMEND -> {
                Example amended = QuarantineDecision.amended(entry.example(), decision.answer(), decision.aliases());
                context.forward(new Record<>(amended.id(), amended, record.timestamp()), CategorizeTopology.RESUBMIT_SINK);
            }
            case DROP, RETURN -> {
                // the queue's state is the whole effect
            }
        }
        quarantine.put(decision.exampleId(), entry.decided(decision));
        metrics.decision(decision.action(), "applied");
        LOG.infof("decision %s applied: %s %s (%s: %s)", decision.decisionId(), decision.action().wireName(),
                decision.exampleId(), decision.decidedBy(), decision.reason());
    }

    /** Why a decision changes nothing, or null when it applies. */
    static String ignored(QuarantineDecision decision, QuarantinedExample entry) {
        if (entry == null) {
            return "not_quarantined";
        }
        if (entry.applied(decision.decisionId())) {
            return "duplicate";
        }
        if (decision.action() == QuarantineDecision.Action.RETURN) {
            return entry.state() == QuarantineEntry.State.RELEASED ? null : "not_released";
        }
        if (!entry.open()) {
            return "not_open";
        }
        if (entry.verdict() == null && decision.action() == QuarantineDecision.Action.RELEASE) {
            return "no_verdict"; // an entry from before the queue kept its verdict: nothing to train it with
        }
        return decision.verdictModel().equals(entry.modelKey()) ? null : "stale_verdict";
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
}
