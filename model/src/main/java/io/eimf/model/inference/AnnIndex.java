package io.eimf.model.inference;

import io.eimf.core.progress.Progress;
import io.eimf.model.nn.ModelFormatException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.apache.lucene.util.SparseFixedBitSet;
import org.apache.lucene.util.hnsw.NeighborQueue;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * An HNSW graph over the item table (Lucene's {@link HnswGraphBuilder} and {@link HnswGraphSearcher}, maximum inner
 * product), stored as {@code ann.hnsw} in the model folder. It only proposes candidates: {@link Recommender} scores
 * them exactly with the exact path's arithmetic and merge, so when the candidates hold the exact top-N the answer is
 * the exact one bit for bit. Built single-threaded with a fixed seed, so the same weights and parameters give the
 * same file. Read-only after loading; each search takes its own cursor, so it is thread-safe.
 */
public final class AnnIndex {
    /** File name inside the model folder (listed in model.json's {@code files} map). */
    public static final String FILE = "ann.hnsw";
    private static final byte[] MAGIC = "EIMFHNSW".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    /** Lucene's default graph degree; 2*M neighbours on level 0. */
    public static final int DEFAULT_M = 16;
    public static final int DEFAULT_EF_CONSTRUCTION = 100;
    /** Candidates per interest at query time (beam width of the level-0 search); see docs/METHOD.md. */
    public static final int DEFAULT_EF_SEARCH = 160;
    public static final long DEFAULT_SEED = 42;
    /**
     * Training exports build the index by default from this many items up ({@code train --ann-index auto}): below,
     * exact top-50 already takes about a millisecond (docs/BENCHMARKS.md, serve) and the index would only add
     * build time and a file.
     */
    public static final int AUTO_MIN_ITEMS = 100_000;
    /** How many nodes start each level-0 search ({@link #entryPoints}). */
    static final int ENTRY_POINTS = 16;
    /** Least nodes of the level whose nodes are all scored to pick the entry points. */
    static final int ROUTER_NODES = 1000;

    /** Level-0 links a node may have beyond Lucene's 2*M, added by {@link #connect}. */
    static final int MAX_EXTRA_LINKS = 64;

    /** Build and search parameters, all recorded in the file. */
    public record Params(int m, int efConstruction, int efSearch, long seed) {
        public Params {
            if (m < 2 || m > 512) throw new IllegalArgumentException("M must be in 2..512, got " + m);
            if (efConstruction < 1) throw new IllegalArgumentException("efConstruction must be >= 1");
            if (efSearch < 1) throw new IllegalArgumentException("efSearch must be >= 1");
        }

        public static Params defaults() {
            return new Params(DEFAULT_M, DEFAULT_EF_CONSTRUCTION, DEFAULT_EF_SEARCH, DEFAULT_SEED);
        }
    }

    private final int numItems;
    private final int dim;
    private final Params params;
    /** SHA-256 of the weights.bin the graph was built from; a graph of other weights is refused at load. */
    private final String weightsSha256;
    private final int entryNode;
    /** Level 0: neighbours of node i (item i+1) are {@code nbr0[off0[i] .. off0[i+1])}. */
    private final int[] off0;
    private final int[] nbr0;
    /** Levels 1..: sorted node lists with the same offset layout. */
    private final int[][] upNodes;
    private final int[][] upOff;
    private final int[][] upNbr;
    /** The router level's nodes (null: every node; see {@link #entryPoints}). */
    private final int[] routerNodes;
    /** The item table [numItems+1, dim], row 0 padding; node i is row i+1. Shared, not copied. */
    private float[] items;

    private AnnIndex(int numItems, int dim, Params params, String weightsSha256, int entryNode, int[] off0, int[] nbr0,
                     int[][] upNodes, int[][] upOff, int[][] upNbr) {
        this.numItems = numItems;
        this.dim = dim;
        this.params = params;
        this.weightsSha256 = weightsSha256;
        this.entryNode = entryNode;
        this.off0 = off0;
        this.nbr0 = nbr0;
        this.upNodes = upNodes;
        this.upOff = upOff;
        this.upNbr = upNbr;
        int[] router = null;
        for (int[] level : upNodes) {
            if (level.length >= ROUTER_NODES) router = level;
        }
        this.routerNodes = router;
    }

    public Params params() {
        return params;
    }

    public int numItems() {
        return numItems;
    }

    public String weightsSha256() {
        return weightsSha256;
    }

