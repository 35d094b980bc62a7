package io.eimf.flink.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.testing.Mutator;
import io.eimf.flink.format.BadLineException;
import io.eimf.flink.format.Formats;
import io.eimf.flink.format.ItemMeta;
import io.eimf.flink.format.SourceFormat;
import io.eimf.flink.prepare.InMemoryPreparer;
import io.eimf.flink.prepare.PrepareOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing of every {@code eimf prepare} input format (jqwik; tries: {@code jqwik.tries.default} in
 * src/test/resources/junit-platform.properties, raise it with {@code -Djqwik.tries.default=100000} for a long run).
 * Inputs are seeded mutations of valid lines ({@link Mutator}). A line parser may only return or throw
 * {@link BadLineException}; a whole prepare (memory engine) may only succeed with a dataset that reads back with its
 * content hash, or fail with a one-line {@link EimfException}, leaving nothing behind; nothing may take long.
 */
class PrepareFuzzTest {
    /** Per format: interaction file name, valid interaction lines, item file name, valid item lines. */
    record Layout(String format, String file, List<String> lines, String itemFile, List<String> items) {}

    static final Map<String, Layout> LAYOUTS = Map.of(
            "ml-100k", new Layout("ml-100k", "u.data", List.of("1\t10\t4\t881250949", "2\t11\t3\t881250950"),
                    "u.item", List.of("10|Toy Story (1995)|01-Jan-1995||http://x|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0")),
            "ml-1m", new Layout("ml-1m", "ratings.dat", List.of("1::10::4::978300760", "2::11::5::978300761"),
                    "movies.dat", List.of("10::GoldenEye (1995)::Action|Adventure|Thriller")),
            "ml-latest", new Layout("ml-latest", "ratings.csv", List.of("userId,movieId,rating,timestamp",
                    "1,10,4.5,964982703", "2,11,3.0,964982704"),
                    "movies.csv", List.of("movieId,title,genres", "10,\"American President, The (1995)\",Comedy|Drama")),
            "amazon-2014", new Layout("amazon-2014", "reviews_Books.json", List.of(
                    "{\"reviewerID\": \"A1\", \"asin\": \"B01\", \"overall\": 5.0, \"unixReviewTime\": 1392940800}",
                    "{'reviewerID': 'A2', 'asin': 'B02', 'overall': 4.0, 'unixReviewTime': 1392940801}"),
                    "meta_Books.json", List.of("{'asin': 'B01', 'title': 'A book', 'categories': [['Books', 'Poetry']]}")),
            "amazon-2018", new Layout("amazon-2018", "Books.json", List.of(
                    "{\"reviewerID\": \"A1\", \"asin\": \"B01\", \"overall\": 5.0, \"unixReviewTime\": 1392940800}"),
                    "meta_Books.json", List.of("{\"asin\": \"B01\", \"title\": \"A\", \"category\": [\"Books\"], \"main_cat\": \"B\"}")),
            "csv", new Layout("csv", "events.csv", List.of("u1,i1,100,4", "u2,\"i,2\",101,5"), null, List.of()),
            "seq-txt", new Layout("seq-txt", "seq.txt", List.of("u1 1 2 3 4", "u2\t5 6 7"), null, List.of()));

    @Provide
    Arbitrary<String> formats() {
        return Arbitraries.of(Formats.NAMES.stream().filter(LAYOUTS::containsKey).toList());
    }

    static SourceFormat format(String name, Path input) {
        return name.equals("csv") ? Formats.of("csv", "user=1,item=2,time=3,rating=4", ",", false, input)
                : Formats.of(name, null, null, false, input);
    }

