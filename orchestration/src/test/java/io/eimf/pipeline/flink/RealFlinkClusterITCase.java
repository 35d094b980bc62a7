package io.eimf.pipeline.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.json.Json;
import io.eimf.core.testing.RealSystems;
import io.eimf.flink.prepare.InMemoryPreparer;
import io.eimf.flink.prepare.PrepareOptions;
import io.eimf.pipeline.run.PipelineRunner;
import io.eimf.pipeline.run.RunOptions;
import io.eimf.pipeline.run.TaskState;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.spec.PipelineSpecReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The job jar on a real standalone Flink session cluster ({@link StandaloneFlinkCluster}: a JobManager and a
 * TaskManager in their own JVMs on loopback): REST submission (what {@code eimf pipeline run --flink-url}, compose's
 * pipeline service and the web UI do), {@code flink run} attached and detached, bad input, the pipeline runner, and a
 * TaskManager killed mid-job. Outputs are compared byte for byte with the in-memory engine, which the flink-jobs
 * tests hold to the embedded mini-cluster's bytes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RealFlinkClusterITCase {
    static final String PREPARE = "io.eimf.flink.prepare.PrepareJob";
    /** Under target/ rather than a temporary folder: the cluster's logs stay for a look after a failure. */
    static Path dir;
    static StandaloneFlinkCluster cluster;
    static Path jar;
    static FlinkRestClient client;
    static String jarId;
    static Path data;
    static PreparedDataset expected;

    @BeforeAll
    static void startCluster() throws Exception {
        // This build's jar (the reactor packages flink-jobs before orchestration's tests), never a copy in ~/.m2.
        Path found = null;
        Path target = Path.of("..", "flink-jobs", "target").toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            try (var ds = Files.newDirectoryStream(target, "eimf-flink-jobs-*-job.jar")) {
                for (Path p : ds) found = p;
            }
        }
        RealSystems.require(found != null, "the Flink job jar flink-jobs/target/eimf-flink-jobs-*-job.jar "
                + "(mvn verify builds it before orchestration's tests; or mvn -pl flink-jobs -am package)");
        jar = found;
        dir = Files.createDirectories(Path.of("target", "real-flink-cluster")).toAbsolutePath();
        io.eimf.core.io.AtomicOutput.deleteRecursively(dir);
        Files.createDirectories(dir);
        data = dir.resolve("ml");
        writeMovieLens(data, 300, 120, 7, null, null);
        expected = PreparedDataset.read(
                InMemoryPreparer.run(new PrepareOptions("ml-100k", data, dir.resolve("expected")), null).dir());
        cluster = StandaloneFlinkCluster.start(dir.resolve("flink"), 1, 2);
        client = new FlinkRestClient(cluster.url());
        jarId = client.uploadJar(jar);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    /** ML-100K-shaped files: u.data (tab-separated) and u.item (|-separated, 19 genre flags), seeded. */
    static void writeMovieLens(Path d, int users, int items, long seed, String badDataLine, String badItemLine)
            throws IOException {
        Files.createDirectories(d);
        Random r = new Random(seed);
        List<String> ratings = new ArrayList<>();
        for (int u = 1; u <= users; u++) {
            int n = 6 + r.nextInt(25);
            for (int i = 0; i < n; i++) {
                int item = 1 + (int) Math.min(items - 1, Math.abs(r.nextGaussian()) * items / 3);
                ratings.add(u + "\t" + item + "\t" + (1 + r.nextInt(5)) + "\t" + (880000000L + r.nextInt(1_000_000)));
            }
        }
        if (badDataLine != null) ratings.add(ratings.size() / 2, badDataLine);
        Files.write(d.resolve("u.data"), ratings, StandardCharsets.ISO_8859_1);
        List<String> meta = new ArrayList<>();
        for (int i = 1; i <= items; i++) {
            StringBuilder b = new StringBuilder(i + "|Movie " + i + " (1990)|01-Jan-1990||http://x/" + i);
            for (int g = 0; g < 19; g++) b.append('|').append(g == i % 19 ? 1 : 0);
            meta.add(b.toString());
        }
        if (badItemLine != null) meta.add(items / 2, badItemLine);
        Files.write(d.resolve("u.item"), meta, StandardCharsets.ISO_8859_1);
    }

    static List<String> prepareArgs(Path input, Path out) {
        return List.of("--format", "ml-100k", "--input", input.toString(), "--out", out.toString(), "--parallelism", "2");
    }

    static void assertSameAsExpected(Path out) throws IOException {
        DatasetManifest m = Json.read(out.resolve(PreparedDataset.MANIFEST), DatasetManifest.class);
        assertEquals(expected.manifest().contentHash(), m.contentHash(), "content hash of " + out);
        assertEquals(expected.manifest().counts(), m.counts());
        assertEquals(expected.manifest().source().files(), m.source().files());
        for (String f : List.of(PreparedDataset.ITEMS, PreparedDataset.SEQUENCES)) {
            assertArrayEquals(Files.readAllBytes(expected.dir().resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        try (var s = Files.list(out.getParent())) {
            List<String> left = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("." + out.getFileName())).toList();
            assertEquals(List.of(), left, "temporary folders left beside " + out);
        }
    }

    String awaitState(String jobId) throws Exception {
        return client.await(jobId, Duration.ofMillis(200), Duration.ofMinutes(2), s -> {});
    }

    @Test
    @Order(1)
    void restSubmissionRunsDetachedAndWritesTheSameBytesAsTheInMemoryEngine() throws Exception {
        Path out = dir.resolve("rest-out");
        String job = client.runJar(jarId, PREPARE, prepareArgs(data, out), null);
        assertEquals("FINISHED", awaitState(job), () -> client.failureCause(job) + "\n" + cluster.logs());
        assertSameAsExpected(out);
    }

    @Test
    @Order(1)
    void movieLens100kThroughRestHasTheEmbeddedRunsContentHash() throws Exception {
        var ml = io.eimf.core.testing.SharedFiles.movieLens100k();
        org.junit.jupiter.api.Assumptions.assumeTrue(ml.isPresent(), "../shared/data/ml-100k absent (optional data)");
        Path out = dir.resolve("ml100k-rest");
        String job = client.runJar(jarId, PREPARE, prepareArgs(ml.get(), out), null);
        assertEquals("FINISHED", awaitState(job), () -> client.failureCause(job));
        Path reference = InMemoryPreparer.run(new PrepareOptions("ml-100k", ml.get(), dir.resolve("ml100k-memory")), null)
                .dir();
        DatasetManifest a = Json.read(reference.resolve(PreparedDataset.MANIFEST), DatasetManifest.class);
        DatasetManifest b = Json.read(out.resolve(PreparedDataset.MANIFEST), DatasetManifest.class);
        assertEquals(a.contentHash(), b.contentHash());
        assertEquals(a.counts(), b.counts());
    }

    @Test
    @Order(2)
    void aBadMetadataLineFailsTheJobWithFileAndLineAndTheTaskManagerStaysUp() throws Exception {
        Path bad = dir.resolve("bad-item");
        writeMovieLens(bad, 300, 120, 7, null, "61|Broken|01-Jan-1990||http://x|0|1");
        Path out = dir.resolve("bad-item-out");
        Process tm = cluster.taskManagers().get(0);
        String job = client.runJar(jarId, PREPARE, prepareArgs(bad, out), null);
        assertEquals("FAILED", awaitState(job));
        String cause = client.failureCause(job);
        assertTrue(cause.contains("u.item:61: expected 24 |-separated fields, found 7"), cause);
        Thread.sleep(1500); // a fatal exit would have taken the process down by now
        assertTrue(tm.isAlive(), "the TaskManager process survived\n" + cluster.log("taskmanager-0"));
        assertEquals(1, cluster.registeredTaskManagers());
        assertNothingLeft(out);
    }

    @Test
    @Order(3)
    void aBadInteractionLineFailsTheJobWithFileAndLine() throws Exception {
        Path bad = dir.resolve("bad-data");
        writeMovieLens(bad, 300, 120, 7, "5\t6\t4", null);
        Path out = dir.resolve("bad-data-out");
        String job = client.runJar(jarId, PREPARE, prepareArgs(bad, out), null);
        assertEquals("FAILED", awaitState(job));
        String cause = client.failureCause(job);
        assertTrue(cause.matches(".*u\\.data:\\d+: expected 4 tab-separated fields, found 3.*"), cause);
        assertTrue(cluster.taskManagers().get(0).isAlive());
        assertNothingLeft(out);
    }

    static void assertNothingLeft(Path out) throws IOException {
        assertFalse(Files.exists(out), out + " must not exist");
        try (var s = Files.list(out.getParent())) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(out.getFileName().toString())));
        }
    }

    @Test
    @Order(4)
    void flinkRunAttachedAndDetachedWriteTheSameBytes() throws Exception {
        Path attached = dir.resolve("cli-attached");
        CliRun a = flinkRun(false, attached);
        assertEquals(0, a.code, a.output);
        assertTrue(a.output.contains("prepared " + attached), a.output);
        assertSameAsExpected(attached);

        Path detached = dir.resolve("cli-detached");
        CliRun d = flinkRun(true, detached);
        assertEquals(0, d.code, d.output);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("submitted Flink job ([0-9a-f]{32})").matcher(d.output);
        assertTrue(m.find(), d.output);
        assertEquals("FINISHED", awaitState(m.group(1)));
        assertSameAsExpected(detached);
    }

    record CliRun(int code, String output) {}

    /** {@code flink run [-d] -c PrepareJob JAR ...}: Flink's CliFrontend in its own JVM, FLINK_CONF_DIR = the cluster's. */
    static CliRun flinkRun(boolean detached, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(StandaloneFlinkCluster.JAVA_OPTS);
        cmd.addAll(List.of("-Xmx256m", "-cp", cluster.classPath(), "org.apache.flink.client.cli.CliFrontend", "run"));
        if (detached) cmd.add("-d");
        cmd.addAll(List.of("-c", PREPARE, jar.toString()));
        cmd.addAll(prepareArgs(data, out));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FLINK_CONF_DIR", cluster.confDir().toString());
        Path log = dir.resolve("cli-" + out.getFileName() + ".log");
        Process p = pb.redirectOutput(log.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("flink run did not end in 3 minutes:\n" + Files.readString(log));
        }
        return new CliRun(p.exitValue(), Files.readString(log));
    }

    static final String PIPELINE = String.join("\n",
            "pipeline: flink-real",
            "params:",
            "  input: \"\"",
            "tasks:",
            "  prepare:",
            "    kind: prepare",
            "    args: {input: \"${params.input}\", format: ml-100k, parallelism: \"2\"}",
            "    inputs: [\"${params.input}\"]",
            "  cluster:",
            "    kind: cluster",
            "    args: {data: \"${prepare}\", k: \"5\", samples-per-cluster: \"2\", min-interactions: \"10\"}",
            "");

    static PipelineRunner.Report runPipeline(Path input, Path work) throws Exception {
        PipelineSpec spec = PipelineSpecReader.parse(PIPELINE, "flink-real.yaml");
        RunOptions o = new RunOptions(work).param("input", input.toString()).flinkUrl(cluster.url()).flinkJar(jar)
                .progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return new PipelineRunner(spec, o).run();
    }

    @Test
    @Order(5)
    void theClusterJobRunsOnTheClusterAndWritesTheSameBytesAsTheCommand() throws Exception {
        List<String> common = List.of("--data", expected.dir().toString(), "--k", "5", "--samples-per-cluster", "2",
                "--min-interactions", "10", "--parallelism", "2");
        Path embedded = dir.resolve("clusters-embedded");
        List<String> cmd = new ArrayList<>(List.of("cluster", "--out", embedded.toString()));
        cmd.addAll(common);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new io.eimf.core.cli.Eimf(List.of(new io.eimf.flink.cluster.ClusterCommand()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(cmd.toArray(String[]::new));
        assertEquals(0, rc, err.toString());
        Path onCluster = dir.resolve("clusters-rest");
        List<String> args = new ArrayList<>(List.of("--out", onCluster.toString()));
        args.addAll(common);
        String job = client.runJar(jarId, FlinkRestExecutor.CLUSTER_ENTRY_CLASS, args, null);
        assertEquals("FINISHED", awaitState(job), () -> client.failureCause(job));
        for (String f : List.of("assignments.tsv", "samples.tsv", "centroids.tsv")) {
            assertArrayEquals(Files.readAllBytes(embedded.resolve(f)), Files.readAllBytes(onCluster.resolve(f)), f);
        }
        JsonNode a = Json.mapper().readTree(embedded.resolve("manifest.json").toFile());
        JsonNode b = Json.mapper().readTree(onCluster.resolve("manifest.json").toFile());
        assertEquals(a.path("contentHash"), b.path("contentHash"));
        assertEquals(a.path("inertiaHistory"), b.path("inertiaHistory"));
    }

    @Test
    @Order(6)
    void thePipelineRunnerRunsItsFlinkTaskOnTheClusterAndReportsAFailedJobsReason() throws Exception {
        PipelineRunner.Report ok = runPipeline(data, dir.resolve("work"));
        assertTrue(ok.ok(), ok.tasks().toString());
        assertSameAsExpected(ok.results().get("prepare").output());
        assertTrue(Files.readString(ok.results().get("cluster").dir().resolve("task.json")).contains("flink@"),
                "the cluster task ran on the cluster");
        assertTrue(Files.exists(ok.results().get("cluster").output().resolve("samples.tsv")));

        Path bad = dir.resolve("bad-pipeline");
        writeMovieLens(bad, 300, 120, 7, "5\t6\t4", null);
        PipelineRunner.Report failed = runPipeline(bad, dir.resolve("work-bad"));
        TaskState s = failed.tasks().get("prepare");
        assertEquals("failed", s.state());
        assertTrue(s.error().matches("(?s).*Flink job [0-9a-f]{32} FAILED.*u\\.data:\\d+: expected 4 tab-separated.*"),
                s.error());
    }

    @Test
    @Order(6)
    void aRunnerKilledWithSigkillLeavesNoJobUnaccountedTheNextRunCancelsItAndFinishes() throws Exception {
        Path big = dir.resolve("big-resume");
        writeMovieLens(big, 40_000, 3000, 13, null, null);
        Path yaml = Files.writeString(dir.resolve("flink-real.yaml"), PIPELINE);
        Path work = dir.resolve("work-killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(StandaloneFlinkCluster.JAVA_OPTS);
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.eimf.core.cli.Eimf",
                "pipeline", "run", yaml.toString(), "--work", work.toString(), "--flink-url", cluster.url(),
                "--flink-jar", jar.toString(), "--until", "prepare", "--set", "input=" + big));
        Process runner = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed-runner.log").toFile()).start();
        Path record = work.resolve("flink-jobs").resolve("prepare.json");
        String job = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            while (job == null && System.nanoTime() < deadline && runner.isAlive()) {
                if (Files.exists(record)) {
                    String j = Json.mapper().readTree(record.toFile()).path("job").asText();
                    if (client.jobState(j).equals("RUNNING")) job = j;
                }
                if (job == null) Thread.sleep(50);
            }
        } finally {
            runner.destroyForcibly(); // SIGKILL: no shutdown hook runs
            runner.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(job != null, "the runner recorded a running job:\n" + Files.readString(dir.resolve("killed-runner.log")));
        assertEquals("RUNNING", client.jobState(job), "the killed runner's job runs on, unaccounted so far");

        PipelineRunner.Report r = runPipelineUntilPrepare(big, work);
        assertEquals("CANCELED", client.jobState(job), "the next run cancelled the leftover job");
        assertTrue(r.tasks().get("prepare").state().equals("done"), r.tasks().toString());
        assertFalse(Files.exists(record));
    }

    static PipelineRunner.Report runPipelineUntilPrepare(Path input, Path work) throws Exception {
        PipelineSpec spec = PipelineSpecReader.parse(PIPELINE, "flink-real.yaml");
        RunOptions o = new RunOptions(work).param("input", input.toString()).flinkUrl(cluster.url()).flinkJar(jar)
                .until("prepare").progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return new PipelineRunner(spec, o).run();
    }

    @Test
    @Order(7)
    void aTaskManagerKilledMidJobFailsTheRunnersTaskWithTheClustersReasonAndNothingHangs() throws Exception {
        Path big = dir.resolve("big");
        writeMovieLens(big, 40_000, 3000, 11, null, null);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<PipelineRunner.Report> run = pool.submit(() -> runPipeline(big, dir.resolve("work-big")));
            Process tm = cluster.taskManagers().get(0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            String running = null;
            java.util.Set<String> seen = new java.util.TreeSet<>();
            while (System.nanoTime() < deadline && running == null && !run.isDone()) {
                for (JsonNode j : cluster.get("jobs/overview").path("jobs")) {
                    seen.add("job " + j.path("state").asText());
                    if (!j.path("state").asText().equals("RUNNING")) continue;
                    for (JsonNode v : cluster.get("jobs/" + j.path("jid").asText()).path("vertices")) {
                        // deployed tasks: losing their TaskManager fails the job (a task still waiting for a slot
                        // would wait for one instead); a fast task can go from INITIALIZING to FINISHED between polls
                        String st = v.path("status").asText();
                        seen.add("vertex " + st);
                        if (st.equals("DEPLOYING") || st.equals("INITIALIZING") || st.equals("RUNNING")) {
                            running = j.path("jid").asText();
                        }
                    }
                }
                if (running == null) Thread.sleep(20);
            }
            assertTrue(running != null, "no task of the job was seen running; seen: " + seen);
            tm.destroyForcibly();
            assertTrue(tm.waitFor(10, TimeUnit.SECONDS));
            PipelineRunner.Report r = run.get(2, TimeUnit.MINUTES);
            TaskState s = r.tasks().get("prepare");
            assertEquals("failed", s.state(), s.toString());
            assertTrue(s.error().startsWith("Flink job " + running + " FAILED at " + cluster.url()), s.error());
            assertTrue(s.error().length() > ("Flink job " + running + " FAILED at " + cluster.url() + ": ").length(),
                    "the cluster's reason: " + s.error());
        } finally {
            pool.shutdownNow();
            cluster.startTaskManager();
            cluster.awaitTaskManagers(1, Duration.ofSeconds(60));
        }
    }

    @Test
    @Order(8)
    void theBenchRunsBothEnginesAndFindsTheSameContentHash() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = new io.eimf.core.cli.Eimf(List.of(new BenchFlinkClusterCommand()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(new String[] {"bench", "flink-cluster", "--flink-url", cluster.url(), "--input", data.toString(),
                    "--runs", "1", "--flink-jar", jar.toString(), "--work", dir.resolve("bench").toString()});
        assertEquals(0, rc, err.toString());
        String table = out.toString();
        assertTrue(table.contains("content hash: identical in every run"), table);
        assertTrue(table.contains("mini-cluster (in this JVM)") && table.contains("(REST)"), table);
        assertTrue(table.contains(expected.manifest().contentHash().substring(0, 12)), table);
    }
}
