package io.eimf.llm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.Eimf;
import io.eimf.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code eimf bench llm-service} small (no timing asserted: only that it runs, counts and reports). */
class LlmServiceBenchITCase {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"socket", "jdk"})
    void smallBenchmarkRunsWithoutErrorsAndOneLlmCallPerDistinctUser(String client) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path json = tmp.resolve("bench.json");
        int code = new Eimf(Eimf.discover(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(new String[] {"bench", "llm-service",
                    "--clients", "12", "--latency-ms", "20", "--hit-rounds", "3", "--items", "6",
                    "--think-ms", "30", "--saturation-rounds", "2", "--warmup-seconds", "1", "--client", client,
                    "--cache", tmp.resolve("c.db").toString(), "--out", json.toString()});
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text + err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("LLM calls in the miss phase: 12 for 12 distinct users; in the hit phases: 0"), text);
        assertTrue(text.contains("goals: errors = 0: PASS"), text);
        JsonNode r = Json.mapper().readTree(json.toFile());
        assertEquals(12, r.at("/miss/requests").asInt());
        assertEquals(36, r.at("/hit/requests").asInt());
        assertEquals(0, r.at("/hit/errors").asInt());
        assertEquals(24, r.at("/hitSaturation/requests").asInt());
        // service-internal figures are per phase: the warm-up and the other hit phase are not in them
        assertEquals(36, r.at("/serviceInternal/hit/count").asInt());
        assertEquals(24, r.at("/serviceInternal/hitSaturation/count").asInt());
        assertEquals(12, r.at("/serviceInternal/miss/count").asInt());
        // open loop: 3 rounds 30 ms apart take at least 60 ms of schedule
        assertTrue(r.at("/hit/requestsPerSecond").asDouble() <= 12 * 3 / 0.060, text);
        assertTrue(r.at("/miss/p50Ms").asDouble() >= 20, "a miss waits for the fake LLM's 20 ms");
        // the split: every request's latency is its send lateness plus its response time, so neither exceeds it
        assertTrue(r.at("/hitSplit/sendLateness/p50Ms").asDouble() >= 0, text);
        assertTrue(r.at("/hitSplit/responseTime/maxMs").asDouble() <= r.at("/hit/maxMs").asDouble(), text);
        assertTrue(r.at("/hitSplit/sendLateness/maxMs").asDouble() <= r.at("/hit/maxMs").asDouble(), text);
        assertTrue(r.at("/protocol/warmupHits").asLong() > 0, text);
    }
}
