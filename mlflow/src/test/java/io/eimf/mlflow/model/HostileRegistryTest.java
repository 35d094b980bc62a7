package io.eimf.mlflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import io.eimf.mlflow.artifacts.MlflowModelFile;
import io.eimf.mlflow.registry.DownloadLimits;
import io.eimf.mlflow.registry.RemoteModelRegistry;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.rest.RetryPolicy;
import io.eimf.mlflow.testing.Fixtures;
import io.eimf.mlflow.testing.HostileRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelResolver} against a registry that lies: every hostile answer is refused with a message saying what
 * was wrong, nothing is written outside the cache, and the cache keeps no entry for the refused version.
 */
class HostileRegistryTest {
    @TempDir
    Path tmp;
    private HostileRegistry server;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = new HostileRegistry();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A good EIMF model folder with an MLmodel whose flavor lists every file. */
    private Path goodModel() throws IOException {
        Path dir = Fixtures.modelFolder(tmp.resolve("src-model"), 7);
        MlflowModelFile.write(dir, MlflowModelFile.content("model", "run1", Fixtures.DESCRIPTOR,
                MlflowModelFile.filesOf(dir, Fixtures.DESCRIPTOR)));
        return dir;
    }

    private HostileRegistry.Version version(Consumer<HostileRegistry.Version> bend) throws IOException {
        HostileRegistry.Version v = server.add("eimf", "1").addFolder(goodModel());
        bend.accept(v);
        server.champion("1");
        return v;
    }

    private ModelResolver resolver(DownloadLimits limits) {
        RemoteModelRegistry reg = new RemoteModelRegistry(new MlflowServer(server.uri(), RetryPolicy.once()));
        return new ModelResolver(reg, tmp.resolve("work").resolve("cache"), new PrintStream(log), limits);
    }

    private static final DownloadLimits SMALL = new DownloadLimits(1 << 20, 20, 3, Duration.ofSeconds(2));

    /** Resolving must fail with a message containing {@code expected}; nothing may appear outside the cache. */
    private EimfException refused(DownloadLimits limits, String expected) throws IOException {
        EimfException e = assertThrows(EimfException.class, () -> resolver(limits).resolve("models:/eimf@champion"));
        assertTrue(e.getMessage().contains(expected), "message should say '" + expected + "': " + e.getMessage());
        Path work = tmp.resolve("work");
        try (Stream<Path> w = Files.walk(tmp)) {
            List<Path> outside = w.filter(p -> !p.equals(tmp) && !p.equals(work) && !p.startsWith(work.resolve("cache"))
                    && !p.startsWith(tmp.resolve("src-model"))).toList();
            assertEquals(List.of(), outside, "files written outside the cache");
        }
        try (Stream<Path> w = Files.walk(work.resolve("cache"))) {
            List<Path> kept = w.filter(Files::isRegularFile).toList();
            assertEquals(List.of(), kept, "a refused version left files in the cache");
        } catch (java.nio.file.NoSuchFileException ignored) {
            // the cache was never created: also fine
        }
        return e;
    }

    @Test
    void aGoodVersionResolvesAndItsFilesAreCheckedAgainstTheMlmodel() throws IOException {
        version(v -> {});
        ModelResolver.Resolved r = resolver(SMALL).resolve("models:/eimf@champion");
        assertTrue(r.folder().startsWith(tmp.resolve("work").resolve("cache")));
        assertEquals(List.of("MLmodel", "model.json", "weights/item_embeddings.bin"), files(r.folder()));
        assertTrue(r.folder().getParent().getFileName().toString().matches("eimf-[0-9a-f]{12}"), r.folder().toString());
    }

    @Test
    void pathEscapingVersionsAndNamesAreRefused() throws IOException {
        Files.createDirectories(tmp.resolve("work"));
        version(v -> v.version = "1/../../../../escaped");
        refused(SMALL, "MLflow versions are positive integers");
        server.add("eimf", "2").name = "../../escaped";
        server.champion("2");
        refused(SMALL, "answered model '../../escaped' when asked for 'eimf'");
        for (String bad : List.of("0", "-1", "01", "1 ", "99999999999")) {
            server.add("eimf", "3").version = bad;
            server.champion("3");
            refused(SMALL, "positive integers");
        }
    }

