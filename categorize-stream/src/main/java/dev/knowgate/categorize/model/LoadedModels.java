package dev.knowgate.categorize.model;

import dev.knowgate.categorize.model.CategorizedBatch.Outcome;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Evidence;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The model versions loaded now: the live one, which serves every verdict, and candidates loaded
 * beside it so that probe evaluations are answered under the very version they name. Batches hold
 * the read lock while they use a version; a swap or an unload takes the write lock, so it happens
 * between batches and a session is closed only when no batch uses it. Loading and verifying
 * happen before, off the stream thread ({@link ModelsWatcher}). At most {@code concurrentCalls} model
 * calls run at once, whichever stream threads make them, in the order they asked: with several stream
 * threads, one thread's commits, fetches and routing then overlap another's model call instead of a
 * second call competing for the same cores (or the same GPU).
 */
public final class LoadedModels implements ExampleCategorizer, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LoadedModels.class);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final int maxCandidates;
    private final Semaphore calls;
    private volatile ServingModel live;
    /** Candidates by key, least recently used first. */
    private final LinkedHashMap<String, ServingModel> candidates = new LinkedHashMap<>(8, 0.75f, true);
    private final Map<String, String> refused = new ConcurrentHashMap<>();
    private final Set<ModelRef> wanted = ConcurrentHashMap.newKeySet();

    /**
     * @param maxCandidates candidates kept loaded beside the live version; the least recently used goes first
     * @param concurrentCalls model calls run at once on this instance
     */
    public LoadedModels(int maxCandidates, int concurrentCalls) {
        if (maxCandidates < 1) {
            throw new IllegalArgumentException("knowgate.categorize.model.max-candidates must be >= 1, got " + maxCandidates);
        }
        if (concurrentCalls < 1) {
            throw new IllegalArgumentException("knowgate.categorize.model.concurrent-calls must be >= 1, got " + concurrentCalls);
        }
        this.maxCandidates = maxCandidates;
        this.calls = new Semaphore(concurrentCalls, true);
    }

    public LoadedModels() {
        this(2, 1);
    }

    /** Makes {@code next} the live model; the one it replaces is unloaded. */
    public void swap(ServingModel next) {
        List<ServingModel> closing = new ArrayList<>();
        lock.writeLock().lock();
        try {
            ServingModel old = live;
            ServingModel asCandidate = candidates.remove(next.key());
            if (asCandidate != null && asCandidate != next) {
                closing.add(asCandidate);
            }
            live = next;
            wanted.removeIf(r -> r.key().equals(next.key()));
            if (old != null && old != next) {
                closing.add(old);
            }
            LOG.infof("live model is now %s%s", next.key(), old == null ? "" : " (was " + old.key() + ")");
        } finally {
            lock.writeLock().unlock();
        }
        closing.forEach(LoadedModels::closeQuietly);
    }

    /** Loads {@code model} beside the live one (a candidate); the least recently used candidate beyond the limit is unloaded. */
    public void addCandidate(ServingModel model) {
        List<ServingModel> closing = new ArrayList<>();
        lock.writeLock().lock();
        try {
            if (live != null && live.key().equals(model.key())) {
                closing.add(model); // already serving
            } else {
                ServingModel old = candidates.put(model.key(), model);
                if (old != null && old != model) {
                    closing.add(old);
                }
                while (candidates.size() > maxCandidates) {
                    String eldest = candidates.keySet().iterator().next();
                    closing.add(candidates.remove(eldest));
                    LOG.infof("candidate %s unloaded (at most %d loaded beside the live model)", eldest, maxCandidates);
                }
            }
            wanted.removeIf(r -> r.key().equals(model.key()));
        } finally {
            lock.writeLock().unlock();
        }
        closing.forEach(LoadedModels::closeQuietly);
    }

    /** Makes a loaded candidate the live version; false when it is not loaded. */
    public boolean promote(String key) {
        ServingModel candidate;
        lock.writeLock().lock();
        try {
            candidate = candidates.get(key);
            if (candidate != null) {
                swap(candidate); // reentrant: the write lock is held throughout
            }
        } finally {
            lock.writeLock().unlock();
        }
        return candidate != null;
    }

    /** Unloads a candidate (rejected, or no longer needed); the live version is never unloaded here. */
    public void unload(String key) {
        ServingModel removed;
        lock.writeLock().lock();
        try {
            removed = candidates.remove(key);
        } finally {
            lock.writeLock().unlock();
        }
        if (removed != null) {
            LOG.infof("candidate %s unloaded", key);
            closeQuietly(removed);
        }
    }

    /** A version that will never load here: probes asking for it are rejected with this reason. */
    public void refuse(ModelRef version, String reason) {
        refused.put(version.key(), reason);
        wanted.remove(version);
    }

    /** Versions a probe asked for that are neither loaded nor refused: the watcher loads them. */
    public Set<ModelRef> wanted() {
        return Set.copyOf(wanted);
    }

    public boolean isLoaded(String key) {
        lock.readLock().lock();
        try {
            return live != null && live.key().equals(key) || candidates.containsKey(key);
        } finally {
            lock.readLock().unlock();
        }
    }

    public Optional<ServingModel> current() {
        return Optional.ofNullable(live);
    }

    /** Keys of the candidates loaded now. */
    public List<String> candidateKeys() {
        lock.readLock().lock();
        try {
            return List.copyOf(candidates.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<ModelRef> live() {
        ServingModel m = live;
        return m == null ? Optional.empty() : Optional.of(ref(m));
    }

    @Override
    public Availability availability(ModelRef version) {
        String reason = refused.get(version.key());
        if (reason != null) {
            return Availability.refused(reason);
        }
        if (isLoaded(version.key())) {
            return Availability.ready();
        }
        wanted.add(version);
        return Availability.pending();
    }

    @Override
    public Optional<CategorizedBatch> categorize(List<Example> examples) throws Exception {
        lock.readLock().lock();
        try {
            ServingModel model = live;
            return model == null ? Optional.empty() : Optional.of(call(model, examples));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<CategorizedBatch> categorize(ModelRef version, List<Example> examples) throws Exception {
        lock.writeLock().lock(); // a get on the access-ordered map reorders it
        ServingModel model;
        try {
            model = live != null && live.key().equals(version.key()) ? live : candidates.get(version.key());
            lock.readLock().lock(); // downgrade: held while the version is used
        } finally {
            lock.writeLock().unlock();
        }
        try {
            return model == null ? Optional.empty() : Optional.of(call(model, examples));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** One model call, when a call permit is free; the batch's inference time starts once it is. */
    private CategorizedBatch call(ServingModel model, List<Example> examples) throws Exception {
        calls.acquire();
        try {
            return categorize(model, examples);
        } finally {
            calls.release();
        }
    }

    private static CategorizedBatch categorize(ServingModel model, List<Example> examples) throws Exception {
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
        // A quarantined example comes with the model's own answer, for the curator who reviews it.
        List<SlickQuestion> unknown = new ArrayList<>();
        List<Integer> unknownIndex = new ArrayList<>();
        for (int j = 0; j < results.size(); j++) {
            int i = fittingIndex.get(j);
            if (results.get(j).category() == Category.UNKNOWN && examples.get(i).purpose() != Purpose.PROBE) {
                unknown.add(fitting.get(j));
                unknownIndex.add(i);
            }
        }
        List<Evidence> evidence = unknown.isEmpty() ? List.of() : model.exact().evidence(unknown);
        for (int j = 0; j < evidence.size(); j++) {
            int i = unknownIndex.get(j);
            outcomes[i] = new Outcome(outcomes[i].result(), null, null, evidence.get(j));
        }
        return new CategorizedBatch(ref(model), model.categorizer().method(), model.config(), List.of(outcomes),
                System.nanoTime() - start);
    }

    private static ModelRef ref(ServingModel m) {
        return new ModelRef(m.version().name(), m.version().version());
    }

    @Override
    public void close() {
        List<ServingModel> closing = new ArrayList<>();
        lock.writeLock().lock();
        try {
            if (live != null) {
                closing.add(live);
            }
            closing.addAll(candidates.values());
            candidates.clear();
            live = null;
        } finally {
            lock.writeLock().unlock();
        }
        closing.forEach(LoadedModels::closeQuietly);
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
