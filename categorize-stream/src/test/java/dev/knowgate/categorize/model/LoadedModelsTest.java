package dev.knowgate.categorize.model;

import dev.knowgate.categorize.TestModels;
import dev.knowgate.contracts.Example;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Model calls from several threads, at most {@code concurrentCalls} at once. */
class LoadedModelsTest {

    static final int THREADS = 3;
    static final int CALLS_EACH = 2;
    static ServingModel model;
    static List<Example> examples;

    @BeforeAll
    static void load() throws Exception {
        model = new ModelLoader(RuntimeOptions.cpu(), new SlickConfig(2, 4, 16, 0.5, 40, 0.5)).load(TestModels.base());
        examples = FactWorld.generate(WorldConfig.preset("standard", 42L)).finetunePool().subList(0, 8).stream()
                .map(Fact::toExample).toList();
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
    }

    /**
     * Each call's inference time is measured inside its permit, so with one permit the calls' intervals
     * do not overlap and their sum fits in the time all of them took; calls that overlapped would add up
     * to more (three threads start together, on at most two cores here).
     */
    @Test
    void withOneCallAtATimeCallsFromThreadsDoNotOverlap() throws Exception {
        LoadedModels models = new LoadedModels(2, 1);
        models.swap(model);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Long>> inference = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                inference.add(pool.submit(() -> {
                    start.await();
                    long nanos = 0;
                    for (int c = 0; c < CALLS_EACH; c++) {
                        nanos += models.categorize(examples).orElseThrow().inferenceNanos();
                    }
                    return nanos;
                }));
            }
            long began = System.nanoTime();
            start.countDown();
            long summed = 0;
            for (Future<Long> f : inference) {
                summed += f.get();
            }
            long elapsed = System.nanoTime() - began;
            assertThat(summed).as("inference summed over %d calls against the time they all took", THREADS * CALLS_EACH)
                    .isLessThanOrEqualTo(elapsed);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void atLeastOneCallAtATime() {
        assertThatThrownBy(() -> new LoadedModels(2, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("knowgate.categorize.model.concurrent-calls must be >= 1, got 0");
    }
}