    @Test
    void modelsResolveRefusesAnEscapingVersionWithOneLineAndExitOne() throws IOException {
        version(v -> v.version = "1/../../../../escaped");
        Path cache = tmp.resolve("work").resolve("cache");
        Fixtures.CliResult r = Fixtures.eimf("models", "resolve", "models:/eimf@champion", "--tracking-uri", server.uri(),
                "--cache", cache.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("answered version '1/../../../../escaped'"), r.err());
        try (Stream<Path> w = Files.walk(tmp)) {
            assertEquals(List.of(), w.filter(p -> p.getFileName().toString().startsWith("escaped")).toList());
        }
    }

    @Test
    void unsafeArtifactPathsAreRefused() throws IOException {
        Files.createDirectories(tmp.resolve("work"));
        HostileRegistry.Version v = version(x -> {});
        for (String raw : List.of("..", "/etc/passwd", "../../escaped", "weights/../../escaped", "a\\..\\b", ".")) {
            v.extraEntries.put("", List.of(Map.of("path", raw, "is_dir", false, "file_size", 3)));
            EimfException e = assertThrows(EimfException.class, () -> resolver(SMALL).resolve("models:/eimf@champion"));
            assertTrue(e.getMessage().contains("refused"), raw + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("unsafe artifact name") || e.getMessage().contains("not an entry of that folder"),
                    raw + ": " + e.getMessage());
        }
        v.extraEntries.clear();
        v.extraEntries.put("weights", List.of(Map.of("path", "..", "is_dir", true)));
        refused(SMALL, "unsafe artifact name '..'");
        v.extraEntries.clear();
        // An artifact location that climbs out of the artifact root is refused before any listing.
        v.root = "1/run1/artifacts/model/../../../other";
        refused(SMALL, "holds '..'");
    }