    /** The same graph searched with another number of candidates per interest. */
    public AnnIndex withEfSearch(int efSearch) {
        AnnIndex a = new AnnIndex(numItems, dim, new Params(params.m(), params.efConstruction(), efSearch, params.seed()),
                weightsSha256, entryNode, off0, nbr0, upNodes, upOff, upNbr);
        a.items = items;
        return a;
    }

    /** Attaches the item table the graph indexes (the exact scorer's float copy); checked against the header. */
    AnnIndex attach(float[] table) {
        if (table.length != (numItems + 1L) * dim) {
            throw new IllegalArgumentException("item table of " + table.length + " floats is not [" + (numItems + 1)
                    + ", " + dim + "] as the index says");
        }
        this.items = table;
        return this;
    }

    /**
     * Builds the graph over items 1..numItems of {@code table} ([numItems+1, dim], row 0 padding), single-threaded
     * (deterministic for a seed).
     *
     * @param progress where a progress line goes (null: none)
     */
    public static AnnIndex build(float[] table, int dim, Params params, String weightsSha256, PrintStream progress)
            throws IOException {
        int n = table.length / dim - 1;
        if (n < 1 || table.length % dim != 0) throw new IllegalArgumentException("item table is not [numItems+1, " + dim + "]");
        // Inner products of items of unequal norms make HNSW's neighbour pruning drop low-norm items from every list
        // (measured: a third of a 1,500-item clustered catalogue unreachable). The usual reduction to a metric space
        // adds a coordinate sqrt(maxNorm^2 - |x|^2) to every item, which gives all items the same norm, and 0 to
        // queries, which leaves q.x unchanged: the graph is built in that space; searches need no change.
        float[] extra = new float[n];
        double maxSq = 0;
        for (int i = 0; i < n; i++) maxSq = Math.max(maxSq, dot(table, table, (i + 1) * dim, (i + 1) * dim, dim));
        for (int i = 0; i < n; i++) {
            extra[i] = (float) Math.sqrt(Math.max(0, maxSq - dot(table, table, (i + 1) * dim, (i + 1) * dim, dim)));
        }
        RandomVectorScorerSupplier sup = new Supplier(table, extra, dim, n);
        HnswGraphBuilder b = HnswGraphBuilder.create(sup, params.m(), params.efConstruction(), params.seed());
        Progress p = progress == null ? null : new Progress("hnsw build", n, progress, Duration.ofSeconds(10));
        for (int i = 0; i < n; i++) {
            b.addGraphNode(i);
            if (p != null && (i & 1023) == 1023) p.advance(1024, "");
        }
        OnHeapHnswGraph g = b.getCompletedGraph();
        if (p != null) p.finish(n + " items");
        int[][] adj = new int[n][];
        int[] buf = new int[Math.max(4 * params.m() + 2, 64)];
        for (int i = 0; i < n; i++) {
            g.seek(0, i);
            int c = 0;
            for (int x = g.nextNeighbor(); x != DocIdSetIterator.NO_MORE_DOCS; x = g.nextNeighbor()) buf[c++] = x;
            adj[i] = Arrays.copyOf(buf, c);
        }
        int repaired = connect(adj, g.entryNode(), 2 * params.m() + MAX_EXTRA_LINKS);
        if (progress != null && repaired > 0) {
            progress.println("hnsw build: linked " + repaired + " items no search reached (no in-links after pruning)");
        }
        int[] off0 = new int[n + 1];
        for (int i = 0; i < n; i++) off0[i + 1] = off0[i] + adj[i].length;
        int[] nbr0 = new int[off0[n]];
        for (int i = 0; i < n; i++) {
            System.arraycopy(adj[i], 0, nbr0, off0[i], adj[i].length);
            adj[i] = null;
        }
        int levels = g.numLevels();
        int[][] upNodes = new int[levels - 1][];
        int[][] upOff = new int[levels - 1][];
        int[][] upNbr = new int[levels - 1][];
        for (int l = 1; l < levels; l++) {
            int[] nodes = HnswGraph.NodesIterator.getSortedNodes(g.getNodesOnLevel(l));
            int[] off = new int[nodes.length + 1];
            int[] nbr = new int[nodes.length * params.m()];
            int u = 0;
            for (int j = 0; j < nodes.length; j++) {
                g.seek(l, nodes[j]);
                for (int x = g.nextNeighbor(); x != DocIdSetIterator.NO_MORE_DOCS; x = g.nextNeighbor()) {
                    if (u == nbr.length) nbr = Arrays.copyOf(nbr, nbr.length * 2 + 1);
                    nbr[u++] = x;
                }
                off[j + 1] = u;
            }
            upNodes[l - 1] = nodes;
            upOff[l - 1] = off;
            upNbr[l - 1] = Arrays.copyOf(nbr, u);
        }
        AnnIndex a = new AnnIndex(n, dim, params, weightsSha256, g.entryNode(), off0, nbr0, upNodes, upOff, upNbr);
        a.items = table;
        return a;
    }

