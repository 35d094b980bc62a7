package io.eimf.flink.cluster;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * One Lloyd assignment step as a chained operator: adds each profile to its nearest centroid's fixed-point sums and
 * emits the subtask's {@link PartialSums} at the end of its bounded input. A plain operator rather than
 * {@code fullWindowPartition().mapPartition(...)}, whose iterator hands every record to a second thread (measured:
 * that hand-off cost more than the distance computations; see docs/BENCHMARKS.md).
 */
final class PartitionSums extends AbstractStreamOperator<PartialSums>
        implements OneInputStreamOperator<Profile, PartialSums>, BoundedOneInput {
    private final float[][] centroids;
    private final boolean countOnly;
    private transient PartialSums acc;
    private transient double[] dist;

    /** @param countOnly only count the profiles (the generation-cost baseline of the benchmark) */
    PartitionSums(float[][] centroids, boolean countOnly) {
        this.centroids = centroids;
        this.countOnly = countOnly;
    }

    @Override
    public void open() throws Exception {
        super.open();
        acc = new PartialSums(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), centroids.length,
                centroids[0].length);
        dist = new double[1];
    }

    @Override
    public void processElement(StreamRecord<Profile> record) {
        Profile p = record.getValue();
        int d = centroids[0].length;
        if (p.vector.length != d) {
            throw new IllegalStateException("user " + p.user + ": profile has " + p.vector.length
                    + " values, centroids have " + d);
        }
        if (countOnly) {
            acc.counts[0]++;
            return;
        }
        int c = VectorMath.nearest(centroids, p.vector, dist);
        acc.counts[c]++;
        acc.inertia = Math.addExact(acc.inertia, Math.round(dist[0] * VectorMath.INERTIA_SCALE));
        int base = c * d;
        long[] sums = acc.sums;
        for (int i = 0; i < d; i++) sums[base + i] = Math.addExact(sums[base + i], VectorMath.fixed(p.vector[i], p.user));
    }

    @Override
    public void endInput() {
        output.collect(new StreamRecord<>(acc));
    }
}
