package io.eimf.llm.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.synth.SyntheticData;
import io.eimf.llm.api.Interest;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.extract.Extraction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetadataInterestExtractorTest {
    final MetadataInterestExtractor x = new MetadataInterestExtractor();

    /** Users of the synthetic data as requests; {@code withCategories}: categories given, else titles only. */
    static List<InterestRequest> users(SyntheticData.Generated g, boolean withCategories, int n) {
        Map<Integer, List<InterestItem>> byUser = new HashMap<>();
        for (SyntheticData.Interaction in : g.interactions()) {
            SyntheticData.SynthItem it = g.items().get(in.item() - 1);
            byUser.computeIfAbsent(in.user(), u -> new ArrayList<>()).add(new InterestItem("i" + it.id() + "@"
                    + byUser.getOrDefault(in.user(), List.of()).size(), it.title(),
                    withCategories ? List.of(it.category()) : List.of()));
        }
        List<InterestRequest> out = new ArrayList<>();
        for (int u = 1; u <= n; u++) out.add(new InterestRequest("u" + u, byUser.get(u), 2, 4));
        return out;
    }

    @Test
    void deterministicAndNamesThePlantedInterestsOfSyntheticUsers() {
        SyntheticData.Generated g = SyntheticData.generate(SyntheticData.Config.defaults().withUsers(60));
        for (boolean cats : new boolean[] {true, false}) {
            int visible = 0, found = 0, named = 0, wrong = 0;
            for (InterestRequest r : users(g, cats, 60)) {
                Extraction e = x.extract(r);
                assertTrue(e.ok(), e.error());
                assertEquals(e.interests(), x.extract(r).interests(), "same input, same output");
                Set<String> truth = new HashSet<>(g.plantedInterests().get(Integer.parseInt(r.userId().substring(1))));
                Set<String> ids = new HashSet<>();
                for (InterestItem it : r.items()) ids.add(it.id());
                Set<String> names = new HashSet<>();
                for (Interest i : e.interests()) {
                    names.add(i.name());
                    named++;
                    if (!truth.contains(i.name())) wrong++;
                    assertTrue(ids.containsAll(i.evidence()) && !i.evidence().isEmpty());
                    assertFalse(i.description().isBlank());
                }
                // A planted interest is visible when the sampled sequence holds enough of its items to tell it
                // from noise (the extractor's documented threshold); sessions make some nearly absent.
                int threshold = Math.max(2, (int) Math.ceil(0.1 * r.items().size()));
                for (String t : truth) {
                    long support = r.items().stream().filter(it -> it.text().startsWith(t + " ")).count();
                    if (support >= threshold) {
                        visible++;
                        if (names.contains(t)) found++;
                    }
                }
            }
            // Titles name their category ("Space Story 3"), so both modes recover the visible interests.
            System.out.printf("metadata on synthetic data (categories given: %s): %d of %d visible planted interests named, %d of %d names not planted%n",
                    cats, found, visible, wrong, named);
            assertTrue(visible > 100, "only " + visible + " visible interests");
            assertTrue(found >= 0.95 * visible, "cats=" + cats + ": found " + found + " of " + visible);
            assertTrue(wrong <= 0.1 * named, "cats=" + cats + ": " + wrong + " of " + named + " names not planted");
        }
    }

    @Test
    void pipeSeparatedCategoriesInTheTextAreUsedAndTooLittleEvidenceFails() {
        InterestRequest r = new InterestRequest("u", List.of(InterestItem.of("1", "Alien | Sci-Fi, Horror"),
                InterestItem.of("2", "Heat | Crime, Thriller"), InterestItem.of("3", "Aliens | Sci-Fi, Action"),
                InterestItem.of("4", "Se7en | Crime, Thriller")), 2, 3);
        Extraction e = x.extract(r);
        assertTrue(e.ok(), e.error());
        // Crime and Sci-Fi tie on support; Crime is more recent. Thriller covers exactly Crime's items: skipped.
        assertEquals(List.of("Crime", "Sci-Fi"), e.interests().stream().map(Interest::name).toList());
        assertEquals(List.of("2", "4"), e.interests().get(0).evidence());
        Extraction one = x.extract(new InterestRequest("u", List.of(InterestItem.of("1", "the"),
                InterestItem.of("2", "of 12")), 2, 3));
        assertFalse(one.ok());
        assertTrue(one.error().contains("support only 0"), one.error());
    }
}
