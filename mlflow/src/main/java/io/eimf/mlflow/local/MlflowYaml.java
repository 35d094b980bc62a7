package io.eimf.mlflow.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * YAML as MLflow's file stores write it ({@code yaml.safe_dump}, block style, keys sorted, numeric-looking strings
 * quoted so ids stay strings) and as they read it.
 */
public final class MlflowYaml {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .stringQuotingChecker(new DateAwareQuoting())
            .build());

    /**
     * Jackson's minimal quoting plus dates and timestamps: unquoted, PyYAML would read MLmodel's
     * {@code utc_time_created} (or a run named like a date) back as a datetime instead of a string.
     */
    private static final class DateAwareQuoting extends StringQuotingChecker.Default {
        private static final java.util.regex.Pattern DATE = java.util.regex.Pattern.compile("^\\d{4}-\\d{1,2}-\\d{1,2}.*");

        @Override
        public boolean needToQuoteValue(String value) {
            return super.needToQuoteValue(value) || DATE.matcher(value).matches();
        }
    }

    private MlflowYaml() {}

    /** The YAML mapper (for MLmodel files). */
    public static ObjectMapper mapper() {
        return YAML;
    }

    /** Renders a map with its keys sorted, as safe_dump does. */
    public static String render(Map<String, ?> values) {
        try {
            return YAML.writeValueAsString(new TreeMap<>(values));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code values} to {@code file} atomically. */
    public static void write(Path file, Map<String, ?> values) throws IOException {
        AtomicOutput.text(file, render(values));
    }

    /** Reads a YAML mapping, naming the file when it is malformed. */
    public static Map<String, Object> read(Path file) throws IOException {
        try {
            Map<String, Object> m = YAML.readValue(Files.readString(file), new TypeReference<Map<String, Object>>() {});
            if (m == null) throw new EimfException(file + ": empty YAML file");
            return m;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new EimfException(file + ": invalid YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** A field as a string ("" when absent or null). */
    public static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? "" : v.toString();
    }

    /** A field as a long (0 when absent or null). */
    public static long num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null || v.toString().isEmpty() || v.toString().equals("null")) return 0L;
        return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
    }
}
