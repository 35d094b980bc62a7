package io.eimf.flink.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.Eimf;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.semantic.ClusterSet;
import io.eimf.core.semantic.ClusterSet.Assignment;
import io.eimf.core.semantic.ClusterSet.TypicalSample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterJobITCase {
    @TempDir Path tmp;

    static int eimf(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return new Eimf(List.of(new ClusterCommand()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void theJobJarEntryPointWritesTheSameBytesAsTheCommand() throws Exception {
        TestDatasets.comirec(tmp.resolve("ds"), 300, 4);
        String[] common = {"--data", tmp.resolve("ds").toString(), "--k", "5", "--samples-per-cluster", "2",
            "--min-interactions", "10", "--seed", "9", "--parallelism", "2"};
        List<String> cmd = new java.util.ArrayList<>(List.of("cluster", "--out", tmp.resolve("cmd").toString()));
        cmd.addAll(List.of(common));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, eimf(new ByteArrayOutputStream(), err, cmd.toArray(String[]::new)), err.toString());
        List<String> job = new java.util.ArrayList<>(List.of("--out", tmp.resolve("job").toString()));
        job.addAll(List.of(common));
        // A plain JVM: the entry point runs its one job on a local environment, as flink run runs it on a cluster.
        ClusterJob.main(job.toArray(String[]::new));
        ClusterSet a = ClusterSet.read(tmp.resolve("cmd"));
        ClusterSet b = ClusterSet.read(tmp.resolve("job"));
        assertEquals(a.manifest().contentHash(), b.manifest().contentHash());
        assertEquals(a.manifest().inertiaHistory(), b.manifest().inertiaHistory());
        assertEquals(a.manifest().parallelism(), b.manifest().parallelism());
        for (String f : List.of(ClusterSet.ASSIGNMENTS, ClusterSet.SAMPLES, ClusterSet.CENTROIDS)) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(java.nio.file.Files.readAllBytes(tmp.resolve("cmd").resolve(f)),
                    java.nio.file.Files.readAllBytes(tmp.resolve("job").resolve(f)), f);
        }
    }

    @Test
    void clustersOnlyTrainUsersAndPicksTheNearestEligibleOnes() throws Exception {
        PreparedDataset ds = TestDatasets.comirec(tmp.resolve("ds"), 400, 5);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = eimf(out, err, "cluster", "--data", tmp.resolve("ds").toString(), "--out",
                tmp.resolve("clusters").toString(), "--k", "6", "--samples-per-cluster", "3",
                "--min-interactions", "25", "--seed", "3", "--parallelism", "2");
        assertEquals(0, rc, err.toString());
        String table = out.toString();
        assertTrue(table.contains("at most k=6 x M=3 = 18)"), table);
        assertTrue(err.toString().contains("[cluster] iteration 1/50 inertia"), err.toString());

        ClusterSet cs = ClusterSet.read(tmp.resolve("clusters"));
        Set<Integer> profiled = new HashSet<>();
        for (Assignment a : cs.assignments()) {
            UserSequence s = ds.sequences().get(a.user());
            assertEquals(SplitRole.TRAIN, s.role(), "profiled a " + s.role() + " user");
            assertEquals(s.length(), a.interactions());
            profiled.add(a.user());
        }
        long trainUsers = ds.sequences().stream().filter(s -> s.role() == SplitRole.TRAIN).count();
        assertEquals(trainUsers, profiled.size());
        assertEquals(trainUsers, cs.manifest().users());
        assertEquals(ds.manifest().contentHash(), cs.manifest().dataset().contentHash());

        // Each sample is eligible, and no eligible user of its cluster outside the samples is nearer.
        assertTrue(cs.samples().size() <= 18 && cs.samples().size() >= 12, "samples " + cs.samples().size());
        assertEquals(cs.samples().size(), cs.manifest().budget());
        for (TypicalSample s : cs.samples()) {
            assertTrue(s.interactions() >= 25);
            assertEquals(SplitRole.TRAIN, ds.sequences().get(s.user()).role());
            long nearerUnpicked = cs.assignments().stream().filter(a -> a.cluster() == s.cluster()
                    && a.interactions() >= 25 && a.distance() < s.distance()
                    && cs.samples().stream().noneMatch(x -> x.user() == a.user())).count();
            assertEquals(0, nearerUnpicked);
        }
        long total = cs.manifest().clusterSizes().stream().mapToLong(Long::longValue).sum();
        assertEquals(trainUsers, total);
        assertEquals("categories", cs.manifest().features());
        assertTrue(cs.manifest().promptCutoff().startsWith("comirec"));
        assertEquals(cs.manifest().iterations(), cs.manifest().inertiaHistory().size());

        // Same seed, same clusters; an existing output is refused without --overwrite.
        assertEquals(1, eimf(new ByteArrayOutputStream(), err, "cluster", "--data", tmp.resolve("ds").toString(),
                "--out", tmp.resolve("clusters").toString(), "--k", "6"));
        assertEquals(0, eimf(new ByteArrayOutputStream(), err, "cluster", "--data", tmp.resolve("ds").toString(),
                "--out", tmp.resolve("again").toString(), "--k", "6", "--samples-per-cluster", "3",
                "--min-interactions", "25", "--seed", "3", "--parallelism", "1"));
        assertEquals(cs.manifest().contentHash(), ClusterSet.read(tmp.resolve("again")).manifest().contentHash());
        try (var files = Files.list(tmp)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith(".")), "left temp files");
        }
    }

    @Test
    void looProfilesNeverSeeTheLastTwoItems() throws Exception {
        PreparedDataset ds = TestDatasets.loo(tmp.resolve("ds"), 120, 9);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        assertEquals(0, eimf(out, err, "cluster", "--data", tmp.resolve("ds").toString(), "--out",
                tmp.resolve("c").toString(), "--k", "4", "--min-interactions", "10"), err.toString());
        ClusterSet cs = ClusterSet.read(tmp.resolve("c"));
        assertEquals(120, cs.assignments().size());
        for (Assignment a : cs.assignments()) {
            assertEquals(ds.sequences().get(a.user()).length() - 2, a.interactions());
        }
        assertTrue(cs.manifest().promptCutoff().startsWith("loo"));
    }

    @Test
    void textFeaturesEmbedItemTextsInsideTheTasks() throws Exception {
        TestDatasets.comirec(tmp.resolve("ds"), 100, 4);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        assertEquals(0, eimf(out, err, "cluster", "--data", tmp.resolve("ds").toString(), "--out",
                tmp.resolve("c").toString(), "--features", "text", "--k", "4", "--samples-per-cluster", "2",
                "--min-interactions", "15", "--parallelism", "2"), err.toString());
        ClusterSet cs = ClusterSet.read(tmp.resolve("c"));
        assertEquals("text", cs.manifest().features());
        assertEquals("all-minilm-l6-v2-q", cs.manifest().embeddingModel());
        assertEquals(384, cs.manifest().dimension());
        assertEquals(80, cs.assignments().size());
        // Mean of unit vectors: the centroid norm is at most 1 and, for topical users, well above 0.
        for (float[] c : cs.centroids()) {
            double n = 0;
            for (float x : c) n += x * x;
            assertTrue(n > 0.05 && n <= 1.0001, "centroid norm^2 " + n);
        }
        assertTrue(out.toString().contains("text features (384-d, all-minilm-l6-v2-q)"), out.toString());
    }

    @Test
    void badInputIsAClearError() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, eimf(new ByteArrayOutputStream(), err, "cluster", "--data", tmp.resolve("nope").toString(),
                "--out", tmp.resolve("c").toString()));
        assertTrue(err.toString().contains("nope"), err.toString());
        TestDatasets.comirec(tmp.resolve("ds"), 30, 1);
        err.reset();
        assertEquals(2, eimf(new ByteArrayOutputStream(), err, "cluster", "--data", tmp.resolve("ds").toString(),
                "--out", tmp.resolve("c").toString(), "--features", "pixels"));
        assertTrue(err.toString().contains("--features"), err.toString());
        err.reset();
        assertEquals(1, eimf(new ByteArrayOutputStream(), err, "cluster", "--data", tmp.resolve("ds").toString(),
                "--out", tmp.resolve("c").toString(), "--k", "500"));
        assertTrue(err.toString().contains("k=500"), err.toString());
    }
}
