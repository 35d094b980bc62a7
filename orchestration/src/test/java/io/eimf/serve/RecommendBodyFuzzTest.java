package io.eimf.serve;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.eimf.core.testing.Mutator;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Fuzzing of {@code eimf serve}'s {@code /v1/recommend} body parser, unchanged ({@link RecommendService#recommend(
 * String)}), with no model loaded: every seeded mutant of a valid body must end in a {@link RecommendRequestException}
 * with a 4xx status (or 503 "no model" once the body is valid), never another exception, never a hang.
 */
class RecommendBodyFuzzTest {
    static final String VALID = "{\"history\": [\"12\", 7, \"x y\"], \"n\": 50, \"ignoreUnknown\": true, "
            + "\"excludeHistory\": false}";

    @Property
    void everyBodyEndsInARequestError(@ForAll long seed) {
        String body = new Mutator(seed).mutate(VALID);
        RecommendService svc = new RecommendService(new AtomicReference<>(null), new ServeMetrics(), 200, 1000);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            try {
                svc.recommend(body);
                fail("answered without a model: " + body);
            } catch (RecommendRequestException e) {
                assertNotNull(e.getMessage());
                assertTrue((e.status() >= 400 && e.status() < 500) || e.status() == 503,
                        e.status() + " " + e.getMessage() + " (seed " + seed + ")");
            } catch (RuntimeException e) {
                fail(e + " (seed " + seed + "): " + (body.length() > 300 ? body.substring(0, 300) + "..." : body), e);
            }
        }, () -> "took over 5 s (seed " + seed + ")");
    }
}
