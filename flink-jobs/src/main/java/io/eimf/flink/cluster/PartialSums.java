package io.eimf.flink.cluster;

/**
 * What one subtask of a Lloyd pass sends back: per-cluster coordinate sums and counts of the points it assigned,
 * and their summed squared distances (a Flink POJO; flattened arrays keep serialisation cheap). Sums are fixed
 * point so that adding them is exact and the result cannot depend on which subtask read which records.
 */
public class PartialSums {
    public int subtask;
    /** k x d coordinate sums, row-major, in fixed point ({@link VectorMath#SUM_SCALE}). */
    public long[] sums;
    public long[] counts;
    /** Sum of squared distances in fixed point ({@link VectorMath#INERTIA_SCALE}). */
    public long inertia;

    public PartialSums() {}

    PartialSums(int subtask, int k, int d) {
        this.subtask = subtask;
        this.sums = new long[k * d];
        this.counts = new long[k];
    }
}
