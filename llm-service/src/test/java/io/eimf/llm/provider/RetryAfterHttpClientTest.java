package io.eimf.llm.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterHttpClientTest {
    private static final Instant NOW = Instant.parse("2015-10-21T07:27:30Z");

    @Test
    void parsesDelaySecondsAndHttpDates() {
        assertEquals(Duration.ofSeconds(2), RetryAfterHttpClient.retryAfter("2", NOW));
        assertEquals(Duration.ofSeconds(0), RetryAfterHttpClient.retryAfter(" 0 ", NOW));
        assertEquals(Duration.ofSeconds(30), RetryAfterHttpClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", NOW));
        assertEquals(Duration.ZERO, RetryAfterHttpClient.retryAfter("Wed, 21 Oct 2015 07:00:00 GMT", NOW));
    }

    @Test
    void unusableValuesAreIgnored() {
        assertNull(RetryAfterHttpClient.retryAfter(null, NOW));
        assertNull(RetryAfterHttpClient.retryAfter("", NOW));
        assertNull(RetryAfterHttpClient.retryAfter("soon", NOW));
        assertNull(RetryAfterHttpClient.retryAfter("-5", NOW));
        assertNull(RetryAfterHttpClient.retryAfter("99999999999999999999999", NOW));
    }
}
