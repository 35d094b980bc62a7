package io.eimf.llm.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.json.Json;
import io.eimf.core.testing.Mutator;
import io.eimf.llm.api.BatchInterestRequest;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.config.LlmServiceConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing of llm-service's JSON request bodies over loopback HTTP (jqwik, tries as in junit-platform.properties):
 * seeded mutants of valid {@code /v1/interests} and {@code /v1/interests/batch} bodies must be answered within the
 * timeout with 200, or a 4xx whose body is a JSON error; never a 500 or a hang. {@code /v1/embed} is left out: a
 * valid body loads the ONNX embedder, which is tested elsewhere.
 */
class RequestBodyFuzzTest {
    static FakeOpenAi fake;
    static LlmServer server;
    static Path dir;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("eimf-llm-fuzz");
        fake = new FakeOpenAi();
        server = LlmServer.start(LlmServiceConfig.defaults().with("provider", "openai").with("baseUrl", fake.baseUrl())
                .with("model", "fake-model").with("apiKey", "sk-test").with("port", "0")
                .with("cache", dir.resolve("cache.db").toString()).with("timeoutMs", "2000").with("maxRetries", "0"));
    }

    @AfterContainer
    static void stop() {
        if (server != null) server.close();
        if (fake != null) fake.close();
        io.eimf.core.io.AtomicOutput.deleteRecursively(dir);
    }

    static final String ONE = Json.write(new InterestRequest("u1", List.of(InterestItem.of("1", "Toy Story"),
            new InterestItem("2", "Heat", List.of("Action", "Crime"))), 1, 3));
    static final String BATCH = Json.write(new BatchInterestRequest(List.of(
            new InterestRequest("u1", List.of(InterestItem.of("1", "Toy Story")), 1, 2),
            new InterestRequest("u2", List.of(InterestItem.of("3", "Up"), InterestItem.of("4", "Cars")), 1, 3))));

    @Provide
    Arbitrary<String> routes() {
        return Arbitraries.of("/v1/interests", "/v1/interests/batch");
    }

    @Property
    void everyBodyGetsAnAnswerOrACleanError(@ForAll("routes") String route, @ForAll long seed) throws Exception {
        Mutator m = new Mutator(seed);
        String body = m.mutate(route.endsWith("batch") ? BATCH : ONE);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + route))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        String where = route + " seed " + seed + ": " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        int s = r.statusCode();
        assertTrue(s == 200 || (s >= 400 && s < 500), "status " + s + " " + r.body() + " for " + where);
        if (s != 200) {
            JsonNode err = Json.mapper().readTree(r.body());
            assertTrue(err.isObject() && err.has("error"), "error body " + r.body() + " for " + where);
        }
    }
}
