package io.eimf.core.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The EIMF version stamped into every manifest, metrics file and model. */
public final class ToolVersion {
    private static final String VERSION = load();

    private ToolVersion() {}

    /** e.g. "eimf 0.1.0-SNAPSHOT". */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = ToolVersion.class.getResourceAsStream("/io/eimf/core/version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return "eimf " + p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "eimf unknown";
        }
    }
}
