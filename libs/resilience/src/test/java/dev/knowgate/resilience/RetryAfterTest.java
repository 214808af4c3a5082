package dev.knowgate.resilience;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-12-05T17:00:00Z");

    @Test
    void delaySecondsAndHttpDatesBothRead() {
        assertThat(RetryAfter.parse("120", NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(" 0 ", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("Sat, 05 Dec 2026 17:00:30 GMT", NOW)).contains(Duration.ofSeconds(30));
        // A date already past means now.
        assertThat(RetryAfter.parse("Sat, 05 Dec 2026 16:59:00 GMT", NOW)).contains(Duration.ZERO);
        // More seconds than a long holds: a day, not an overflow.
        assertThat(RetryAfter.parse("99999999999999999999999", NOW)).contains(Duration.ofDays(1));
    }

    @Test
    void absentOrUnreadableIsEmpty() {
        for (String junk : new String[]{null, "", "  ", "-5", "1.5", "soon", "Sat, 32 Dec 2026 17:00:30 GMT"}) {
            assertThat(RetryAfter.parse(junk, NOW)).as(String.valueOf(junk)).isEqualTo(Optional.empty());
        }
    }
}
