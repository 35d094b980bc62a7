package io.eimf.mlflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.registry.LocalModelRegistry;
import io.eimf.mlflow.testing.Fixtures;
import io.eimf.mlflow.testing.Fixtures.CliResult;
import io.eimf.mlflow.tracking.RunTracker;
import io.eimf.mlflow.tracking.TrackedRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline demo path: record, register, promote (gated), resolve, all without a server. */
class OfflineRegistryITCase {
    @TempDir
    Path tmp;

    @Test
    void registerPromoteResolveWithoutAServer() throws Exception {
        Path store = tmp.resolve("mlruns");
        String good;
        String weak;
        String noModel;
        try (RunTracker t = RunTracker.builder(store).build()) {
            good = Fixtures.trainingRun(t, "good", 0.11, tmp).runId();
            weak = Fixtures.trainingRun(t, "weak", 0.04, tmp).runId();
            try (TrackedRun r = t.startRun("no-model")) {
                noModel = r.runId();
            }
        }
        String[] at = {"--local", store.toString()};

        CliResult r1 = Fixtures.eimf(cat(new String[] {"register", "--run-id", good, "--name", "ibim"}, at));
        assertEquals(0, r1.exit(), r1.err());
        assertTrue(r1.out().contains("registered ibim version 1"), r1.out());
        assertTrue(r1.out().contains("serving=behavioral-only"), r1.out());
        assertEquals(0, Fixtures.eimf(cat(new String[] {"register", "--run-id", weak, "--name", "ibim"}, at)).exit());
        CliResult again = Fixtures.eimf(cat(new String[] {"register", "--run-id", good, "--name", "ibim"}, at));
        assertTrue(again.out().contains("already registered: ibim version 1"), again.out());
        CliResult none = Fixtures.eimf(cat(new String[] {"register", "--run-id", noModel, "--name", "ibim"}, at));
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("no MLmodel file"), none.err());

        // MLflow's registry file-store layout.
        Path m = store.resolve("models/ibim");
        assertTrue(Files.isRegularFile(m.resolve("meta.yaml")));
        assertTrue(Files.readString(m.resolve("version-2/meta.yaml")).contains("current_stage: None"));
        assertEquals("behavioral-only", Files.readString(m.resolve("version-1/tags/serving")));

        assertEquals(0, Fixtures.eimf(cat(new String[] {"promote", "--name", "ibim", "--version", "1", "--alias",
                "champion", "--require", "test.recall@50>=0.08", "--require", "test.ndcg@50>0"}, at)).exit());
        assertEquals("1", Files.readString(m.resolve("aliases/champion")));
        CliResult refused = Fixtures.eimf(cat(new String[] {"promote", "--name", "ibim", "--version", "2", "--alias",
                "champion", "--require", "test.recall@50>=0.08"}, at));
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("test.recall_at_50 = 0.04 fails >= 0.08"), refused.err());
        assertEquals("1", Files.readString(m.resolve("aliases/champion")), "alias untouched after refusal");
        CliResult bad = Fixtures.eimf(cat(new String[] {"promote", "--name", "ibim", "--version", "2", "--alias",
                "champion", "--require", "recall is high"}, at));
        assertEquals(2, bad.exit(), "malformed gate is a usage error");
        CliResult staged = Fixtures.eimf(cat(new String[] {"promote", "--name", "ibim", "--version", "2", "--stage",
                "staging"}, at));
        assertEquals(0, staged.exit(), staged.err());
        assertTrue(staged.out().contains("stage None -> Staging"), staged.out());

        CliResult show = Fixtures.eimf(cat(new String[] {"models", "show", "--name", "ibim", "--alias", "champion"}, at));
        assertTrue(show.out().contains("version 1") && show.out().contains("metric.test.recall_at_50 = 0.11"), show.out());
        CliResult list = Fixtures.eimf(cat(new String[] {"models", "list"}, at));
        assertTrue(list.out().contains("ibim  aliases {champion=1}") && list.out().contains("Staging"), list.out());

        Path cache = tmp.resolve("cache");
        CliResult res = Fixtures.eimf(cat(new String[] {"models", "resolve", "models:/ibim@champion", "--cache", cache.toString()}, at));
        assertEquals(0, res.exit(), res.err());
        Path folder = Path.of(res.out().trim());
        Path original = new LocalFileStore(store).artifactsDir(good).resolve("model/weights/item_embeddings.bin");
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(folder.resolve("weights/item_embeddings.bin")));
        // A damaged cache entry is noticed and fetched again.
        Files.write(folder.resolve("weights/item_embeddings.bin"), new byte[] {1, 2, 3});
        CliResult healed = Fixtures.eimf(cat(new String[] {"models", "resolve", "models:/ibim/1", "--cache", cache.toString()}, at));
        assertTrue(healed.err().contains("damaged"), healed.err());
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(folder.resolve("weights/item_embeddings.bin")));
        assertEquals(1, Fixtures.eimf(cat(new String[] {"models", "resolve", "models:/ibim@nobody", "--cache", cache.toString()}, at)).exit());

        assertEquals(2, new LocalModelRegistry(new LocalFileStore(store)).versions("ibim").size());
    }

    @Test
    void syncWithoutAServerIsAUsageError() {
        CliResult r = Fixtures.eimf("mlflow", "sync", "--local", tmp.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--tracking-uri"), r.err());
    }

    private static String[] cat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