    @Property
    void aLineParsesOrFailsWithAReason(@ForAll("formats") String name, @ForAll long seed) {
        Layout l = LAYOUTS.get(name);
        Mutator m = new Mutator(seed);
        String line = m.mutate(l.lines().get(m.random().nextInt(l.lines().size())));
        SourceFormat f = format(name, Path.of("."));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            try {
                f.parse(line, (user, item, rating, time, pos) -> {
                    assertNotNull(user);
                    assertNotNull(item);
                    assertFalse(user.isEmpty() || item.isEmpty(), "empty id accepted from " + line);
                });
            } catch (BadLineException e) {
                assertNotNull(e.getMessage());
            } catch (RuntimeException e) {
                fail(name + ": " + e + " from line " + Mutator.class.getSimpleName() + "(" + seed + "): " + show(line), e);
            }
            if (l.itemFile() == null) return;
            String item = m.mutate(l.items().get(m.random().nextInt(l.items().size())));
            try {
                ItemMeta meta = f.parseItem(item);
                assertNotNull(meta.rawId());
            } catch (BadLineException e) {
                assertNotNull(e.getMessage());
            } catch (RuntimeException e) {
                fail(name + ": " + e + " from item line (seed " + seed + "): " + show(item), e);
            }
        }, () -> name + ": a parse took over 5 s (seed " + seed + ")");
    }

    @Property
    void aWholePrepareSucceedsConsistentlyOrFailsCleanlyLeavingNothing(@ForAll("formats") String name,
                                                                        @ForAll long seed) throws Exception {
        Layout l = LAYOUTS.get(name);
        Mutator m = new Mutator(seed);
        Path dir = Files.createTempDirectory("eimf-fuzz");
        try {
            Path in = dir.resolve("in");
            Files.createDirectories(in);
            Files.write(in.resolve(l.file()), bytes(m, fileOf(m, l.lines(), name.equals("ml-latest"))));
            if (l.itemFile() != null && m.random().nextBoolean()) {
                Files.write(in.resolve(l.itemFile()), bytes(m, fileOf(m, l.items(), name.equals("ml-latest"))));
            }
            Path out = dir.resolve("out");
            PrepareOptions o = new PrepareOptions(name, in, out).withFilter("comirec", 1, 1)
                    .withSkipBadLines(m.random().nextBoolean());
            if (name.equals("csv")) o = o.withCsv("user=1,item=2,time=3,rating=4", ",", false);
            PrepareOptions opts = o;
            boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try {
                    InMemoryPreparer.run(opts, null);
                    return true;
                } catch (EimfException | UsageException e) {
                    assertNotNull(e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), "one-line error: " + e.getMessage());
                    return false;
                } catch (Exception e) {
                    fail(name + " (seed " + seed + "): " + e, e);
                    return false;
                }
            }, () -> name + ": prepare took over 20 s (seed " + seed + ")");
            try (Stream<Path> s = Files.list(dir)) {
                List<String> left = s.map(p -> p.getFileName().toString()).sorted().toList();
                assertEquals(ok ? List.of("in", "out") : List.of("in"), left, "seed " + seed);
            }
            if (ok) {
                PreparedDataset ds = PreparedDataset.read(out, true); // counts and content hash agree
                assertTrue(ds.numItems() > 0 && !ds.sequences().isEmpty(), "seed " + seed);
            }
        } finally {
            AtomicOutput.deleteRecursively(dir);
        }
    }

    /** 1..30 lines, each a valid template line, a mutant of one, or a random token string. */
    static String fileOf(Mutator m, List<String> valid, boolean header) {
        StringBuilder b = new StringBuilder();
        if (header) b.append(valid.get(0)).append('\n');
        int n = 1 + m.random().nextInt(30);
        for (int i = 0; i < n; i++) {
            String t = valid.get(header && valid.size() > 1 ? 1 + m.random().nextInt(valid.size() - 1)
                    : m.random().nextInt(valid.size()));
            int kind = m.random().nextInt(10);
            // valid lines with varied ids keep the filter from removing everything
            String line = kind < 6 ? t.replace("1", String.valueOf(1 + m.random().nextInt(9)))
                    : kind < 9 ? m.mutate(t) : m.token();
            b.append(line).append(m.random().nextInt(20) == 0 ? "\r\n" : "\n");
        }
        if (m.random().nextInt(6) == 0) b.setLength(m.random().nextInt(b.length() + 1)); // cut short
        return b.toString();
    }

    /** UTF-8 (lone surrogates become '?'), sometimes with an invalid byte sequence spliced in. */
    static byte[] bytes(Mutator m, String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (m.random().nextInt(5) != 0 || b.length == 0) return b;
        byte[][] bad = {{(byte) 0xC3}, {(byte) 0xFF, (byte) 0xFE}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}};
        byte[] ins = bad[m.random().nextInt(bad.length)];
        int at = m.random().nextInt(b.length + 1);
        byte[] out = new byte[b.length + ins.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at, out, at + ins.length, b.length - at);
        return out;
    }

    static String show(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "... (" + s.length() + " chars)" : s;
    }
}
