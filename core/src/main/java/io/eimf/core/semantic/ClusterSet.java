package io.eimf.core.semantic;

import io.eimf.core.dataset.DatasetFormatException;
import io.eimf.core.io.ContentHash;
import io.eimf.core.io.Tsv;
import io.eimf.core.json.Json;
import io.eimf.core.provenance.ToolVersion;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A clusters directory (format version {@value #FORMAT_VERSION}) as written by {@code eimf cluster}:
 * {@code manifest.json}, {@code assignments.tsv} (user to cluster and distance), {@code samples.tsv} (the typical
 * samples) and {@code centroids.tsv}; specified in docs/DATA.md. Readable without Flink.
 */
public final class ClusterSet {
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.json";
    public static final String ASSIGNMENTS = "assignments.tsv";
    public static final String SAMPLES = "samples.tsv";
    public static final String CENTROIDS = "centroids.tsv";
    public static final String ASSIGNMENTS_HEADER = "user\traw_user\tcluster\tdistance\tinteractions";
    public static final String SAMPLES_HEADER = "cluster\trank\tuser\traw_user\tdistance\tinteractions";
    public static final String CENTROIDS_HEADER = "cluster\tsize\tvector";

    /**
     * One user's cluster.
     *
     * @param user dense user id of the prepared dataset
     * @param rawUser the source's user id
     * @param cluster cluster id, 0..k-1
     * @param distance Euclidean distance of the profile to its centroid
     * @param interactions prompt-visible interactions of the user
     */
    public record Assignment(int user, String rawUser, int cluster, double distance, int interactions) {}

    /**
     * A typical sample: one of the users nearest its cluster's centroid.
     *
     * @param cluster its cluster
     * @param rank 0 for the nearest eligible user of the cluster, 1 for the next, ...
     * @param user dense user id
     * @param rawUser the source's user id
     * @param distance distance to the centroid
     * @param interactions prompt-visible interactions
     */
    public record TypicalSample(int cluster, int rank, int user, String rawUser, double distance, int interactions) {}

    private final Path dir;
    private final ClustersManifest manifest;
    private final List<Assignment> assignments;
    private final List<TypicalSample> samples;
    private final float[][] centroids;

    private ClusterSet(Path dir, ClustersManifest manifest, List<Assignment> assignments,
                       List<TypicalSample> samples, float[][] centroids) {
        this.dir = dir;
        this.manifest = manifest;
        this.assignments = Collections.unmodifiableList(assignments);
        this.samples = Collections.unmodifiableList(samples);
        this.centroids = centroids;
    }

    public Path dir() {
        return dir;
    }

    public ClustersManifest manifest() {
        return manifest;
    }

    /** Every profiled user's cluster, ordered by user id. */
    public List<Assignment> assignments() {
        return assignments;
    }

    /** The typical samples, ordered by cluster then rank. */
    public List<TypicalSample> samples() {
        return samples;
    }

    /** Centroids, index = cluster id (a copy). */
    public float[][] centroids() {
        float[][] c = new float[centroids.length][];
        for (int i = 0; i < c.length; i++) c[i] = centroids[i].clone();
        return c;
    }

    /** Reads and validates a clusters directory; errors name the file and line. */
    public static ClusterSet read(Path dir) throws IOException {
        Path mf = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(mf)) throw new DatasetFormatException(mf + ": missing (not a clusters directory)");
        ClustersManifest m = Json.read(mf, ClustersManifest.class);
        if (m.formatVersion() < 1 || m.formatVersion() > FORMAT_VERSION) {
            throw new DatasetFormatException(mf + ": format version " + m.formatVersion() + " is not supported");
        }
        List<Assignment> as = new ArrayList<>();
        forEachLine(dir.resolve(ASSIGNMENTS), ASSIGNMENTS_HEADER, 5, f -> as.add(new Assignment(
                Integer.parseInt(f[0]), Tsv.unescape(f[1]), cluster(f[2], m.k()), Double.parseDouble(f[3]),
                Integer.parseInt(f[4]))));
        List<TypicalSample> ss = new ArrayList<>();
        forEachLine(dir.resolve(SAMPLES), SAMPLES_HEADER, 6, f -> ss.add(new TypicalSample(cluster(f[0], m.k()),
                Integer.parseInt(f[1]), Integer.parseInt(f[2]), Tsv.unescape(f[3]), Double.parseDouble(f[4]),
                Integer.parseInt(f[5]))));
        float[][] cs = new float[m.k()][];
        forEachLine(dir.resolve(CENTROIDS), CENTROIDS_HEADER, 3, f -> {
            int c = cluster(f[0], m.k());
            String[] p = f[2].isEmpty() ? new String[0] : f[2].split(" ");
            if (p.length != m.dimension()) {
                throw new IllegalArgumentException("vector has " + p.length + " values, manifest says dimension "
                        + m.dimension());
            }
            float[] v = new float[p.length];
            for (int i = 0; i < p.length; i++) v[i] = Float.parseFloat(p[i]);
            cs[c] = v;
        });
        for (int c = 0; c < cs.length; c++) {
            if (cs[c] == null) throw new DatasetFormatException(dir.resolve(CENTROIDS) + ": no row for cluster " + c);
        }
        return new ClusterSet(dir, m, as, ss, cs);
    }

    private static int cluster(String s, int k) {
        int c = Integer.parseInt(s);
        if (c < 0 || c >= k) throw new IllegalArgumentException("cluster " + c + " outside 0.." + (k - 1));
        return c;
    }

    private interface Row {
        void accept(String[] fields);
    }

    private static void forEachLine(Path file, String header, int fields, Row row) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String h = r.readLine();
            if (!header.equals(h)) throw new DatasetFormatException(file, 1, "expected header '" + header + "'");
            String line;
            long n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isEmpty()) continue;
                String[] f = line.split("\t", -1);
                if (f.length != fields) {
                    throw new DatasetFormatException(file, n, "expected " + fields + " tab-separated fields, found "
                            + f.length);
                }
                try {
                    row.accept(f);
                } catch (RuntimeException e) {
                    throw new DatasetFormatException(file, n, e.getMessage());
                }
            }
        }
    }

    /**
     * Writes the three data files and the sealed manifest into {@code dir} (normally the temporary directory of an
     * {@link io.eimf.core.io.AtomicOutput}); returns the sealed manifest.
     */
    public static ClustersManifest write(Path dir, ClustersManifest m, List<Assignment> assignments,
                                         List<TypicalSample> samples, float[][] centroids, long[] sizes)
            throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(ASSIGNMENTS), StandardCharsets.UTF_8)) {
            w.write(ASSIGNMENTS_HEADER + "\n");
            for (Assignment a : assignments) {
                w.write(a.user() + "\t" + Tsv.escape(a.rawUser()) + "\t" + a.cluster() + "\t"
                        + fmt(a.distance()) + "\t" + a.interactions() + "\n");
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(SAMPLES), StandardCharsets.UTF_8)) {
            w.write(SAMPLES_HEADER + "\n");
            for (TypicalSample s : samples) {
                w.write(s.cluster() + "\t" + s.rank() + "\t" + s.user() + "\t" + Tsv.escape(s.rawUser()) + "\t"
                        + fmt(s.distance()) + "\t" + s.interactions() + "\n");
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(CENTROIDS), StandardCharsets.UTF_8)) {
            w.write(CENTROIDS_HEADER + "\n");
            for (int c = 0; c < centroids.length; c++) {
                StringBuilder b = new StringBuilder();
                b.append(c).append('\t').append(sizes[c]).append('\t');
                for (int i = 0; i < centroids[c].length; i++) {
                    if (i > 0) b.append(' ');
                    b.append(centroids[c][i]);
                }
                w.write(b.append('\n').toString());
            }
        }
        String hash = ContentHash.ofFiles(dir, ASSIGNMENTS, SAMPLES, CENTROIDS);
        ClustersManifest sealed = m.sealed(hash, ToolVersion.get(),
                m.createdAt() != null ? m.createdAt() : Instant.now().toString());
        Files.writeString(dir.resolve(MANIFEST), Json.pretty(sealed));
        return sealed;
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.6f", d);
    }
}
