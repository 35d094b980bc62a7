package io.eimf.mlflow.realserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.testing.RealSystems;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MLflow web UI in a real browser: headless Chromium ({@code .ci/services/05-chromium.sh}) renders pages of the
 * Postgres-backed MLflow 3.x server ({@code 30-mlflow-postgres.sh}) after EIMF put its runs and model there, and the
 * test checks the rendered DOM for what a person looks for: the experiment's runs {@code ibim} and {@code eimf}, their
 * Recall@50 ({@code test.recall_at_50}, EIMF's {@code test.recall@50} under MLflow's key rules) and the registered
 * model's {@code champion} alias. Screenshots stay in {@code mlflow/target/mlflow-ui/}.
 */
class MlflowUiITCase {
    /** Where the screenshots are kept (docs/img has copies). */
    static final Path SHOTS = Path.of("target", "mlflow-ui");
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    @TempDir
    Path tmp;

    @Test
    void experimentRunsCompareAndModelPagesShowRunsRecallAndChampion() throws Exception {
        String uri = RealSystems.env("EIMF_MLFLOW_PG_TEST_URI", "MLflow server on PostgreSQL: source .ci/lib.sh; "
                + "source .ci/services/10-postgres.sh; source .ci/services/30-mlflow-postgres.sh");
        String chromium = RealSystems.env("EIMF_CHROMIUM", "headless Chromium (.ci/services/05-chromium.sh)");
        PublishedRuns p = PublishedRuns.publish(uri, tmp, UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(SHOTS);

        // The experiment's runs table sorted by Recall@50 (the UI is a hash-routed single-page app). Its chart view
        // (compareRunsMode=CHART) draws ten Plotly charts, which took minutes on a loaded 2-core machine: not here.
        String experiment = page(chromium, uri + "/#/experiments/" + p.experimentId() + "/runs?orderByKey="
                + enc("metrics.`test.recall_at_50`") + "&orderByAsc=false", "experiment", "2000,900", 20_000,
                p.experiment(), "Sort: test.recall_at_50");
        assertTrue(words(experiment).containsAll(List.of("ibim", "eimf", "ibim-eval", "eimf-eval")), experiment);

        // The two runs side by side: names and the metric table (the UI shows three significant digits).
        String ids = "[\"" + p.runIds().get("ibim") + "\",\"" + p.runIds().get("eimf") + "\"]";
        String compare = page(chromium, uri + "/#/compare-runs?runs=" + enc(ids) + "&experiments="
                + enc("[\"" + p.experimentId() + "\"]"), "compare", "1600,1000", 20_000, "test.recall_at_50");
        assertTrue(words(compare).containsAll(List.of("ibim", "eimf", "0.212", "0.265")), compare);

        // The registered model: version 1 carries the champion alias and the Recall@50 it was promoted on.
        String model = page(chromium, uri + "/#/models/" + enc(p.model()), "model", "2000,900", 20_000,
                "Version 1", "champion", "metric.test.recall_at_50 : 0.265");
        assertTrue(words(model).contains(p.model()), model);
    }

    /**
     * The visible text of {@code url} once it shows every one of {@code expected}: rendered with {@code budgetMs} of
     * virtual time, and once more with twice that if a busy machine left the app short of it.
     */
    private String page(String chromium, String url, String name, String window, int budgetMs, String... expected)
            throws IOException, InterruptedException {
        String text = "";
        for (int budget = budgetMs; budget <= 2 * budgetMs; budget *= 2) {
            text = text(render(chromium, url, name, window, budget));
            String seen = text;
            if (Arrays.stream(expected).allMatch(seen::contains)) return text;
        }
        throw new AssertionError(name + " page " + url + " lacks one of " + Arrays.toString(expected) + "; its text: "
                + text);
    }

    /**
     * Renders {@code url} in a fresh headless Chromium profile and returns the DOM after the app settled (virtual
     * time lets the React app fetch and render without wall-clock sleeps); keeps a screenshot as {@code name}.png.
     *
     * @param window   the window size, "WIDTH,HEIGHT"
     * @param budgetMs the virtual time the page gets before the DOM is taken
     */
    private String render(String chromium, String url, String name, String window, int budgetMs)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(tmp, "chromium-");
        Path shot = SHOTS.resolve(name + ".png").toAbsolutePath();
        Files.deleteIfExists(shot);
        Path dom = tmp.resolve(name + ".html");
        Path log = tmp.resolve(name + ".log");
        Process proc = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + window,
                "--virtual-time-budget=" + budgetMs, "--dump-dom", "--screenshot=" + shot, url)
                .redirectOutput(dom.toFile()).redirectError(log.toFile()).start();
        if (!proc.waitFor(120, TimeUnit.SECONDS)) {
            proc.destroyForcibly().waitFor();
            throw new AssertionError("chromium did not finish " + url + " in 120 s; stderr tail: " + tail(log));
        }
        assertEquals(0, proc.exitValue(), "chromium exit for " + url + "; stderr tail: " + tail(log));
        byte[] png = Files.readAllBytes(shot);
        assertArrayEquals(PNG, Arrays.copyOf(png, 4), "screenshot " + shot + " is a PNG");
        assertTrue(png.length > 20_000, "screenshot " + shot + " has content (" + png.length + " bytes)");
        return Files.readString(dom);
    }

    /** The rendered page's visible text: scripts and styles dropped, tags removed, entities decoded, spaces collapsed. */
    static String text(String html) {
        return html.replaceAll("(?s)<(script|style)\\b.*?</\\1>", " ").replaceAll("<[^>]*>", " ")
                .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&").replaceAll("\\s+", " ").strip();
    }

    private static Set<String> words(String text) {
        return new java.util.HashSet<>(Arrays.asList(text.split(" ")));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) return "";
        String s = Files.readString(log);
        return s.substring(Math.max(0, s.length() - 1500));
    }
}
