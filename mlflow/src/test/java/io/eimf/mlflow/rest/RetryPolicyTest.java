package io.eimf.mlflow.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy p = new RetryPolicy(4, Duration.ZERO, Duration.ZERO);

    private static MlflowApiException http(int status, String code) {
        return new MlflowApiException(status, code, "HTTP " + status, null);
    }

    @Test
    void createThatLandedBeforeA503IsFoundNotResent() {
        List<String> server = new ArrayList<>();
        AtomicInteger creates = new AtomicInteger();
        String id = p.create(() -> {
            creates.incrementAndGet();
            server.add("run-1");
            throw http(503, "");
        }, () -> server.stream().findFirst());
        assertEquals("run-1", id);
        assertEquals(1, creates.get());
        assertEquals(1, server.size());
    }

    @Test
    void createThatNeverLandedIsResentAfterTheLookupSaysSo() {
        List<String> server = new ArrayList<>();
        AtomicInteger creates = new AtomicInteger();
        String id = p.create(() -> {
            if (creates.incrementAndGet() == 1) throw http(0, ""); // connection refused: nothing landed
            server.add("run-" + creates.get());
            return "run-" + creates.get();
        }, () -> server.stream().findFirst());
        assertEquals("run-2", id);
        assertEquals(1, server.size());
    }

    @Test
    void lookupThatCannotTellDoesNotResend() {
        AtomicInteger creates = new AtomicInteger();
        MlflowApiException e = assertThrows(MlflowApiException.class, () -> p.create(() -> {
            creates.incrementAndGet();
            throw http(503, "");
        }, () -> {
            throw http(503, "");
        }));
        assertEquals(1, creates.get(), "never re-sent while the server cannot say whether the first one landed");
        assertEquals(503, e.status());
    }

    @Test
    void clientErrorsAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        MlflowApiException bad = http(400, "INVALID_PARAMETER_VALUE");
        assertSame(bad, assertThrows(MlflowApiException.class, () -> p.idempotent(() -> {
            calls.incrementAndGet();
            throw bad;
        })));
        assertEquals(1, calls.get());
        assertThrows(MlflowApiException.class, () -> p.create(() -> {
            throw http(501, "NOT_IMPLEMENTED");
        }, Optional::empty));
    }

    @Test
    void idempotentCallsRetryTransientFailuresUpToTheLimit() {
        AtomicInteger calls = new AtomicInteger();
        assertEquals("ok", p.idempotent(() -> {
            if (calls.incrementAndGet() < 3) throw http(502, "");
            return "ok";
        }));
        calls.set(0);
        assertThrows(MlflowApiException.class, () -> p.idempotent(() -> {
            calls.incrementAndGet();
            throw http(429, "");
        }));
        assertEquals(4, calls.get());
    }
}
