package dev.knowgate.categorize.model;

import dev.knowgate.categorize.model.CategorizedBatch.Outcome;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The model version serving verdicts now. Batches hold the read lock while they use it; a swap
 * takes the write lock, so it happens between batches and the old session is closed only when no
 * batch uses it any more. Loading and verifying happen before, off the stream thread.
 */
public final class LiveModel implements ExampleCategorizer, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LiveModel.class);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile ServingModel current;

    /** Makes {@code next} the live model and closes the one it replaces. */
    public void swap(ServingModel next) {
        ServingModel old;
        lock.writeLock().lock();
        try {
            old = current;
            current = next;
        } finally {
            lock.writeLock().unlock();
        }
        LOG.infof("live model is now %s%s", next.key(), old == null ? "" : " (was " + old.key() + ")");
        closeQuietly(old);
    }

    public Optional<ServingModel> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public Optional<ModelRef> live() {
        ServingModel m = current;
        return m == null ? Optional.empty() : Optional.of(new ModelRef(m.version().name(), m.version().version()));
    }

    @Override
    public Optional<CategorizedBatch> categorize(List<Example> examples) throws Exception {
        lock.readLock().lock();
        try {
            ServingModel model = current;
            if (model == null) {
                return Optional.empty();
            }
            long start = System.nanoTime();
            List<SlickQuestion> fitting = new ArrayList<>();
            List<Integer> fittingIndex = new ArrayList<>();
            List<SlickQuestion> probes = new ArrayList<>();
            List<Integer> probeIndex = new ArrayList<>();
            Outcome[] outcomes = new Outcome[examples.size()];
            for (int i = 0; i < examples.size(); i++) {
                Example e = examples.get(i);
                SlickQuestion q = new SlickQuestion(e.id(), e.relation(), e.question(), e.answer(), e.aliases());
                int needed = model.categorizer().tokensNeeded(q);
                if (needed > model.maxPositions()) {
                    outcomes[i] = new Outcome(null, null, "its " + model.config().shots()
                            + "-shot prompts and answer need " + needed + " tokens; " + model.key() + " takes "
                            + model.maxPositions());
                    continue;
                }
                fitting.add(q);
                fittingIndex.add(i);
                if (e.purpose() == Purpose.PROBE) {
                    probes.add(q);
                    probeIndex.add(i);
                }
            }
            List<SlickResult> results = fitting.isEmpty() ? List.of() : model.categorizer().categorize(fitting);
            boolean[] plain = probes.isEmpty() ? new boolean[0] : model.exact().answersPlainQuestion(probes);
            for (int j = 0; j < results.size(); j++) {
                outcomes[fittingIndex.get(j)] = new Outcome(results.get(j), null, null);
            }
            for (int j = 0; j < plain.length; j++) {
                int i = probeIndex.get(j);
                outcomes[i] = new Outcome(outcomes[i].result(), plain[j], null);
            }
            ModelRef ref = new ModelRef(model.version().name(), model.version().version());
            return Optional.of(new CategorizedBatch(ref, model.categorizer().method(), model.config(), List.of(outcomes),
                    System.nanoTime() - start));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closeQuietly(current);
            current = null;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static void closeQuietly(ServingModel model) {
        if (model == null) {
            return;
        }
        try {
            model.close();
        } catch (Exception e) {
            LOG.warnf("closing %s: %s", model.key(), e.getMessage());
        }
    }
}
