package io.eimf.core.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(250));

    @Test
    void capsDoubleUpToTheMaximum() {
        assertEquals(100, b.capMillis(0));
        assertEquals(200, b.capMillis(1));
        assertEquals(250, b.capMillis(2));
        assertEquals(250, b.capMillis(40)); // no overflow for large retry counts
    }

    @Test
    void delaysAreFullJitterBelowTheCap() {
        long min = Long.MAX_VALUE, max = 0, sum = 0;
        for (int i = 0; i < 4000; i++) {
            long d = b.delayMillis(1);
            min = Math.min(min, d);
            max = Math.max(max, d);
            sum += d;
        }
        assertTrue(min >= 0 && max <= 200, min + ".." + max);
        // uniform on [0, 200]: spread over the range, mean about 100
        assertTrue(min < 20 && max > 180, min + ".." + max);
        assertEquals(100, sum / 4000.0, 8);
    }

    @Test
    void noneNeverWaitsAndBadRangesAreRefused() {
        assertEquals(0, Backoff.NONE.delayMillis(5));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofMillis(-1), Duration.ofSeconds(1)));
    }
}
