package dev.knowgate.resilience;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Test
    void withoutJitterTheWaitDoublesFromFirstAndStopsAtMax() {
        Backoff b = new Backoff(ms(1000), ms(60_000), Backoff.Jitter.NONE);
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 50, Integer.MAX_VALUE).stream().map(b::delay)).containsExactly(
                ms(1000), ms(2000), ms(4000), ms(8000), ms(16_000), ms(32_000), ms(60_000), ms(60_000), ms(60_000));
    }

    @Test
    void equalJitterKeepsHalfTheWaitAndDrawsTheOtherHalf() {
        Backoff b = new Backoff(ms(500), ms(30_000), Backoff.Jitter.EQUAL);
        Random random = new Random(7);
        for (int retry = 1; retry <= 12; retry++) {
            long full = Math.min(500L << (retry - 1), 30_000);
            Duration d = b.delay(retry, random);
            assertThat(d).as("retry %d", retry).isBetween(ms(full / 2), ms(full));
        }
        // The draws really spread: 200 waits before the 4th retry take many values.
        assertThat(IntStream.range(0, 200).mapToObj(i -> b.delay(4, random)).distinct().count()).isGreaterThan(100);
        // At the extremes of the random draw: exactly half, and just under the whole.
        assertThat(b.delay(2, () -> 0L)).isEqualTo(ms(500));
    }

    @Test
    void retryAfterReplacesTheBackoffAndIsCappedAtMax() {
        Backoff b = new Backoff(ms(1000), ms(60_000), Backoff.Jitter.NONE);
        assertThat(b.delay(3, Optional.of(Duration.ofSeconds(2)))).isEqualTo(ms(2000));
        assertThat(b.delay(3, Optional.of(Duration.ofHours(3)))).isEqualTo(ms(60_000));
        assertThat(b.delay(3, Optional.empty())).isEqualTo(ms(4000));
        // A jittered backoff takes the server's word as it is (capped), without drawing.
        Backoff jittered = new Backoff(ms(1000), ms(60_000), Backoff.Jitter.EQUAL);
        assertThat(jittered.delay(5, Optional.of(Duration.ofSeconds(9)), () -> {
            throw new AssertionError("no draw");
        })).isEqualTo(ms(9000));
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new Backoff(ms(10), ms(5), Backoff.Jitter.NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(ms(-1), ms(5), Backoff.Jitter.NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(ms(5), ms(5), Backoff.Jitter.NONE).delay(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(ms(5), ms(50), Backoff.Jitter.EQUAL).delay(1))
                .isInstanceOf(IllegalStateException.class);
    }
}