    /**
     * Makes every node reachable from the entry on level 0: HNSW's pruning can leave a node with no in-links, which
     * no search would then return. Each such node gets an in-link from its first reachable out-neighbour (its
     * nearest, as Lucene orders them), or from the entry node if it has none; repeated until all are reached.
     * Deterministic. A linking node may so exceed 2*M links, by at most {@link #MAX_EXTRA_LINKS}.
     *
     * @return how many links were added
     */
    static int connect(int[][] adj, int entry, int maxDegree) {
        int n = adj.length;
        int added = 0;
        while (true) {
            boolean[] seen = reach(adj, entry);
            int before = added;
            for (int u = 0; u < n; u++) {
                if (seen[u]) continue;
                int from = -1;
                for (int v : adj[u]) {
                    if (seen[v] && adj[v].length < maxDegree) {
                        from = v;
                        break;
                    }
                }
                if (from < 0 && adj[entry].length < maxDegree) from = entry;
                if (from < 0) continue; // next pass: u may become reachable through nodes linked in this one
                adj[from] = Arrays.copyOf(adj[from], adj[from].length + 1);
                adj[from][adj[from].length - 1] = u;
                added++;
                seen[u] = true; // one in-link is enough; its own out-links then reach its neighbours
            }
            if (added == before) return added;
        }
    }

    private static boolean[] reach(int[][] adj, int entry) {
        boolean[] seen = new boolean[adj.length];
        int[] queue = new int[adj.length];
        int head = 0;
        int tail = 0;
        queue[tail++] = entry;
        seen[entry] = true;
        while (head < tail) {
            for (int y : adj[queue[head++]]) {
                if (!seen[y]) {
                    seen[y] = true;
                    queue[tail++] = y;
                }
            }
        }
        return seen;
    }

