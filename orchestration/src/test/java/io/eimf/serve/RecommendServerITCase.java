package io.eimf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.json.Json;
import io.eimf.mlflow.artifacts.ModelDescriptor;
import io.eimf.mlflow.local.RunStatus;
import io.eimf.mlflow.model.ModelResolver;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.Promotions;
import io.eimf.mlflow.tracking.RunTracker;
import io.eimf.mlflow.tracking.TrackedRun;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.inference.Recommender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model server end to end: real exported models (random weights), a real local MLflow store and registry,
 * HTTP through the JDK client; a promotion is picked up while clients keep sending requests.
 */
class RecommendServerITCase {
    @TempDir
    Path tmp;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private static final int ITEMS = 300;

    private Path export(String name, long seed) throws Exception {
        Path dir = tmp.resolve(name);
        BenchServeCommand.exportRandomModel(dir, new IbimConfig("comirec-sa", 16, 4, 20, ITEMS, 0), seed);
        return dir;
    }

    private String register(Path local, Path modelDir, String runName) throws Exception {
        String runId;
        try (RunTracker t = RunTracker.builder(local).log(new PrintStream(log)).build();
             TrackedRun run = t.startRun(runName)) {
            run.logMetric("test.recall_at_50", 0.1, 0);
            run.logModel(modelDir, "model", new ModelDescriptor("eimf-ibim/1", "io.eimf.model.inference.Recommender",
                    "1.0.0-M2.1", 4, 16, "comirec-sa", Map.of()));
            run.end(RunStatus.FINISHED);
            runId = run.runId();
        }
        try (ModelRegistry reg = ModelRegistry.open(local.toUri().toString(), local)) {
            String v = Promotions.register(reg, runId, "model", "eimf").version().version();
            reg.setAlias("eimf", "champion", v);
            return v;
        }
    }

