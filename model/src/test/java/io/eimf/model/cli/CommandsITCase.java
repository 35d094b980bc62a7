package io.eimf.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.Eimf;
import io.eimf.core.json.Json;
import io.eimf.core.synth.SyntheticData;
import io.eimf.model.inference.Recommender;
import io.eimf.model.train.SynthFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train -> metrics.json + exported model -> evaluate (same numbers) -> recommend, through the launcher. */
class CommandsITCase {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run eimf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Eimf(Eimf.discover(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void trainEvaluateRecommend() throws Exception {
        Path data = tmp.resolve("data");
        SynthFixture.write(data, SyntheticData.Config.defaults().withUsers(150).withCatalogue(6, 12).withLengths(10, 25));
        Path run = tmp.resolve("run");
        Run t = eimf("train", "--data", data.toString(), "--backbone", "comirec-sa", "--out", run.toString(),
                "--dim", "16", "--batch", "32", "--eval-every", "20", "--patience", "2", "--max-steps", "60",
                "--ann-index", "yes");
        assertEquals(0, t.code(), t.err());
        // --ann-index yes: the export carries its HNSW index, listed (and so verified) in model.json
        assertTrue(Files.readString(run.resolve("model").resolve("model.json")).contains("\"ann.hnsw\""));
        assertTrue(io.eimf.model.inference.Recommender.load(run.resolve("model")).retrieval().startsWith("ann"));
        assertTrue(t.out().contains("most-popular"), t.out());
        JsonNode m = Json.mapper().readTree(run.resolve("metrics.json").toFile());
        for (String f : new String[] {"protocol", "dataset", "backbone", "trainingSeed", "backend", "test"}) {
            assertTrue(m.has(f), "metrics.json lacks " + f);
        }
        assertEquals("comirec", m.path("dataset").path("splitProtocol").asText());
        assertTrue(m.path("dataset").path("contentHash").asText().length() == 64);

        // the exported model reproduces the trained model's test metrics without the training state
        Run e = eimf("evaluate", "--model", run.resolve("model").toString(), "--data", data.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode em = Json.mapper().readTree(e.out()).path("metrics");
        assertEquals(m.path("test").path("recall@50").asDouble(), em.path("recall@50").asDouble(), 1e-9);
        assertEquals(m.path("test").path("ndcg@20").asDouble(), em.path("ndcg@20").asDouble(), 1e-9);

        Run p = eimf("evaluate", "--baseline", "most-popular", "--data", data.toString());
        assertEquals(0, p.code(), p.err());

        // the served artifact needs no dataset: copy only the model directory elsewhere
        Path served = tmp.resolve("served");
        Files.createDirectories(served);
        try (var files = Files.list(run.resolve("model"))) {
            for (Path f : files.toList()) Files.copy(f, served.resolve(f.getFileName()));
        }
        Run r = eimf("recommend", "--model", served.toString(), "--history", "1,2,3,999999", "--top", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("999999"), "unknown id reported: " + r.err());
        Recommender rec = Recommender.load(served);
        var res = rec.recommend(List.of("1", "2", "3"), 5);
        assertEquals(5, res.items().size());
        assertEquals(4, res.interests().length);
        for (int i = 1; i < 5; i++) assertTrue(res.items().get(i - 1).score() >= res.items().get(i).score());

        // thread-safe: concurrent calls give the sequential answers
        List<List<String>> hs = List.of(List.of("1"), List.of("2", "5"), List.of("7", "8", "9"), List.of("3", "4"));
        var expected = hs.stream().map(h -> rec.recommend(h, 10).items()).toList();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                var futures = hs.stream().map(h -> pool.submit(() -> rec.recommend(h, 10).items())).toList();
                for (int i = 0; i < hs.size(); i++) assertEquals(expected.get(i), futures.get(i).get());
            }
        } finally {
            pool.shutdown();
        }

        // errors name what is wrong
        Run bad = eimf("train", "--data", tmp.resolve("nope").toString(), "--backbone", "mind", "--out", tmp.resolve("x").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("nope"), bad.err());
        Run exists = eimf("train", "--data", data.toString(), "--backbone", "mind", "--out", run.toString());
        assertEquals(1, exists.code());
        assertTrue(exists.err().contains("--overwrite"), exists.err());
    }
}