    /** Writes the index (the caller makes it atomic). */
    public void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(numItems);
            out.writeInt(dim);
            out.writeInt(params.m());
            out.writeInt(params.efConstruction());
            out.writeInt(params.efSearch());
            out.writeLong(params.seed());
            out.writeUTF(weightsSha256 == null ? "" : weightsSha256);
            out.writeInt(upNodes.length + 1);
            out.writeInt(entryNode);
            writeInts(out, off0);
            writeInts(out, nbr0);
            for (int l = 0; l < upNodes.length; l++) {
                out.writeInt(upNodes[l].length);
                writeInts(out, upNodes[l]);
                writeInts(out, upOff[l]);
                writeInts(out, upNbr[l]);
            }
        }
    }

    private static void writeInts(DataOutputStream out, int[] a) throws IOException {
        out.writeInt(a.length);
        for (int v : a) out.writeInt(v);
    }

    /**
     * Reads and checks an index file for a model of {@code numItems} items of size {@code dim}: every count, offset
     * and node id is bounds-checked before use, so a damaged file fails here with its name, never in a search.
     */
    public static AnnIndex read(Path file, int numItems, int dim) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) throw bad(file, "not an EIMF HNSW index (bad magic)");
            int version = in.readInt();
            if (version != VERSION) throw bad(file, "index version " + version + " (this EIMF reads " + VERSION + ")");
            int n = in.readInt();
            int d = in.readInt();
            if (n != numItems || d != dim) {
                throw bad(file, "index is for " + n + " items x d=" + d + ", the model has " + numItems + " x d=" + dim);
            }
            Params params;
            try {
                params = new Params(in.readInt(), in.readInt(), in.readInt(), in.readLong());
            } catch (IllegalArgumentException e) {
                throw bad(file, e.getMessage());
            }
            String sha = in.readUTF();
            int levels = in.readInt();
            if (levels < 1 || levels > 64) throw bad(file, "implausible level count " + levels);
            int entry = in.readInt();
            int[] off0 = readInts(in, file, n + 1, n + 1);
            int[] nbr0 = readInts(in, file, 0, (long) n * 2 * params.m() + (long) n);
            checkAdjacency(file, 0, off0, nbr0, n, 2 * params.m() + MAX_EXTRA_LINKS);
            int[][] upNodes = new int[levels - 1][];
            int[][] upOff = new int[levels - 1][];
            int[][] upNbr = new int[levels - 1][];
            for (int l = 1; l < levels; l++) {
                int count = in.readInt();
                if (count < 1 || count > n) throw bad(file, "level " + l + " has " + count + " nodes");
                int[] nodes = readInts(in, file, count, count);
                for (int j = 0; j < count; j++) {
                    if (nodes[j] < 0 || nodes[j] >= n || (j > 0 && nodes[j] <= nodes[j - 1])) {
                        throw bad(file, "level " + l + " node list is not sorted ids in 0.." + (n - 1));
                    }
                }
                int[] off = readInts(in, file, count + 1, count + 1);
                int[] nbr = readInts(in, file, 0, (long) count * params.m());
                checkAdjacency(file, l, off, nbr, n, params.m());
                for (int x : nbr) {
                    if (Arrays.binarySearch(nodes, x) < 0) throw bad(file, "level " + l + " links to node " + x + " not on it");
                }
                upNodes[l - 1] = nodes;
                upOff[l - 1] = off;
                upNbr[l - 1] = nbr;
            }
            int[] top = levels == 1 ? null : upNodes[levels - 2];
            if (entry < 0 || entry >= n || (top != null && Arrays.binarySearch(top, entry) < 0)) {
                throw bad(file, "entry node " + entry + " is not on the top level");
            }
            if (in.read() != -1) throw bad(file, "trailing bytes after the graph");
            return new AnnIndex(n, dim, params, sha.isEmpty() ? null : sha, entry, off0, nbr0, upNodes, upOff, upNbr);
        } catch (EOFException e) {
            throw bad(file, "truncated");
        }
    }

    private static int[] readInts(DataInputStream in, Path file, long min, long max) throws IOException {
        int len = in.readInt();
        if (len < min || len > max) throw bad(file, "array of " + len + " ints where " + min + ".." + max + " fit");
        long room = Files.size(file);
        if (4L * len > room) throw bad(file, "truncated (array of " + len + " ints)");
        int[] a = new int[len];
        for (int i = 0; i < len; i++) a[i] = in.readInt();
        return a;
    }

    private static void checkAdjacency(Path file, int level, int[] off, int[] nbr, int n, int maxDegree)
            throws ModelFormatException {
        if (off[0] != 0 || off[off.length - 1] != nbr.length) throw bad(file, "level " + level + " offsets do not span its links");
        for (int i = 1; i < off.length; i++) {
            int deg = off[i] - off[i - 1];
            if (deg < 0 || deg > maxDegree) throw bad(file, "level " + level + " node degree " + deg + " outside 0.." + maxDegree);
        }
        for (int x : nbr) if (x < 0 || x >= n) throw bad(file, "level " + level + " links to node " + x + " outside 0.." + (n - 1));
    }

    private static ModelFormatException bad(Path file, String what) {
        return new ModelFormatException(file + ": " + what);
    }

    /**
     * Appends the distinct candidates (item ids 1..numItems) of each of the K interests to {@code out}; {@code seen}
     * (numItems+1 stamps, per thread) with {@code stamp} removes duplicates across interests.
     *
     * @return the new length of {@code out}
     */
    int candidates(float[] interests, int k, int[] out, int[] seen, int stamp) throws IOException {
        int ef = Math.min(params.efSearch(), numItems);
        int len = 0;
        float[] q = new float[dim];
        Cursor cursor = new Cursor();
        HnswGraphSearcher searcher = new HnswGraphSearcher(new NeighborQueue(ef, true), new SparseFixedBitSet(numItems));
        for (int kk = 0; kk < k; kk++) {
            System.arraycopy(interests, kk * dim, q, 0, dim);
            Scorer scorer = new Scorer(items, dim, numItems, q);
            HnswGraphBuilder.GraphBuilderKnnCollector c = searcher.searchLevel(scorer, ef, 0, entryPoints(scorer), cursor);
            while (c.size() > 0) {
                int item = c.popNode() + 1;
                if (seen[item] != stamp) {
                    seen[item] = stamp;
                    out[len++] = item;
                }
            }
        }
        return len;
    }

    /**
     * Items no search can reach: not linked from the entry node through level 0 (HNSW's neighbour pruning can leave
     * a node without in-links). Reported by {@code eimf index build} and the bench; such items are found only by
     * the exact path.
     */
    public int unreachable() {
        boolean[] seen = new boolean[numItems];
        int[] queue = new int[numItems];
        int head = 0;
        int tail = 0;
        queue[tail++] = entryNode;
        seen[entryNode] = true;
        while (head < tail) {
            int x = queue[head++];
            for (int j = off0[x]; j < off0[x + 1]; j++) {
                int y = nbr0[j];
                if (!seen[y]) {
                    seen[y] = true;
                    queue[tail++] = y;
                }
            }
        }
        return numItems - tail;
    }

    /**
     * Where the level-0 beam search starts: the best {@value #ENTRY_POINTS} nodes of the router level (the highest
     * level with at least {@value #ROUTER_NODES} nodes, or level 0 when none has), every node of it scored. A single
     * greedy descent from the top, HNSW's usual start, ends in one cluster; an interest that mixes clusters (users
     * reading several topics) then misses the others (measured: recall@50 0.80 at 20,000 clustered items).
     */
    private int[] entryPoints(Scorer scorer) {
        int[] nodes = routerNodes;
        NeighborQueue best = new NeighborQueue(ENTRY_POINTS, false);
        for (int i = 0, size = nodes == null ? numItems : nodes.length; i < size; i++) {
            int node = nodes == null ? i : nodes[i];
            best.insertWithOverflow(node, scorer.score(node));
        }
        int[] eps = new int[best.size()];
        for (int i = eps.length - 1; i >= 0; i--) eps[i] = best.pop();
        return eps;
    }

    /** Most candidates {@link #candidates} can return for K interests. */
    int maxCandidates(int k) {
        return Math.min(numItems, k * Math.min(params.efSearch(), numItems));
    }

    /** A read cursor over the stored graph (Lucene's search seeks and iterates, so each search takes its own). */
    private final class Cursor extends HnswGraph {
        private int[] nbr;
        private int pos;
        private int end;

        @Override
        public void seek(int level, int target) {
            if (level == 0) {
                nbr = nbr0;
                pos = off0[target];
                end = off0[target + 1];
            } else {
                int j = Arrays.binarySearch(upNodes[level - 1], target);
                nbr = upNbr[level - 1];
                pos = upOff[level - 1][j];
                end = upOff[level - 1][j + 1];
            }
        }

        @Override
        public int size() {
            return numItems;
        }

        @Override
        public int nextNeighbor() {
            return pos < end ? nbr[pos++] : DocIdSetIterator.NO_MORE_DOCS;
        }

        @Override
        public int numLevels() {
            return upNodes.length + 1;
        }

        @Override
        public int entryNode() {
            return entryNode;
        }

        @Override
        public NodesIterator getNodesOnLevel(int level) {
            return level == 0 ? new ArrayNodesIterator(numItems) : new ArrayNodesIterator(upNodes[level - 1], upNodes[level - 1].length);
        }
    }

    /** Inner product of a query with node i (item i+1), mapped to Lucene's positive MIP score (order-preserving). */
    private static final class Scorer implements RandomVectorScorer {
        private final float[] table;
        private final int dim;
        private final int n;
        private final float[] q;

        Scorer(float[] table, int dim, int n, float[] q) {
            this.table = table;
            this.dim = dim;
            this.n = n;
            this.q = q;
        }

        @Override
        public float score(int node) {
            return VectorUtil.scaleMaxInnerProductScore(dot(q, table, (node + 1) * dim, dim));
        }

        @Override
        public int maxOrd() {
            return n;
        }
    }

    /** Graph construction: scores every node against one node's vector, both with their extra coordinate. */
    private record Supplier(float[] table, float[] extra, int dim, int n) implements RandomVectorScorerSupplier {
        @Override
        public RandomVectorScorer scorer(int ord) {
            float[] q = Arrays.copyOfRange(table, (ord + 1) * dim, (ord + 2) * dim);
            float e = extra[ord];
            return new RandomVectorScorer() {
                @Override
                public float score(int node) {
                    return VectorUtil.scaleMaxInnerProductScore(dot(q, table, (node + 1) * dim, dim) + e * extra[node]);
                }

                @Override
                public int maxOrd() {
                    return n;
                }
            };
        }

        @Override
        public RandomVectorScorerSupplier copy() {
            return this;
        }
    }

    /** Four partial sums: only the graph walk uses this; final scores come from the exact re-ranking. */
    static float dot(float[] q, float[] t, int off, int dim) {
        return dot(q, t, 0, off, dim);
    }

    private static float dot(float[] q, float[] t, int qoff, int off, int dim) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < dim; i += 4) {
            s0 += q[qoff + i] * t[off + i];
            s1 += q[qoff + i + 1] * t[off + i + 1];
            s2 += q[qoff + i + 2] * t[off + i + 2];
            s3 += q[qoff + i + 3] * t[off + i + 3];
        }
        for (; i < dim; i++) s0 += q[qoff + i] * t[off + i];
        return (s0 + s1) + (s2 + s3);
    }
}
