package io.eimf.model.esim;

import io.eimf.core.cli.EimfException;
import io.eimf.core.semantic.ClusterSet;
import io.eimf.core.semantic.SemanticInterest;
import io.eimf.core.semantic.SemanticInterestDataset;
import io.eimf.core.semantic.UserInterests;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The semantic interests training sees, in memory: a vocabulary of distinct interests with their embeddings
 * (L2-normalised, [V, E], outside any workspace) and, for each dense user id that has semantic interests, the
 * vocabulary ids of its interests. Interests are keyed by name (case and spacing folded): two users who both
 * "like Drama" share one entry, whose embedding is the normalised mean of their interest-text embeddings (the
 * texts differ in their user-specific descriptions), so they are never each other's contrastive negatives.
 */
public final class SemanticBank {
    private final INDArray embeddings;
    private final List<String> names;
    private final Map<Integer, int[]> byUser;
    private final int typicalUsers;

    private SemanticBank(INDArray embeddings, List<String> names, Map<Integer, int[]> byUser, int typicalUsers) {
        this.embeddings = embeddings;
        this.names = List.copyOf(names);
        this.byUser = Map.copyOf(byUser);
        this.typicalUsers = typicalUsers;
    }

    /**
     * Builds the bank from an extraction, optionally widened to cluster members.
     *
     * @param ds the semantic-interest dataset
     * @param clusters the clusters directory the extraction was made from; required for {@link EsimOptions.Scope#CLUSTER}
     * @param scope SAMPLES: only typical samples have semantic interests; CLUSTER: every user assigned to a cluster
     *     gets the union of its cluster's typical samples' interests (a typical sample keeps its own)
     */
    public static SemanticBank build(SemanticInterestDataset ds, ClusterSet clusters, EsimOptions.Scope scope,
                                     DataType type) {
        Builder b = new Builder(ds.manifest().embeddingDimension());
        Map<Integer, List<Integer>> own = new LinkedHashMap<>();
        Map<Integer, Set<Integer>> byCluster = new HashMap<>();
        for (UserInterests u : ds.users()) {
            List<Integer> ids = new ArrayList<>();
            for (SemanticInterest s : u.interests()) ids.add(b.intern(s.name(), s.embedding(), ds.dir()));
            if (ids.isEmpty()) continue;
            own.put(u.user(), ids);
            byCluster.computeIfAbsent(u.cluster(), c -> new LinkedHashSet<>()).addAll(ids);
        }
        Map<Integer, int[]> byUser = new HashMap<>();
        if (scope == EsimOptions.Scope.CLUSTER) {
            if (clusters == null) throw new EimfException("--semantic-scope cluster needs --clusters DIR");
            for (ClusterSet.Assignment a : clusters.assignments()) {
                Set<Integer> ids = byCluster.get(a.cluster());
                if (ids != null) byUser.put(a.user(), ids.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        own.forEach((u, ids) -> byUser.put(u, ids.stream().mapToInt(Integer::intValue).distinct().toArray()));
        return b.finish(byUser, own.size(), type);
    }

    /** A bank from explicit per-user interest texts and embeddings (tests, synthetic runs). */
    public static SemanticBank of(Map<Integer, List<SemanticInterest>> interests, int dimension, DataType type) {
        Builder b = new Builder(dimension);
        Map<Integer, int[]> byUser = new HashMap<>();
        interests.forEach((u, list) -> {
            int[] ids = list.stream().mapToInt(s -> b.intern(s.name(), s.embedding(), null)).distinct().toArray();
            if (ids.length > 0) byUser.put(u, ids);
        });
        return b.finish(byUser, byUser.size(), type);
    }

    /** Vocabulary ids of {@code user}'s semantic interests, or null when it has none. */
    public int[] interestsOf(int user) {
        return byUser.get(user);
    }

    /** The distinct interest embeddings [V, E], unit length. */
    public INDArray embeddings() {
        return embeddings;
    }

    /** Interest name of a vocabulary id (the first name seen with that embedding). */
    public String name(int id) {
        return names.get(id);
    }

    /** V, the number of distinct interests. */
    public int size() {
        return names.size();
    }

    /** E, the text-embedding dimension. */
    public int dimension() {
        return (int) embeddings.size(1);
    }

    /** Users with semantic interests (typical samples, plus cluster members under the cluster scope). */
    public int users() {
        return byUser.size();
    }

    /** Typical samples with at least one interest. */
    public int typicalUsers() {
        return typicalUsers;
    }

    /** Every user with semantic interests, ascending. */
    public int[] userIds() {
        return byUser.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static final class Builder {
        private final int dim;
        private final Map<String, Integer> ids = new HashMap<>();
        private final List<double[]> sums = new ArrayList<>();
        private final List<String> names = new ArrayList<>();

        Builder(int dim) {
            if (dim < 1) throw new EimfException("semantic interests have embedding dimension " + dim);
            this.dim = dim;
        }

        int intern(String name, float[] e, java.nio.file.Path source) {
            if (e.length != dim) {
                throw new EimfException((source == null ? "" : source + ": ") + "interest '" + name + "' has a "
                        + e.length + "-d embedding, expected " + dim);
            }
            float[] n = normalize(e, name, source);
            String key = name.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
            int id = ids.computeIfAbsent(key, k -> {
                sums.add(new double[dim]);
                names.add(name.strip());
                return sums.size() - 1;
            });
            double[] sum = sums.get(id);
            for (int i = 0; i < dim; i++) sum[i] += n[i];
            return id;
        }

        SemanticBank finish(Map<Integer, int[]> byUser, int typical, DataType type) {
            if (sums.isEmpty()) throw new EimfException("the semantic-interest dataset holds no interests");
            float[] flat = new float[sums.size() * dim];
            for (int v = 0; v < sums.size(); v++) {
                double[] sum = sums.get(v);
                double r = 0;
                for (double x : sum) r += x * x;
                r = Math.sqrt(r);
                // embeddings that cancel out under one name (practically impossible) leave a zero vector
                for (int i = 0; i < dim; i++) flat[v * dim + i] = (float) (r > 1e-6 ? sum[i] / r : 0);
            }
            INDArray table;
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                table = Nd4j.createFromArray(flat).reshape('c', sums.size(), dim).castTo(type);
            }
            return new SemanticBank(table, names, byUser, typical);
        }

        private static float[] normalize(float[] e, String name, java.nio.file.Path source) {
            double s = 0;
            for (float x : e) s += (double) x * x;
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new EimfException((source == null ? "" : source + ": ") + "interest '" + name
                        + "' has a zero or non-finite embedding");
            }
            double r = Math.sqrt(s);
            float[] o = new float[e.length];
            for (int i = 0; i < e.length; i++) o[i] = (float) (e[i] / r);
            return o;
        }
    }

    @Override
    public String toString() {
        return "SemanticBank[" + size() + " distinct interests, " + users() + " users (" + typicalUsers
                + " typical), dim " + dimension() + "]";
    }

}
