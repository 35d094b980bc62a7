package io.eimf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.io.FileManifest;
import io.eimf.core.json.Json;
import io.eimf.mlflow.artifacts.MlflowModelFile;
import io.eimf.mlflow.artifacts.ModelDescriptor;
import io.eimf.mlflow.model.ModelResolver;
import io.eimf.mlflow.registry.DownloadLimits;
import io.eimf.mlflow.registry.RemoteModelRegistry;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.rest.RetryPolicy;
import io.eimf.mlflow.testing.HostileRegistry;
import io.eimf.model.ibim.IbimConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} polling a registry that turns hostile: every bad version the alias moves to is refused (path-escaping
 * version, tampered weights, endless body, a truncated weights.bin whose MLmodel was rewritten to match), the server
 * keeps answering with the last good model, writes nothing outside its cache, and takes the next good version.
 */
class HostileRegistryServeITCase {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A real exported model (random weights) with an MLmodel whose flavor mirrors model.json's files map. */
    private Path model(String name, long seed, Consumer<Path> damage) throws Exception {
        Path dir = tmp.resolve("models").resolve(name);
        BenchServeCommand.exportRandomModel(dir, new IbimConfig("comirec-sa", 8, 2, 10, 50, 0), seed);
        damage.accept(dir);
        // Logged as TrackCommand logs it; a damaged folder is described without model.json's map, as an attacker
        // rewriting the MLmodel to match the damage would.
        JsonNode mj = Json.mapper().readTree(dir.resolve("model.json").toFile());
        Map<String, FileManifest.Entry> files = FileManifest.parse(Json.mapper().convertValue(mj.get("files"), Map.class))
                .orElseThrow();
        boolean intact = FileManifest.verify(dir, files) == null;
        ModelDescriptor d = new ModelDescriptor("eimf-ibim/2", "io.eimf.model.inference.Recommender", "1.0.0-M2.1", 2, 8,
                "comirec-sa", Map.of(), intact ? files : Map.of());
        MlflowModelFile.write(dir, MlflowModelFile.content("model", "run-" + name, d, MlflowModelFile.filesOf(dir, d)));
        return dir;
    }

    private JsonNode recommend(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/recommend"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"history\": [\"3\", \"4\"], \"n\": 5}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.mapper().readTree(r.body());
    }

    @Test
    void keepsServingTheLastGoodModelWhileTheRegistryMisbehaves() throws Exception {
        Path cache = tmp.resolve("work").resolve("cache");
        try (HostileRegistry registry = new HostileRegistry()) {
            registry.add("eimf", "1").addFolder(model("good1", 1, d -> {}));
            registry.champion("1");
            RemoteModelRegistry reg = new RemoteModelRegistry(new MlflowServer(registry.uri(), RetryPolicy.once()));
            ModelResolver resolver = new ModelResolver(reg, cache, new PrintStream(log),
                    new DownloadLimits(1 << 20, 50, 4, Duration.ofSeconds(3)));
            RegistrySource source = new RegistrySource("models:/eimf@champion", reg, resolver);
            try (RecommendServer server = new RecommendServer(source).port(0).poll(Duration.ZERO)
                    .log(new PrintStream(log)).start()) {
                int port = server.port();
                assertEquals("1", recommend(port).get("version").asText());

                // Each hostile answer in turn: not swapped, still version 1, the reason logged.
                Map<String, Consumer<HostileRegistry.Version>> hostile = new java.util.LinkedHashMap<>();
                hostile.put("positive integers", v -> v.version = "2/../../../../escaped");
                hostile.put("SHA-256", v -> {
                    byte[] w = v.files.get("weights.bin").clone();
                    w[w.length - 1] ^= 1;
                    v.files.put("weights.bin", w);
                });
                hostile.put("larger than the limit", v -> {
                    v.listedSize.put("weights.bin", -1L);
                    v.body.put("weights.bin", HostileRegistry.Body.ENDLESS);
                });
                hostile.put("unsafe artifact name", v -> v.extraEntries.put("", List.of(Map.of("path", "..", "is_dir", true))));
                int n = 2;
                for (Map.Entry<String, Consumer<HostileRegistry.Version>> h : hostile.entrySet()) {
                    HostileRegistry.Version v = registry.add("eimf", Integer.toString(n)).addFolder(model("bad" + n, n, d -> {}));
                    h.getValue().accept(v);
                    registry.champion(Integer.toString(n));
                    log.reset();
                    assertFalse(server.pollNow(), h.getKey());
                    String said = log.toString(StandardCharsets.UTF_8);
                    assertTrue(said.contains(h.getKey()) && said.contains("still serving"), h.getKey() + ": " + said);
                    assertEquals("1", server.current().version());
                    assertEquals("1", recommend(port).get("version").asText());
                    n++;
                }
                // A truncated weights.bin whose MLmodel was rewritten to match passes the download checks but not
                // model.json's own hashes when the model loads.
                registry.add("eimf", Integer.toString(n)).addFolder(model("bad" + n, n, d -> {
                    try {
                        Path w = d.resolve("weights.bin");
                        byte[] b = Files.readAllBytes(w);
                        Files.write(w, Arrays.copyOf(b, b.length - 100));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
                registry.champion(Integer.toString(n));
                log.reset();
                assertFalse(server.pollNow());
                String said = log.toString(StandardCharsets.UTF_8);
                assertTrue(said.contains("weights.bin") && said.contains("truncated") && said.contains("still serving"), said);
                assertEquals("1", recommend(port).get("version").asText());

                // Nothing was written outside the cache.
                try (Stream<Path> w = Files.walk(tmp.resolve("work"))) {
                    List<Path> outside = w.filter(p -> !p.equals(tmp.resolve("work")) && !p.startsWith(cache)).toList();
                    assertEquals(List.of(), outside);
                }
                try (Stream<Path> w = Files.list(tmp)) {
                    assertEquals(List.of("models", "work"), w.map(p -> p.getFileName().toString()).sorted().toList());
                }

                // The next good version is taken.
                n++;
                registry.add("eimf", Integer.toString(n)).addFolder(model("good" + n, n, d -> {}));
                registry.champion(Integer.toString(n));
                assertTrue(server.pollNow(), log.toString(StandardCharsets.UTF_8));
                assertEquals(Integer.toString(n), recommend(port).get("version").asText());
            }
        }
    }
}
