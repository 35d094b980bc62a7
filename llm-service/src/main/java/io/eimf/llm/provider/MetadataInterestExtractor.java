package io.eimf.llm.provider;

import io.eimf.llm.api.Interest;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.TokenUsage;
import io.eimf.llm.extract.Extraction;
import io.eimf.llm.extract.InterestExtractor;
import io.eimf.llm.prompt.InterestPrompt;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code metadata} provider: names interests from item categories and title keywords, with no LLM. It is
 * deterministic (same input, same output) and says so: provider {@code metadata}, model {@value #MODEL}.
 *
 * <p>Each item contributes labels: its categories if given; else the categories after {@code " | "} in its text
 * (the {@code Item.defaultText} form "title | cat1, cat2"); else the words of its text (3+ letters, no stop words,
 * no numbers). Labels are then chosen greedily by how many distinct, not yet explained items they explain
 * (breadth: a word of one title watched ten times is not an interest, a category seen across many titles is; a
 * word shared by titles of several themes explains nothing new once the themes are chosen), ties broken by new
 * interactions, recency, then alphabetically; a label must explain at least max(2, 10% of the interactions) new
 * interactions unless it is needed to reach minInterests, and at most maxInterests are chosen.
 */
public final class MetadataInterestExtractor implements InterestExtractor {
    /** Algorithm version reported as the model. */
    public static final String MODEL = "metadata-v1";
    private static final Set<String> STOP = Set.of(
            "the", "and", "for", "with", "from", "into", "onto", "over", "under", "about", "after", "before",
            "that", "this", "these", "those", "are", "was", "were", "been", "being", "have", "has", "had", "not",
            "but", "you", "your", "his", "her", "its", "our", "their", "they", "them", "what", "when", "where",
            "who", "why", "how", "all", "any", "out", "off", "one", "two", "three", "part", "vol", "volume",
            "edition", "season", "episode", "les", "des", "der", "die", "das", "von", "del", "los", "las");

    @Override
    public String provider() {
        return "metadata";
    }

    @Override
    public String model() {
        return MODEL;
    }

    @Override
    public String templateVersion() {
        return null;
    }

    @Override
    public Map<String, Object> parameters() {
        return Map.of();
    }

    @Override
    public boolean cacheable() {
        return false;
    }

    private static final class Label {
        final String display;
        final boolean category;
        final BitSet items = new BitSet();
        int last = -1;

        Label(String display, boolean category) {
            this.display = display;
            this.category = category;
        }
    }

    @Override
    public Extraction extract(InterestRequest r) {
        long t0 = System.nanoTime();
        List<InterestItem> items = r.items();
        Map<String, Label> labels = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            for (String[] l : labelsOf(items.get(i))) {
                Label lab = labels.computeIfAbsent(l[0], k -> new Label(l[1], l[2] != null));
                lab.items.set(i);
                lab.last = i;
            }
        }
        // Greedy cover: repeatedly take the label that explains the most not-yet-explained distinct items. A word
        // shared by titles of several themes ("Story") explains nothing new once the themes are taken, and a
        // category carried by the same items as a taken one (Thriller beside Crime) is skipped for the same reason.
        int threshold = Math.max(2, (int) Math.ceil(0.1 * items.size()));
        List<Label> remaining = new ArrayList<>(labels.values());
        List<Label> chosen = new ArrayList<>();
        BitSet covered = new BitSet();
        while (chosen.size() < r.maxInterests() && !remaining.isEmpty()) {
            Label best = null;
            int bestDistinct = -1, bestNew = -1;
            for (Label l : remaining) {
                BitSet fresh = (BitSet) l.items.clone();
                fresh.andNot(covered);
                Set<String> texts = new java.util.HashSet<>();
                for (int i = fresh.nextSetBit(0); i >= 0; i = fresh.nextSetBit(i + 1)) {
                    texts.add(items.get(i).text().toLowerCase(Locale.ROOT));
                }
                int d = texts.size(), n = fresh.cardinality();
                if (best == null || d > bestDistinct || d == bestDistinct && (n > bestNew || n == bestNew
                        && (l.last > best.last || l.last == best.last && l.display.compareTo(best.display) < 0))) {
                    best = l;
                    bestDistinct = d;
                    bestNew = n;
                }
            }
            if (bestNew == 0 || bestNew < threshold && chosen.size() >= r.minInterests()) break;
            chosen.add(best);
            covered.or(best.items);
            remaining.remove(best);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (chosen.size() < r.minInterests()) {
            return Extraction.failed("metadata: the items' categories and title words support only " + chosen.size()
                    + " distinct interest(s); " + r.minInterests() + " were asked for", TokenUsage.NONE, 0, ms);
        }
        List<Interest> out = new ArrayList<>();
        for (Label l : chosen) {
            List<String> evidence = new ArrayList<>();
            for (int i = l.items.nextSetBit(0); i >= 0; i = l.items.nextSetBit(i + 1)) evidence.add(items.get(i).id());
            String desc = (l.category ? "Category '" : "Title word '") + shorten(l.display, 100) + "' covers "
                    + evidence.size() + " of the user's " + items.size() + " items, the latest at position "
                    + (l.last + 1) + ".";
            out.add(new Interest(name(l.display), desc, evidence));
        }
        return Extraction.ok(out, TokenUsage.NONE, 0, ms);
    }

    /** {key, display, "c" for a category or null for a title word}. */
    private static List<String[]> labelsOf(InterestItem it) {
        List<String[]> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<String> cats = it.categories();
        if (cats.isEmpty()) {
            int bar = it.text().lastIndexOf(" | ");
            if (bar >= 0) cats = List.of(it.text().substring(bar + 3).split(","));
        }
        for (String c : cats) {
            String d = c.strip().replaceAll("\\s+", " ");
            if (d.isEmpty() || d.equalsIgnoreCase("(no genres listed)")) continue;
            if (seen.add("c:" + d.toLowerCase(Locale.ROOT))) out.add(new String[] {"c:" + d.toLowerCase(Locale.ROOT), d, "c"});
        }
        if (!out.isEmpty()) return out;
        String title = it.text();
        for (String w : title.split("[^\\p{L}\\p{N}']+")) {
            String k = w.replace("'", "").toLowerCase(Locale.ROOT);
            if (k.length() < 3 || STOP.contains(k) || k.chars().noneMatch(Character::isLetter)) continue;
            if (seen.add("w:" + k)) {
                out.add(new String[] {"w:" + k, Character.toUpperCase(k.charAt(0)) + k.substring(1), null});
            }
        }
        return out;
    }

    private static String name(String display) {
        String[] words = display.split(" ");
        String n = words.length > InterestPrompt.MAX_NAME_WORDS
                ? String.join(" ", java.util.Arrays.copyOf(words, InterestPrompt.MAX_NAME_WORDS)) : display;
        return shorten(n, InterestPrompt.MAX_NAME_CHARS);
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n).strip();
    }
}
