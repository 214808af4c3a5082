package dev.knowgate.service.worker;

import dev.knowgate.resilience.Backoff;
import dev.knowgate.resilience.Sleeper;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a service's background worker on its own thread and restarts it, with exponential backoff,
 * when it ends with an unexpected exception. A worker that fails {@code maxFailures} times in a row
 * (each run shorter than {@code healthyAfter}) is given up on: {@link #state()} says so, and the
 * liveness check {@link WorkersLiveness} reports DOWN so that the orchestrator restarts the process
 * rather than leave it UP with a dead thread.
 */
public final class Supervisor {

    /** A worker's body; returning normally or being interrupted ends it for good. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** Backoff and give-up policy. */
    public record Policy(Duration firstBackoff, Duration maxBackoff, int maxFailures, Duration healthyAfter) {
        public Policy {
            if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0 || maxFailures < 1) {
                throw new IllegalArgumentException("bad supervision policy " + firstBackoff + ", " + maxBackoff + ", " + maxFailures);
            }
        }

        /** 1 s doubling to 1 min, given up after 5 failures in a row that each ran under 5 min. */
        public static Policy defaults() {
            return new Policy(Duration.ofSeconds(1), Duration.ofMinutes(1), 5, Duration.ofMinutes(5));
        }
    }

    /** What a worker is doing. */
    public sealed interface State {
        record Running(int restarts) implements State {
        }

        record BackingOff(int failures, String lastError, Instant until) implements State {
        }

        record GaveUp(int failures, String lastError) implements State {
        }

        record Stopped() implements State {
        }
    }

    private static final Logger LOG = Logger.getLogger(Supervisor.class);

    private final String name;
    private final Body body;
    private final Policy policy;
    private final Clock clock;
    private final AtomicReference<State> state = new AtomicReference<>(new State.Running(0));
    private volatile Thread thread;
    private volatile boolean stopping;

    public Supervisor(String name, Body body, Policy policy) {
        this(name, body, policy, Clock.systemUTC());
    }

    Supervisor(String name, Body body, Policy policy, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.body = Objects.requireNonNull(body, "body");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    public State state() {
        return state.get();
    }

    /** True unless the worker was given up on. */
    public boolean alive() {
        return !(state.get() instanceof State.GaveUp);
    }

    /** Starts the worker's daemon thread. */
    public Supervisor start() {
        Thread t = new Thread(this::supervise, name);
        t.setDaemon(true);
        thread = t;
        t.start();
        return this;
    }

    /** Marks the worker as stopping, before the caller wakes it some other way (a Kafka consumer's wakeup). */
    public void requestStop() {
        stopping = true;
    }

    /**
     * Waits up to {@code wait} for a worker asked to stop by other means (a Kafka consumer's wakeup) to
     * end by itself; true when it has. Interrupting it instead could cut short what it closes on the way out.
     */
    public boolean awaitEnd(Duration wait) {
        Thread t = thread;
        if (t == null) {
            return true;
        }
        try {
            t.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    /** Asks the worker to end (interrupting it) and waits up to {@code wait} for it. */
    public void stop(Duration wait) {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether {@link #stop} was called: a body woken from a blocking call (a Kafka consumer's wakeup) ends quietly. */
    public boolean stopping() {
        return stopping;
    }

    private void supervise() {
        int failures = 0;
        int restarts = 0;
        Backoff backoffs = new Backoff(policy.firstBackoff(), policy.maxBackoff(), Backoff.Jitter.NONE);
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            state.set(new State.Running(restarts));
            Instant started = clock.instant();
            try {
                body.run();
                break; // ended on purpose
            } catch (InterruptedException e) {
                break;
            } catch (Exception | Error e) {
                if (stopping) {
                    break;
                }
                if (Duration.between(started, clock.instant()).compareTo(policy.healthyAfter()) >= 0) {
                    failures = 0; // it ran well for a while: this is a new trouble, not the same one again
                }
                failures++;
                String error = e.getClass().getSimpleName() + ": " + e.getMessage();
                if (failures >= policy.maxFailures()) {
                    state.set(new State.GaveUp(failures, error));
                    LOG.errorf(e, "worker %s failed %d times in a row; giving up (liveness DOWN)", name, failures);
                    return;
                }
                Duration backoff = backoffs.delay(failures);
                state.set(new State.BackingOff(failures, error, clock.instant().plus(backoff)));
                LOG.errorf(e, "worker %s failed (%d of %d); restarting in %s", name, failures, policy.maxFailures(), backoff);
                try {
                    Sleeper.THREAD.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    break;
                }
                restarts++;
            }
        }
        state.set(new State.Stopped());
    }
}
