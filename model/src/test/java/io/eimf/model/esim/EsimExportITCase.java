package io.eimf.model.esim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.Eimf;
import io.eimf.core.dataset.EvaluationCase;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.core.semantic.SemanticInterest;
import io.eimf.core.semantic.SemanticInterestDataset;
import io.eimf.core.semantic.SemanticManifest;
import io.eimf.core.semantic.UserInterests;
import io.eimf.core.synth.SyntheticData;
import io.eimf.model.export.ModelDirectory;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.inference.Recommender;
import io.eimf.model.nn.Param;
import io.eimf.model.train.SynthFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code eimf train --esim both} end to end: the ESIM losses really run, yet the exported model is IBIM only (no
 * ESIM file, no ESIM parameter, loadable as a plain IBIM model) and recommends exactly the same with the semantic
 * dataset deleted; a semantic dataset extracted from another dataset is refused.
 */
class EsimExportITCase {
    @TempDir
    Path tmp;

    @Test
    void exportedModelHoldsNoEsimPartAndNeedsNoSemanticData() throws Exception {
        PreparedDataset ds = SynthFixture.write(tmp.resolve("data"), SyntheticData.Config.defaults().withUsers(120)
                .withCatalogue(6, 10).withLengths(8, 20));
        Path sem = tmp.resolve("semantic");
        writeSemantic(ds, sem, ds.manifest().contentHash());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path run = tmp.resolve("run");
        int rc = new Eimf(Eimf.discover(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(new String[] {
                    "train", "--data", ds.dir().toString(), "--backbone", "comirec-sa", "--out", run.toString(),
                    "--dim", "8", "--interests", "3", "--max-len", "10", "--batch", "32", "--max-steps", "40",
                    "--eval-every", "20", "--threads", "1", "--esim", "both", "--semantic", sem.toString(),
                    "--lambda-align", "0.5", "--lambda-predict", "0.5"});
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("[esim] both"), log);
        JsonNode metrics = Json.mapper().readTree(run.resolve("metrics.json").toFile());
        assertEquals("both", metrics.path("esim").path("mode").asText());
        assertTrue(metrics.path("esim").path("trainUsersWithSemantics").asInt() > 0);

        // the served artifact: no ESIM file, no ESIM parameter, the exact IBIM parameter set
        Path modelDir = run.resolve("model");
        try (Stream<Path> files = Files.walk(modelDir)) {
            for (Path f : files.toList()) {
                assertFalse(f.getFileName().toString().toLowerCase(Locale.ROOT).contains("esim"), f.toString());
            }
        }
        byte[] weights = Files.readAllBytes(modelDir.resolve(ModelDirectory.WEIGHTS));
        assertFalse(new String(weights, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT).contains("esim"),
                "weights.bin names an ESIM parameter");
        ModelDirectory.Loaded loaded = ModelDirectory.read(modelDir);
        List<String> names = loaded.model().params().all().stream().map(Param::name).toList();
        List<String> ibim = new IbimModel(loaded.model().config(), DataType.FLOAT, 0).params().all().stream()
                .map(Param::name).toList();
        assertEquals(ibim, names);
        names.forEach(n -> assertFalse(n.toLowerCase(Locale.ROOT).contains("esim"), n));

        List<int[]> histories = new ArrayList<>();
        for (EvaluationCase c : ds.evaluationCases(SplitRole.TEST)) histories.add(c.history());
        List<Recommender.Result> before = recommend(modelDir, histories);
        AtomicOutput.deleteRecursively(sem);
        assertFalse(Files.exists(sem));
        List<Recommender.Result> after = recommend(modelDir, histories);
        for (int i = 0; i < histories.size(); i++) {
            assertEquals(ids(before.get(i)), ids(after.get(i)), "history " + i);
            assertArrayEquals(scores(before.get(i)), scores(after.get(i)), 0f, "history " + i);
        }
    }

    @Test
    void refusesSemanticInterestsOfAnotherDataset() throws Exception {
        PreparedDataset ds = SynthFixture.write(tmp.resolve("data"), SyntheticData.Config.defaults().withUsers(60)
                .withCatalogue(4, 8).withLengths(8, 12));
        Path sem = tmp.resolve("semantic");
        writeSemantic(ds, sem, "0".repeat(64));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new Eimf(Eimf.discover(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(new String[] {
                    "train", "--data", ds.dir().toString(), "--backbone", "mind", "--out", tmp.resolve("run").toString(),
                    "--max-steps", "5", "--esim", "align", "--semantic", sem.toString()});
        assertEquals(1, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("extracted from dataset 0000"), err.toString());
        assertFalse(Files.exists(tmp.resolve("run")), "refused before writing any output");
        rc = new Eimf(Eimf.discover(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(new String[] {
                    "train", "--data", ds.dir().toString(), "--backbone", "mind", "--out", tmp.resolve("run2").toString(),
                    "--esim", "both"});
        assertEquals(2, rc, "--esim without --semantic is a usage error");
    }

    private static List<Recommender.Result> recommend(Path modelDir, List<int[]> histories) throws Exception {
        Recommender r = Recommender.load(modelDir);
        List<Recommender.Result> out = new ArrayList<>();
        for (int[] h : histories) out.add(r.recommendDense(h, 20));
        return out;
    }

    private static List<Integer> ids(Recommender.Result r) {
        return r.items().stream().map(Recommender.Item::id).toList();
    }

    private static float[] scores(Recommender.Result r) {
        float[] s = new float[r.items().size()];
        for (int i = 0; i < s.length; i++) s[i] = r.items().get(i).score();
        return s;
    }

    /** A small semantic-interest dataset: every third training user "likes" its two most frequent categories. */
    static void writeSemantic(PreparedDataset ds, Path dir, String datasetHash) throws Exception {
        List<UserInterests> users = new ArrayList<>();
        int n = 0;
        for (UserSequence u : ds.sequences()) {
            if (u.role() != SplitRole.TRAIN || n++ % 3 != 0) continue;
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
            for (int it : u.promptVisibleItems()) counts.merge(ds.item(it).categories().get(0), 1, Integer::sum);
            List<SemanticInterest> list = counts.entrySet().stream()
                    .sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed()).limit(2)
                    .map(e -> new SemanticInterest(e.getKey(), "", new int[0], vector(e.getKey()))).toList();
            users.add(new UserInterests(u.user(), u.rawUser(), 0, u.promptVisibleItems().length, list, "test", "test",
                    null, false));
        }
        SemanticManifest m = new SemanticManifest(1, null, datasetHash, "train users' sequences", "test", "test", null,
                "test-hash-vectors", 16, 50, users.size(), users.size(), 0, null, null, null, null);
        AtomicOutput.directory(dir, true, t -> SemanticInterestDataset.write(t, m, users, List.of()));
    }

    /** A fixed 16-d vector per name (this test needs distinct vectors, not meaningful ones). */
    static float[] vector(String name) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(name.hashCode());
        float[] v = new float[16];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
