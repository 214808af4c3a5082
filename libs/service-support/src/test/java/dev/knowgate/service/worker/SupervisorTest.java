package dev.knowgate.service.worker;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real threads, real failures: a worker that throws is restarted with backoff; one that keeps
 * throwing is given up on and liveness goes DOWN (before, such a thread just ended and health stayed UP).
 */
class SupervisorTest {

    private static final Supervisor.Policy FAST = new Supervisor.Policy(Duration.ofMillis(20), Duration.ofMillis(80), 4,
            Duration.ofMinutes(1));

    @Test
    void aWorkerThatFailsIsRestartedWithBackoffAndKeepsWorking() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch working = new CountDownLatch(1);
        Workers workers = new Workers();
        Supervisor s = workers.start("flaky", () -> {
            if (runs.incrementAndGet() <= 2) {
                throw new IllegalStateException("boom " + runs.get());
            }
            working.countDown();
            Thread.sleep(Long.MAX_VALUE);
        }, FAST);
        assertThat(working.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(runs.get()).isEqualTo(3);
        assertThat(s.state()).isEqualTo(new Supervisor.State.Running(2));
        HealthCheckResponse health = liveness(workers).call();
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(health.getData().orElseThrow()).containsEntry("flaky", "running, restarted 2 times");
        s.stop(Duration.ofSeconds(5));
        assertThat(s.state()).isInstanceOf(Supervisor.State.Stopped.class);
    }

    @Test
    void aWorkerThatKeepsFailingIsGivenUpAndLivenessGoesDown() {
        AtomicInteger runs = new AtomicInteger();
        Workers workers = new Workers();
        long started = System.nanoTime();
        Supervisor s = workers.start("doomed", () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("broker record nobody expected");
        }, FAST);
        await().atMost(Duration.ofSeconds(5)).until(() -> !s.alive());
        // 4 failures, backoffs 20 + 40 + 80 ms between them.
        assertThat(runs.get()).isEqualTo(4);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(140));
        HealthCheckResponse health = liveness(workers).call();
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(health.getData().orElseThrow().get("doomed").toString())
                .contains("gave up after 4 failures", "broker record nobody expected");
    }

    @Test
    void aWorkerThatEndsOnPurposeIsNotRestarted() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Supervisor s = new Workers().start("once", runs::incrementAndGet, FAST);
        await().atMost(Duration.ofSeconds(5)).until(() -> s.state() instanceof Supervisor.State.Stopped);
        Thread.sleep(100);
        assertThat(runs.get()).isEqualTo(1);
        assertThat(s.alive()).isTrue();
    }

    @Test
    void aWorkerWokenToStopEndsWithoutAnInterrupt() throws Exception {
        java.util.concurrent.CountDownLatch wake = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Supervisor s = new Workers().start("woken", () -> {
            try {
                wake.await(); // stands for a Kafka consumer's poll, ended by its wakeup
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }, FAST);
        s.requestStop();
        wake.countDown();

        assertThat(s.awaitEnd(Duration.ofSeconds(5))).isTrue();
        assertThat(interrupted).isFalse();
        Supervisor stuck = new Workers().start("stuck", () -> Thread.sleep(60_000), FAST);
        Thread.sleep(50);
        assertThat(stuck.awaitEnd(Duration.ofMillis(100))).as("still running: the caller then interrupts it").isFalse();
        stuck.stop(Duration.ofSeconds(5));
    }

    private static WorkersLiveness liveness(Workers workers) {
        WorkersLiveness check = new WorkersLiveness();
        check.workers = workers;
        return check;
    }
}