    @Test
    void oversizedEndlessAndSlowBodiesAreCutOff() throws IOException {
        Files.createDirectories(tmp.resolve("work"));
        HostileRegistry.Version v = version(x -> {});
        // Listed at its true size but over the byte cap.
        refused(new DownloadLimits(10_000, 20, 3, Duration.ofSeconds(5)), "over the 10000-byte limit");
        // Listed small, sent large: the body is cut at the listed size.
        v.listedSize.put("weights/item_embeddings.bin", 100L);
        refused(SMALL, "larger than the limit of 100 bytes");
        // Listed without a size, never ending: cut at what is left of the byte cap.
        v.listedSize.put("weights/item_embeddings.bin", -1L);
        v.body.put("weights/item_embeddings.bin", HostileRegistry.Body.ENDLESS);
        long t0 = System.nanoTime();
        refused(SMALL, "larger than the limit of");
        // Trickling: given up at the deadline, not after the server's 20 s.
        v.body.put("weights/item_embeddings.bin", HostileRegistry.Body.SLOW);
        refused(new DownloadLimits(1 << 20, 20, 3, Duration.ofMillis(800)), "timed out");
        assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "the slow body should be cut at the deadline");
    }

    @Test
    void wrongSizesWrongHashesAndTooManyFilesAreRefused() throws IOException {
        Files.createDirectories(tmp.resolve("work"));
        HostileRegistry.Version v = version(x -> {});
        v.listedSize.put("model.json", 10_000L);
        refused(SMALL, "the server listed 10000");
        v.listedSize.clear();
        // Same size, different bytes: only the MLmodel's SHA-256 can tell.
        byte[] w = v.files.get("weights/item_embeddings.bin").clone();
        w[123] ^= 1;
        v.files.put("weights/item_embeddings.bin", w);
        refused(SMALL, "item_embeddings.bin: SHA-256");
        v.files.remove("weights/item_embeddings.bin");
        refused(SMALL, "item_embeddings.bin: missing");
        // A file the MLmodel does not list.
        v.files.put("weights/item_embeddings.bin", Files.readAllBytes(tmp.resolve("src-model/weights/item_embeddings.bin")));
        v.files.put("extra.sh", "echo hi".getBytes(StandardCharsets.UTF_8));
        refused(SMALL, "file 'extra.sh' is not in the MLmodel's 'files' map");
        v.files.remove("extra.sh");
        refused(new DownloadLimits(1 << 20, 2, 3, Duration.ofSeconds(5)), "more than 2 files");
        v.files.put("a/b/c/d.txt", new byte[1]);
        refused(new DownloadLimits(1 << 20, 20, 2, Duration.ofSeconds(5)), "over the limit of 2");
    }

    @Test
    void aLocalVersionHoldingASymbolicLinkIsRefused() throws Exception {
        Path local = tmp.resolve("mlruns");
        String runId;
        try (io.eimf.mlflow.tracking.RunTracker t = io.eimf.mlflow.tracking.RunTracker.builder(local)
                .log(new PrintStream(log)).build();
             io.eimf.mlflow.tracking.TrackedRun run = t.startRun("r")) {
            run.logModel(Fixtures.modelFolder(tmp.resolve("m"), 3), "model", Fixtures.DESCRIPTOR);
            runId = run.runId();
        }
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not a model file");
        try (io.eimf.mlflow.registry.ModelRegistry reg = io.eimf.mlflow.registry.ModelRegistry.open(local.toUri().toString(), local)) {
            String v = io.eimf.mlflow.registry.Promotions.register(reg, runId, "model", "eimf").version().version();
            reg.setAlias("eimf", "champion", v);
            Path src = Path.of(java.net.URI.create(reg.version("eimf", v).orElseThrow().source()));
            ModelResolver r = new ModelResolver(reg, tmp.resolve("cache"), new PrintStream(log), SMALL);
            assertTrue(Files.isDirectory(r.resolve("models:/eimf@champion").folder()), "the clean version resolves");
            Files.createSymbolicLink(src.resolve("weights").resolve("leak.txt"), secret);
            ModelResolver r2 = new ModelResolver(reg, tmp.resolve("cache2"), new PrintStream(log), SMALL);
            EimfException e = assertThrows(EimfException.class, () -> r2.resolve("models:/eimf@champion"));
            assertTrue(e.getMessage().contains("leak.txt is a symbolic link or special file; refused"), e.getMessage());
        }
    }

    @Test
    void limitsComeFromTheEnvironmentAndBadValuesNameTheVariable() {
        DownloadLimits l = DownloadLimits.fromEnv(Map.of("EIMF_MODEL_MAX_BYTES", "1000", "EIMF_MODEL_DOWNLOAD_SECONDS", "7"));
        assertEquals(1000, l.maxBytes());
        assertEquals(DownloadLimits.DEFAULT_MAX_FILES, l.maxFiles());
        assertEquals(Duration.ofSeconds(7), l.deadline());
        EimfException e = assertThrows(EimfException.class, () -> DownloadLimits.fromEnv(Map.of("EIMF_MODEL_MAX_DEPTH", "-3")));
        assertTrue(e.getMessage().startsWith("EIMF_MODEL_MAX_DEPTH=-3"), e.getMessage());
    }

    @Test
    void folderNamesNeverCarrySeparatorsOrDots() {
        for (String n : List.of("..", "../../x", "a/b", "C:\\x", "ok-name", "é")) {
            String f = ModelResolver.folderName(n);
            assertTrue(f.matches("[A-Za-z0-9_-]+-[0-9a-f]{12}"), n + " -> " + f);
        }
        assertFalse(ModelResolver.folderName("a/b").equals(ModelResolver.folderName("a_b")));
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> w = Files.walk(dir)) {
            return w.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(s -> !s.equals(ModelResolver.MANIFEST)).sorted().toList();
        }
    }
}