    private HttpResponse<String> post(int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/recommend"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheChampionAndSwapsOnPromotionWithoutDroppingRequests() throws Exception {
        Path local = tmp.resolve("mlruns");
        Path a = export("a", 1);
        Path b = export("b", 2);
        assertEquals("1", register(local, a, "first"));
        ModelRegistry reg = ModelRegistry.open(local.toUri().toString(), local);
        RegistrySource source = new RegistrySource("models:/eimf@champion", reg,
                new ModelResolver(reg, tmp.resolve("cache"), new PrintStream(log)));
        try (RecommendServer server = new RecommendServer(source).port(0).poll(Duration.ZERO)
                .log(new PrintStream(log)).start()) {
            int port = server.port();
            assertEquals(200, get(port, "/healthz").statusCode());
            JsonNode ready = Json.mapper().readTree(get(port, "/readyz").body());
            assertEquals("1", ready.get("version").asText());

            HttpResponse<String> ok = post(port, "{\"history\": [\"5\", 17, \"42\"], \"n\": 7}");
            assertEquals(200, ok.statusCode(), ok.body());
            JsonNode body = Json.mapper().readTree(ok.body());
            assertEquals("1", body.get("version").asText());
            assertEquals(7, body.get("items").size());
            // Same ranking as the model module's Recommender on the same folder: the server does not score itself.
            Recommender direct = Recommender.load(a);
            List<Recommender.Item> expected = direct.recommend(List.of("5", "17", "42"), 7).items();
            for (int i = 0; i < 7; i++) {
                JsonNode it = body.get("items").get(i);
                assertEquals(expected.get(i).rawId(), it.get("item").asText());
                assertEquals(expected.get(i).interest(), it.get("interest").asInt());
                assertEquals(expected.get(i).score(), (float) it.get("score").asDouble(), 1e-5);
                assertTrue(it.get("interest").asInt() >= 0 && it.get("interest").asInt() < 4);
            }

            // Promote a second model while four clients keep requesting.
            assertEquals("2", register(local, b, "second"));
            AtomicBoolean stop = new AtomicBoolean();
            List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
            Map<String, Integer> versionsSeen = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                fs.add(pool.submit(() -> {
                    while (!stop.get()) {
                        HttpResponse<String> r = post(port, "{\"history\": [\"1\", \"2\", \"3\"], \"n\": 50}");
                        statuses.add(r.statusCode());
                        if (r.statusCode() == 200) {
                            versionsSeen.merge(Json.mapper().readTree(r.body()).get("version").asText(), 1, Integer::sum);
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(300);
            assertTrue(server.pollNow(), "the moved alias should be picked up");
            Thread.sleep(300);
            stop.set(true);
            for (Future<?> f : fs) f.get();
            pool.shutdown();
            assertTrue(statuses.size() > 10, "clients should have sent requests: " + statuses.size());
            assertTrue(statuses.stream().allMatch(s -> s == 200), "non-200 during the swap: " + statuses);
            assertTrue(versionsSeen.containsKey("1") && versionsSeen.containsKey("2"), versionsSeen.toString());
            assertEquals("2", server.current().version());
            assertEquals(1, server.metrics().swaps());
            assertTrueMetric(get(port, "/metrics").body(), "eimf_serve_model_swaps_total 1");

            // Nothing changed: polling again does not reload.
            assertTrue(!server.pollNow());
        }
    }

    private static void assertTrueMetric(String metrics, String line) {
        assertTrue(metrics.contains(line), metrics);
    }

    @Test
    void badRequestsGet4xxWithAReason() throws Exception {
        Path a = export("a", 3);
        try (RecommendServer server = new RecommendServer(new FolderSource(a)).port(0).poll(Duration.ZERO)
                .limits(50, 100).log(new PrintStream(log)).start()) {
            int port = server.port();
            assertReason(post(port, "not json"), 400, "not valid JSON");
            assertReason(post(port, "[1,2]"), 400, "must be a JSON object");
            assertReason(post(port, "{\"n\": 5}"), 400, "'history' must be an array");
            assertReason(post(port, "{\"history\": []}"), 400, "'history' is empty");
            assertReason(post(port, "{\"history\": [{\"id\": 1}]}"), 400, "history[0] must be an item id");
            assertReason(post(port, "{\"history\": [\"1\"], \"n\": 0}"), 400, "'n' must be an integer in 1..100");
            assertReason(post(port, "{\"history\": [\"1\"], \"n\": 101}"), 400, "'n' must be an integer in 1..100");
            StringBuilder longHistory = new StringBuilder("{\"history\": [");
            for (int i = 0; i < 51; i++) longHistory.append(i > 0 ? "," : "").append('"').append(1 + i).append('"');
            assertReason(post(port, longHistory + "]}"), 413, "at most 50");
            assertReason(post(port, "{\"history\": [\"1\", \"no-such-item\", \"99999\"]}"), 422,
                    "2 unknown item id(s) for model " + a.toAbsolutePath().normalize() + ": no-such-item, 99999");
            HttpResponse<String> dropped = post(port, "{\"history\": [\"1\", \"no-such-item\"], \"ignoreUnknown\": true}");
            assertEquals(200, dropped.statusCode(), dropped.body());
            assertEquals("no-such-item", Json.mapper().readTree(dropped.body()).get("ignored").get(0).asText());
            assertReason(post(port, "{\"history\": [\"nope\"], \"ignoreUnknown\": true}"), 422, "no known item");
            assertEquals(10, Json.mapper().readTree(post(port, "{\"history\": [\"1\"]}").body()).get("items").size());
            JsonNode fresh = Json.mapper().readTree(post(port,
                    "{\"history\": [\"1\", \"2\", \"3\"], \"n\": 20, \"excludeHistory\": true}").body());
            assertEquals(20, fresh.get("items").size());
            for (JsonNode it : fresh.get("items")) assertTrue(!List.of("1", "2", "3").contains(it.get("item").asText()));
            assertReason(post(port, "{\"history\": [\"1\"], \"excludeHistory\": \"yes\"}"), 400, "must be true or false");
            String metrics = get(port, "/metrics").body();
            assertTrue(metrics.contains("eimf_serve_requests_total{status=\"400\"} 8"), metrics);
            assertTrue(metrics.contains("eimf_serve_request_seconds_bucket{le=\"0.0005\"}"), metrics);
            assertTrue(metrics.contains("eimf_serve_requests_total{status=\"422\"} 2"), metrics);
        }
    }

    private static void assertReason(HttpResponse<String> r, int status, String reason) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        String error = Json.mapper().readTree(r.body()).get("error").asText();
        assertTrue(error.contains(reason), "expected '" + reason + "' in: " + error);
    }

    @Test
    void notReadyUntilAModelLoadsAndBindsLoopbackByDefault() throws Exception {
        Path local = tmp.resolve("mlruns");
        ModelRegistry reg = ModelRegistry.open(local.toUri().toString(), local);
        RegistrySource source = new RegistrySource("models:/eimf@champion", reg,
                new ModelResolver(reg, tmp.resolve("cache"), new PrintStream(log)));
        try (RecommendServer server = new RecommendServer(source).port(0).poll(Duration.ZERO).log(new PrintStream(log)).start()) {
            int port = server.port();
            HttpResponse<String> r = get(port, "/readyz");
            assertEquals(503, r.statusCode());
            assertTrue(r.body().contains("not ready") && r.body().contains("eimf"), r.body());
            assertReason(post(port, "{\"history\": [\"1\"]}"), 503, "no model loaded yet");
            assertEquals(200, get(port, "/healthz").statusCode());
            register(local, export("late", 4), "late");
            assertTrue(!server.pollNow(), "a first load is not a swap");
            assertEquals(200, get(port, "/readyz").statusCode());
            // Not reachable through a non-loopback address of this machine.
            InetAddress external = null;
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress ad : Collections.list(ni.getInetAddresses())) {
                    if (ad instanceof Inet4Address && !ad.isLoopbackAddress()) external = ad;
                }
            }
            if (external != null) {
                InetAddress ext = external;
                assertThrows(ConnectException.class, () -> new Socket(ext, port).close());
            }
        }
    }

    @Test
    void folderSourceNoticesAReplacedExport() throws Exception {
        Path dir = tmp.resolve("served");
        BenchServeCommand.exportRandomModel(dir, new IbimConfig("comirec-sa", 16, 4, 20, ITEMS, 0), 5);
        FolderSource s = new FolderSource(dir);
        String v1 = s.currentVersion();
        assertEquals(v1, s.currentVersion());
        io.eimf.core.io.AtomicOutput.deleteRecursively(dir);
        BenchServeCommand.exportRandomModel(dir, new IbimConfig("comirec-sa", 16, 4, 20, ITEMS + 1, 0), 6);
        assertNotEquals(v1, s.currentVersion());
        assertEquals(ITEMS + 1, s.load().numItems());
    }
}
