package io.eimf.llm.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.extract.InterestService;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
    static final Map<String, Object> P = Map.of("temperature", 0.0, "seed", 42);

    static InterestRequest req(String user, String text, int max) {
        return InterestService.normalise(new InterestRequest(user, List.of(InterestItem.of("1", text),
                InterestItem.of("2", "Jazz 2")), 2, max));
    }

    @Test
    void everyComponentChangesTheFullLengthKeyButTheUserIdDoesNot() {
        String base = CacheKey.of("openai", "m", "interests-v1", P, req("u1", "Space 1", 3));
        assertEquals(64, base.length());
        assertTrue(base.matches("[0-9a-f]{64}"));
        assertEquals(base, CacheKey.of("openai", "m", "interests-v1", Map.of("seed", 42, "temperature", 0.0),
                req("u2", "  Space\n 1 ", 3)), "user id, parameter order and whitespace do not matter");
        Set<String> keys = new HashSet<>();
        keys.add(base);
        keys.add(CacheKey.of("ollama", "m", "interests-v1", P, req("u1", "Space 1", 3)));
        keys.add(CacheKey.of("openai", "m2", "interests-v1", P, req("u1", "Space 1", 3)));
        keys.add(CacheKey.of("openai", "m", "interests-v2", P, req("u1", "Space 1", 3)));
        keys.add(CacheKey.of("openai", "m", "interests-v1", Map.of("temperature", 0.5, "seed", 42),
                req("u1", "Space 1", 3)));
        keys.add(CacheKey.of("openai", "m", "interests-v1", P, req("u1", "Space 2", 3)));
        keys.add(CacheKey.of("openai", "m", "interests-v1", P, req("u1", "Space 1", 4)));
        assertEquals(7, keys.size());
        assertNotEquals(CacheKey.canonical("openai", "m", "interests-v1", P, req("u1", "Space 1", 3)),
                CacheKey.canonical("openai", "m", "interests-v1", P, req("u1", "Space  1x", 3)));
    }
}
