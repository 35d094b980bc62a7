package io.eimf.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.json.Json;
import io.eimf.core.synth.SyntheticData;
import io.eimf.core.testing.ChildJvm;
import io.eimf.model.train.SynthFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eimf train} in a child JVM, SIGKILLed at seeded random moments after checkpoints appear (a kill may land in
 * a step, in a validation or inside a checkpoint's atomic replace), resumed each time, ends with the same metrics
 * as an uninterrupted child run; a resume with another dataset or option is a usage error naming the fields.
 */
class TrainKillResumeITCase {
    @TempDir
    Path tmp;

    static final long MAX_STEPS = 400;

    static List<String> trainArgs(Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--backbone", "comirec-dr",
                "--out", out.toString(), "--dim", "8", "--interests", "3", "--max-len", "8", "--batch", "16",
                "--lr", "0.003", "--negatives", "5", "--eval-every", "10", "--patience", "1000",
                "--max-steps", String.valueOf(MAX_STEPS), "--seed", "3", "--threads", "1", "--step-threads", "1"));
        for (int i = 0; i < extra.length; i++) {
            int at = a.indexOf(extra[i]);
            if (at >= 0 && i + 1 < extra.length && !extra[i + 1].startsWith("--")) {
                a.set(at + 1, extra[++i]); // an option given again replaces the default above
            } else {
                a.add(extra[i]);
            }
        }
        return a;
    }

    static long checkpointStep(Path out) {
        try {
            return Json.mapper().readTree(out.resolve("checkpoint").resolve("state.json").toFile()).path("step").asLong(-1);
        } catch (Exception e) {
            return -1; // absent, or being replaced right now
        }
    }

    @Test
    void killedSeveralTimesAndResumedEqualsUninterrupted() throws Exception {
        Path data = tmp.resolve("data");
        SynthFixture.write(data, SyntheticData.Config.defaults().withUsers(120).withCatalogue(5, 10).withLengths(10, 20));
        Path log = tmp.resolve("child.log");

        Path ref = tmp.resolve("ref");
        Process p = ChildJvm.eimf(log, Map.of(), List.of(), trainArgs(data, ref).toArray(String[]::new));
        assertEquals(0, ChildJvm.await(p, Duration.ofMinutes(3), log), ChildJvm.tail(log));

        Path run = tmp.resolve("run");
        Random rnd = new Random(20261208);
        int kills = 0;
        long[] thresholds = {40, 140, 240};
        for (int round = 0; round < thresholds.length; round++) {
            String[] args = (round == 0 ? trainArgs(data, run) : trainArgs(data, run, "--resume")).toArray(String[]::new);
            Process c = ChildJvm.eimf(log, Map.of(), List.of(), args);
            long threshold = thresholds[round];
            boolean reached = ChildJvm.awaitCondition(c, Duration.ofMinutes(2), () -> checkpointStep(run) >= threshold);
            assertTrue(reached && c.isAlive(), "round " + round + ": no checkpoint at step " + threshold
                    + " while the child ran\n" + ChildJvm.tail(log));
            Thread.sleep(rnd.nextInt(120));
            ChildJvm.kill(c);
            kills++;
            assertTrue(checkpointStep(run) < MAX_STEPS || !Files.exists(run.resolve("metrics.json")),
                    "killed after the run had finished");
        }
        Process last = ChildJvm.eimf(log, Map.of(), List.of(), trainArgs(data, run, "--resume").toArray(String[]::new));
        assertEquals(0, ChildJvm.await(last, Duration.ofMinutes(3), log), ChildJvm.tail(log));
        assertEquals(3, kills);

        JsonNode want = Json.mapper().readTree(ref.resolve("metrics.json").toFile());
        JsonNode got = Json.mapper().readTree(run.resolve("metrics.json").toFile());
        for (String f : new String[] {"steps", "bestStep", "valid", "test", "validations", "options", "config"}) {
            assertEquals(want.get(f), got.get(f), f + " differs after " + kills + " kills and resumes");
        }
        try (Stream<Path> s = Files.list(run)) {
            List<String> leftovers = s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
            assertEquals(List.of(), leftovers, "temporaries of the killed runs are removed by the resumes");
        }

        // a kill between the two renames of a checkpoint replace leaves only .checkpoint.old-*: resume restores it
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path aside = run.resolve(".checkpoint.old-" + gone.pid() + "-" + java.util.UUID.randomUUID());
        Files.move(run.resolve("checkpoint"), aside);
        var restored = CommandsITCase.eimf(trainArgs(data, run, "--resume").toArray(String[]::new));
        assertEquals(0, restored.code(), restored.err());
        assertEquals(MAX_STEPS, checkpointStep(run));
        assertTrue(!Files.exists(aside));

        // a resume with other options or data is refused before any training, naming what differs
        var lr = CommandsITCase.eimf(trainArgs(data, run, "--resume", "--lr", "0.01").toArray(String[]::new));
        assertEquals(2, lr.code(), lr.err());
        assertTrue(lr.err().contains("options.learningRate: 0.003 -> 0.01"), lr.err());
        Path other = tmp.resolve("other");
        SynthFixture.write(other, SyntheticData.Config.defaults().withUsers(120).withCatalogue(5, 10).withLengths(10, 20)
                .withSeed(99));
        var ds = CommandsITCase.eimf(trainArgs(other, run, "--resume").toArray(String[]::new));
        assertEquals(2, ds.code(), ds.err());
        assertTrue(ds.err().contains("dataset.contentHash"), ds.err());
        assertTrue(!ds.err().contains("options."), "only the differing fields are named: " + ds.err());

        // train recomputes the data's content hash by default: a dataset changed after prepare is refused
        Path seqs = data.resolve(io.eimf.core.dataset.PreparedDataset.SEQUENCES);
        String text = Files.readString(seqs);
        int tab = text.lastIndexOf('\t');
        Files.writeString(seqs, text.substring(0, tab) + "\t" + text.substring(tab + 1).replaceFirst("[0-9]", "7"));
        var tampered = CommandsITCase.eimf(trainArgs(data, tmp.resolve("fresh")).toArray(String[]::new));
        assertEquals(1, tampered.code(), tampered.err());
        assertTrue(tampered.err().contains("contentHash"), tampered.err());
    }
}
