package io.eimf.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.spec.PipelineSpecReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks the structure of docker-compose.yml without a Docker engine: services, pins, ports, volumes, health. */
class DockerComposeTest {
    static Path root;
    static JsonNode compose;
    static JsonNode services;

    @BeforeAll
    static void load() throws Exception {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("docker-compose.yml"))) p = p.getParent();
        assertNotNull(p, "docker-compose.yml not found above " + Path.of("").toAbsolutePath());
        root = p;
        compose = new YAMLMapper().readTree(Files.readString(root.resolve("docker-compose.yml")));
        services = compose.get("services");
    }

    @Test
    void hasEveryService() {
        Set<String> names = new HashSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertEquals(Set.of("jobmanager", "taskmanager", "postgres", "mlflow", "ollama", "ollama-pull", "llm-service",
                "pipeline", "serve"), names);
        assertEquals("jobmanager", services.get("jobmanager").get("command").asText());
        assertEquals("taskmanager", services.get("taskmanager").get("command").asText());
    }

    @Test
    void imagesArePinnedAndMatchTheBuild() throws Exception {
        String pom = Files.readString(root.resolve("pom.xml"));
        String flinkVersion = property(pom, "flink.version");
        String mlflowVersion = property(pom, "mlflow.version");
        for (var it = services.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode s = e.getValue();
            if (s.has("build")) {
                Path dockerfile = root.resolve(s.get("build").get("dockerfile").asText());
                assertTrue(Files.isRegularFile(dockerfile), e.getKey() + ": missing " + dockerfile);
                for (String line : Files.readAllLines(dockerfile)) {
                    if (line.startsWith("FROM ")) assertPinned(e.getKey() + " " + dockerfile.getFileName(), line.split("\\s+")[1]);
                }
            }
            if (s.has("image")) assertPinned(e.getKey(), s.get("image").asText());
            assertTrue(s.has("image") || s.has("build"), e.getKey() + " has neither image nor build");
        }
        assertTrue(services.get("jobmanager").get("image").asText().startsWith("flink:" + flinkVersion + "-"),
                "Flink image must match flink.version " + flinkVersion);
        assertEquals(services.get("jobmanager").get("image"), services.get("taskmanager").get("image"));
        assertTrue(Files.readString(root.resolve("docker/mlflow.Dockerfile")).contains("ghcr.io/mlflow/mlflow:v" + mlflowVersion),
                "MLflow server image must match mlflow.version " + mlflowVersion);
        // The one-shot pull uses the same Ollama as the server.
        assertEquals(services.get("ollama").get("image"), services.get("ollama-pull").get("image"));
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), name + " not in pom.xml");
        return m.group(1);
    }

    private static void assertPinned(String where, String image) {
        int colon = image.lastIndexOf(':');
        assertTrue(colon > image.lastIndexOf('/'), where + ": image " + image + " has no tag");
        String tag = image.substring(colon + 1);
        assertFalse(tag.equals("latest") || tag.isBlank(), where + ": image " + image + " is not pinned");
        assertTrue(tag.matches(".*\\d.*"), where + ": tag of " + image + " names no version");
    }

    @Test
    void portsBindLoopbackAndDoNotClash() {
        Set<String> hostPorts = new HashSet<>();
        for (var it = services.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode ports = e.getValue().get("ports");
            if (ports == null) continue;
            for (JsonNode p : ports) {
                String[] parts = p.asText().split(":");
                assertEquals(3, parts.length, e.getKey() + ": publish as 127.0.0.1:HOST:CONTAINER, got " + p.asText());
                assertEquals("127.0.0.1", parts[0], e.getKey() + " must not listen on all interfaces by default");
                assertTrue(hostPorts.add(parts[1]), "host port " + parts[1] + " used twice");
            }
        }
        assertTrue(hostPorts.containsAll(List.of("8081", "5000", "8090", "8000", "11434")), hostPorts.toString());
    }

    @Test
    void namedVolumesAreDeclaredAndDataIsShared() {
        Set<String> declared = new HashSet<>();
        compose.get("volumes").fieldNames().forEachRemaining(declared::add);
        Set<String> used = new HashSet<>();
        for (var it = services.fields(); it.hasNext(); ) {
            JsonNode vols = it.next().getValue().get("volumes");
            if (vols == null) continue;
            for (JsonNode v : vols) {
                String src = v.asText().split(":")[0];
                if (!src.startsWith(".") && !src.startsWith("/") && !src.startsWith("$")) used.add(src);
            }
        }
        assertEquals(declared, used, "every named volume declared and used");
        // Flink reads and writes the pipeline's work folder by the same path as the runner.
        for (String s : List.of("jobmanager", "taskmanager", "pipeline")) {
            assertTrue(services.get(s).get("volumes").toString().contains("eimf-data:/data"), s);
        }
        assertTrue(services.get("postgres").get("volumes").toString().contains("postgres-data:"));
        assertTrue(services.get("mlflow").get("volumes").toString().contains("mlflow-artifacts:/mlartifacts"));
    }

    @Test
    void longRunningServicesHaveHealthChecksAndDependenciesWaitForThem() {
        List<String> oneShot = List.of("ollama-pull", "pipeline");
        for (var it = services.fields(); it.hasNext(); ) {
            var e = it.next();
            if (oneShot.contains(e.getKey())) {
                assertEquals("no", e.getValue().get("restart").asText(), e.getKey() + " runs once");
                continue;
            }
            JsonNode hc = e.getValue().get("healthcheck");
            assertNotNull(hc, e.getKey() + " has no healthcheck");
            assertTrue(hc.get("test").isArray() && hc.get("test").size() >= 2, e.getKey());
            assertTrue(hc.has("interval") && hc.has("retries"), e.getKey());
        }
        Set<String> conditions = Set.of("service_healthy", "service_started", "service_completed_successfully");
        for (var it = services.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode deps = e.getValue().get("depends_on");
            if (deps == null) continue;
            assertTrue(deps.isObject(), e.getKey() + ": depends_on must state conditions");
            for (var d = deps.fields(); d.hasNext(); ) {
                var dep = d.next();
                assertTrue(services.has(dep.getKey()), e.getKey() + " depends on unknown " + dep.getKey());
                String cond = dep.getValue().get("condition").asText();
                assertTrue(conditions.contains(cond), cond);
                if (cond.equals("service_healthy")) {
                    assertTrue(services.get(dep.getKey()).has("healthcheck"),
                            e.getKey() + " waits for " + dep.getKey() + " to be healthy but it has no healthcheck");
                }
                if (cond.equals("service_completed_successfully")) assertTrue(oneShot.contains(dep.getKey()));
            }
        }
        assertEquals("service_completed_successfully",
                services.get("llm-service").get("depends_on").get("ollama-pull").get("condition").asText());
        List<String> pipelineDeps = new ArrayList<>();
        services.get("pipeline").get("depends_on").fieldNames().forEachRemaining(pipelineDeps::add);
        assertTrue(pipelineDeps.containsAll(List.of("jobmanager", "taskmanager", "mlflow", "llm-service")), pipelineDeps.toString());
    }

    @Test
    void mlflowUsesPostgresAndProxiesArtifacts() {
        String cmd = services.get("mlflow").get("command").asText();
        assertTrue(cmd.contains("--backend-store-uri postgresql://") && cmd.contains("@postgres:5432/"), cmd);
        assertTrue(cmd.contains("--serve-artifacts") && cmd.contains("--artifacts-destination"), cmd);
        assertTrue(services.get("jobmanager").get("environment").get("FLINK_PROPERTIES").asText()
                .contains("jobmanager.rpc.address: jobmanager"));
    }

    @Test
    void pipelineServiceRunsTheBundledPipelineAgainstTheCluster() throws Exception {
        List<String> cmd = new ArrayList<>();
        services.get("pipeline").get("command").forEach(x -> cmd.add(x.asText()));
        assertEquals(List.of("pipeline", "run"), cmd.subList(0, 2));
        int url = cmd.indexOf("--flink-url");
        assertTrue(url > 0 && cmd.get(url + 1).equals("http://jobmanager:8081"), cmd.toString());
        String file = cmd.get(2);
        assertTrue(file.startsWith("/app/pipelines/"), file);
        PipelineSpec spec = PipelineSpecReader.read(root.resolve("orchestration/src/main/resources/pipelines")
                .resolve(Path.of(file).getFileName()));
        for (int i = 0; i < cmd.size() - 1; i++) {
            if (cmd.get(i).equals("--set")) {
                String name = cmd.get(i + 1).substring(0, cmd.get(i + 1).indexOf('='));
                assertTrue(spec.params().containsKey(name), "pipeline " + file + " has no parameter " + name);
            }
        }
        List<String> serve = new ArrayList<>();
        services.get("serve").get("command").forEach(x -> serve.add(x.asText()));
        assertEquals("serve", serve.get(0));
        assertTrue(serve.contains("0.0.0.0"), "inside a container the server must bind all interfaces");
    }
}
