package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.EvidencePoint;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.monitor.flagging.AlertDecision;
import dev.knowgate.monitor.flagging.Condition;
import dev.knowgate.monitor.flagging.ConditionState;
import dev.knowgate.monitor.flagging.CusumSettings;
import dev.knowgate.monitor.flagging.UnknownShareCusum;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Verdicts on incoming training examples, keyed by lineage: counted per category in tumbling
 * event-time windows. When a record opens a newer window, the windows before it are closed, and
 * each closed window with enough examples feeds the CUSUM on the Unknown share. A change point fires
 * one alert; it resolves when the CUSUM falls back under its limit.
 */
final class IncomingMixProcessor implements Processor<String, CategorizedExample, String, Alert> {

    static final String METRIC = "unknown_share";

    private final CusumSettings settings;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, MixWindow> windows;
    private KeyValueStore<String, MixState> states;
    private KeyValueStore<String, ConditionState> conditions;

    IncomingMixProcessor(CusumSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.windows = context.getStateStore(MonitorTopology.MIX_STORE);
        this.states = context.getStateStore(MonitorTopology.MIX_STATE_STORE);
        this.conditions = context.getStateStore(MonitorTopology.MIX_ALERT_STORE);
    }

    @Override
    public void process(Record<String, CategorizedExample> record) {
        CategorizedExample c = record.value();
        if (c == null || c.example().purpose() == Purpose.PROBE) {
            return;
        }
        String model = c.verdict().model();
        long size = settings.window().toMillis();
        long start = Math.floorDiv(record.timestamp(), size) * size;
        String key = windowKey(model, start);
        MixWindow w = windows.get(key);
        windows.put(key, (w == null ? MixWindow.empty(model, Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + size))
                : w).with(c.verdict().category()));

        MixState state = states.get(model);
        if (state == null) {
            states.put(model, new MixState(start, UnknownShareCusum.start(settings)));
            return;
        }
        if (start <= state.currentWindowStart()) {
            return; // the current window, or a late record for a closed one (counted, not tested again)
        }
        UnknownShareCusum cusum = state.cusum();
        for (long closed = state.currentWindowStart(); closed < start; closed += size) {
            MixWindow done = windows.get(windowKey(model, closed));
            if (done != null && done.total() >= settings.minExamples()) {
                cusum = cusum.observe(done.windowStart().toString(), done.unknownShare(), settings);
                decide(model, cusum, done, record.timestamp());
            }
            windows.delete(windowKey(model, closed - settings.keepWindows() * size));
        }
        states.put(model, new MixState(start, cusum));
    }

    private void decide(String model, UnknownShareCusum cusum, MixWindow window, long timestamp) {
        if (cusum.target() == null) {
            return; // still learning the target
        }
        boolean holds = cusum.inChange(settings);
        List<EvidencePoint> evidence = cusum.recent().stream().map(w -> new EvidencePoint(w.start(), w.share())).toList();
        Condition condition = new Condition("change_point-" + METRIC + "-" + model, AlertKind.CHANGE_POINT, METRIC, model,
                null, holds, window.unknownShare(), cusum.sum(), cusum.target(), settings.threshold(), evidence,
                String.format(Locale.ROOT, "Unknown share of incoming examples for %s: %.1f%% (%d of %d) in the window "
                                + "from %s against an expected %.1f%% (CUSUM %.2f, limit %.2f)%s", model,
                        100 * window.unknownShare(), window.counts().getOrDefault(dev.knowgate.contracts.Category.UNKNOWN, 0),
                        window.total(), window.windowStart(), 100 * cusum.target(), cusum.sum(), settings.threshold(),
                        holds ? ": the stream is drifting toward new knowledge" : ""));
        AlertDecision.Step step = AlertDecision.apply(conditions.get(condition.key()), condition, Instant.ofEpochMilli(timestamp));
        conditions.put(condition.key(), step.state());
        step.publish().ifPresent(a -> context.forward(new Record<>(a.id(), a, timestamp)));
    }

    /** Sorts by lineage, then window start (zero-padded), so a range scan reads windows in order. */
    static String windowKey(String model, long start) {
        return model + "|" + String.format(Locale.ROOT, "%016d", start);
    }
}
