package io.eimf.flink.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.dataset.Item;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.flink.prepare.InMemoryPreparer;
import io.eimf.flink.prepare.PrepareOptions;
import io.eimf.flink.prepare.SplitSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every input format on a small hand-written sample, prepared with no frequency filter and the loo split. */
class FormatsTest {
    @TempDir
    Path dir;

    private Path write(String name, String text, Charset cs) throws IOException {
        Path p = dir.resolve("in").resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, text.getBytes(cs));
        return p;
    }

    private PreparedDataset prepare(String format, UnaryOperator<PrepareOptions> extra) throws IOException {
        PrepareOptions o = new PrepareOptions(format, dir.resolve("in"), dir.resolve("out-" + format))
                .withFilter(PrepareOptions.FILTER_COMIREC, 1, 1).withSplit(SplitSpec.loo()).withOverwrite(true);
        return InMemoryPreparer.prepare(extra.apply(o));
    }

    private static int[] items(PreparedDataset d, String rawUser) {
        return d.sequences().stream().filter(s -> s.rawUser().equals(rawUser)).findFirst().orElseThrow().items();
    }

    private static List<String> raw(PreparedDataset d, int[] ids) {
        return java.util.Arrays.stream(ids).mapToObj(i -> d.item(i).rawId()).toList();
    }

    @Test
    void movieLens100kReadsLatin1TitlesAndGenreFlags() throws IOException {
        write("u.data", "1\t10\t5\t100\n1\t20\t3\t90\n2\t10\t4\t50\n1\t30\t1\t100\n", StandardCharsets.UTF_8);
        String flags = "|0|0|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0";
        write("u.item", "10|Café Society (1995)|01-Jan-1995||http://x" + flags + "\n"
                + "20|Heat (1995)|01-Jan-1995||http://y|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0\n", StandardCharsets.ISO_8859_1);
        PreparedDataset d = prepare("ml-100k", o -> o);
        assertEquals(List.of("10", "20", "30"), d.items().stream().map(Item::rawId).toList());
        assertEquals("Café Society (1995)", d.item(1).title());
        assertEquals(List.of("Animation", "Children's"), d.item(1).categories());
        assertEquals(List.of("Action", "Thriller"), d.item(2).categories());
        assertEquals("", d.item(3).title(), "no metadata: empty title");
        // Time order; the tie at t=100 keeps input order (10 before 30).
        assertEquals(List.of("20", "10", "30"), raw(d, items(d, "1")));
        assertEquals(SplitRole.ALL, d.sequences().get(0).role());
        assertEquals(1, d.sequences().get(0).historyLength());
        assertEquals(4, d.manifest().counts().rawInteractions());
    }

    @Test
    void minRatingTurnsRatingsIntoImplicitFeedback() throws IOException {
        write("u.data", "1\t10\t5\t100\n1\t20\t3\t90\n2\t10\t4\t50\n1\t30\t1\t100\n", StandardCharsets.UTF_8);
        PreparedDataset d = prepare("ml-100k", o -> o.withMinRating(4.0));
        assertEquals(List.of("10"), raw(d, items(d, "1")));
        assertEquals(4.0, d.manifest().feedback().minRating());
        assertEquals(2, d.manifest().counts().interactions());
    }

    @Test
    void movieLens1mReadsDoubleColonFiles() throws IOException {
        write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n", StandardCharsets.UTF_8);
        write("movies.dat", "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::"
                + "Animation|Children's|Musical\n", StandardCharsets.ISO_8859_1);
        PreparedDataset d = prepare("ml-1m", o -> o);
        assertEquals(List.of("661", "1193"), d.items().stream().map(Item::rawId).toList(), "numeric raw-id order");
        assertEquals(List.of("Animation", "Children's", "Musical"), d.item(1).categories());
        assertEquals(List.of("1193", "661"), raw(d, items(d, "1")));
        assertArrayEquals(new long[] {978300760L, 978302109L}, d.sequences().get(0).timestamps());
    }

    @Test
    void movieLensLatestHandlesHeaderAndQuotedTitles() throws IOException {
        write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.0,964981247\n", StandardCharsets.UTF_8);
        write("movies.csv", "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n"
                + "3,\"American President, The (1995)\",(no genres listed)\n", StandardCharsets.UTF_8);
        PreparedDataset d = prepare("ml-latest", o -> o);
        assertEquals("American President, The (1995)", d.item(2).title());
        assertEquals(List.of(), d.item(2).categories());
        assertEquals("Toy Story (1995) | Adventure, Animation", d.item(1).text());
        assertEquals(List.of("3", "1"), raw(d, items(d, "1")));
    }

    @Test
    void amazon2014ReadsJsonReviewsAndPythonDictMeta() throws IOException {
        write("reviews_Books_5.json", "{\"reviewerID\": \"A1\", \"asin\": \"B2\", \"overall\": 5.0, \"unixReviewTime\": 200}\n"
                + "{\"reviewerID\": \"A1\", \"asin\": \"B1\", \"overall\": 2.0, \"unixReviewTime\": 100}\n", StandardCharsets.UTF_8);
        Path meta = dir.resolve("in").resolve("meta_Books.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(meta))) {
            out.write(("{'asin': 'B1', 'title': \"Bob's Book\", 'categories': [['Books', 'Kids'], ['Books', 'Fun']]}\n"
                    + "{'asin': 'B2', 'categories': [['Books']]}\n").getBytes(StandardCharsets.UTF_8));
        }
        PreparedDataset d = prepare("amazon-2014", o -> o);
        assertEquals("Bob's Book", d.item(1).title());
        assertEquals(List.of("Books", "Kids", "Fun"), d.item(1).categories());
        assertEquals("", d.item(2).title());
        assertEquals(List.of("B1", "B2"), raw(d, items(d, "A1")));
        assertEquals(2, d.manifest().source().files().size());
    }

    @Test
    void amazon2018ReadsFiveCoreJsonAndMeta() throws IOException {
        write("Books_5.json", "{\"overall\": 4.0, \"reviewerID\": \"U9\", \"asin\": \"X1\", \"unixReviewTime\": 5}\n"
                + "{\"overall\": 1.0, \"reviewerID\": \"U9\", \"asin\": \"X2\", \"unixReviewTime\": 3}\n", StandardCharsets.UTF_8);
        write("meta_Books.json", "{\"asin\": \"X1\", \"title\": \"Deep Work\", \"category\": [\"Books\", \"Business\"]}\n"
                + "{\"asin\": \"X2\", \"title\": \"Dune\", \"main_cat\": \"Books\"}\n", StandardCharsets.UTF_8);
        PreparedDataset d = prepare("amazon-2018", o -> o);
        assertEquals(List.of("Books", "Business"), d.item(1).categories());
        assertEquals(List.of("Books"), d.item(2).categories());
        assertEquals(List.of("X2", "X1"), raw(d, items(d, "U9")));
    }

    @Test
    void genericCsvMapsColumnsByNameOrNumber() throws IOException {
        write("events.tsv", "ts\tuid\tiid\tscore\n30\tu1\t\"i 3\"\t1\n10\tu1\ti1\t5\n20\tu1\ti2\t5\n", StandardCharsets.UTF_8);
        PreparedDataset d = prepare("csv", o -> o.withCsv("user=uid,item=iid,time=ts,rating=score", "tab", true));
        assertEquals(List.of("i1", "i2", "i 3"), raw(d, items(d, "u1")));
        assertEquals("user=uid,item=iid,time=ts,rating=score", d.manifest().source().options().get("columns"));
        PreparedDataset byNumber = prepare("csv", o -> o.withCsv("user=2,item=3,time=1", "tab", true)
                .withOut(dir.resolve("out-csv2")));
        assertEquals(List.of("i1", "i2", "i 3"), raw(byNumber, items(byNumber, "u1")));
        UsageException noHeader = assertThrows(UsageException.class,
                () -> prepare("csv", o -> o.withCsv("user=uid,item=iid", "tab", false)));
        assertTrue(noHeader.getMessage().contains("--header"), noHeader.getMessage());
        EimfException unknown = assertThrows(EimfException.class,
                () -> prepare("csv", o -> o.withCsv("user=uid,item=product", "tab", true)));
        assertTrue(unknown.getMessage().contains("'product' not in header"), unknown.getMessage());
    }

    @Test
    void seqTxtKeepsLineOrder() throws IOException {
        write("seqs.txt", "u1 b a c\nu2 a a\nu1 d\n", StandardCharsets.UTF_8);
        PreparedDataset d = prepare("seq-txt", o -> o);
        assertEquals(List.of("b", "a", "c", "d"), raw(d, items(d, "u1")));
        assertEquals(List.of("a", "a"), raw(d, items(d, "u2")));
        UserSequence u1 = d.sequences().get(0);
        assertArrayEquals(new long[4], u1.timestamps());
        UsageException e = assertThrows(UsageException.class, () -> prepare("seq-txt", o -> o.withMinRating(3.0)));
        assertTrue(e.getMessage().contains("has no ratings"), e.getMessage());
    }

    @Test
    void missingFilesAndUnknownFormatsAreOneLineErrors() {
        EimfException e = assertThrows(EimfException.class, () -> prepare("ml-1m", o -> o));
        assertTrue(e.getMessage().startsWith("input ") || e.getMessage().contains("ratings.dat not found"), e.getMessage());
        UsageException u = assertThrows(UsageException.class,
                () -> new PrepareOptions("ml-2000", dir, dir.resolve("x")));
        assertTrue(u.getMessage().contains("unknown format 'ml-2000'"), u.getMessage());
    }

    /** Found by PrepareFuzzTest: a lone surrogate escape in an Amazon id failed the UTF-8 writer of sequences.tsv. */
    @Test
    void anAmazonIdWithAnUnpairedSurrogateEscapeIsABadLineAndTitlesAreRepaired() throws Exception {
        Amazon a = new Amazon(Amazon.Edition.V2014);
        BadLineException e = assertThrows(BadLineException.class, () -> a.parse(
                "{\"reviewerID\": \"A\\ud800\", \"asin\": \"B1\", \"unixReviewTime\": 1}", (u, i, r, t, p) -> { }));
        assertTrue(e.getMessage().contains("reviewerID") && e.getMessage().contains("surrogate"), e.getMessage());
        List<String> ok = new java.util.ArrayList<>();
        a.parse("{'reviewerID': 'A\\ud83d\\ude00', 'asin': 'B1', 'unixReviewTime': 1}", (u, i, r, t, p) -> ok.add(u));
        assertEquals(List.of("A\ud83d\ude00"), ok, "a whole pair is a character");
        ItemMeta m = a.parseItem("{'asin': 'B1', 'title': 'T\\udc00', 'categories': [['C\\ud800']]}");
        assertEquals("T\ufffd", m.title());
        assertEquals(List.of("C\ufffd"), m.categories());
    }
}
