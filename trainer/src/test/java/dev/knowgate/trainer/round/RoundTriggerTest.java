package dev.knowgate.trainer.round;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RoundTriggerTest {

    private static final Instant T = Instant.parse("2026-12-05T10:00:00Z");
    private final RoundTrigger trigger = new RoundTrigger(100, 500, Duration.ofMinutes(10));

    @Test
    void nothingPendingMakesNoRoundEvenWhenAsked() {
        assertThat(trigger.due(0, 0, null, true, T)).isFalse();
    }

    @Test
    void enoughTrainableExamplesOrAFullRoundMakeOne() {
        assertThat(trigger.due(150, 99, T, false, T)).isFalse();
        assertThat(trigger.due(150, 100, T, false, T)).isTrue();
        assertThat(trigger.due(500, 0, T, false, T)).isTrue(); // a round's worth, none trainable: skipped and committed
    }

    @Test
    void theOldestWaitingMaxWaitMakesOne() {
        assertThat(trigger.due(3, 3, T, false, T.plus(Duration.ofMinutes(10)).minusMillis(1))).isFalse();
        assertThat(trigger.due(3, 3, T, false, T.plus(Duration.ofMinutes(10)))).isTrue();
    }

    @Test
    void askingMakesOneAtOnce() {
        assertThat(trigger.due(1, 0, T, true, T)).isTrue();
    }
}
