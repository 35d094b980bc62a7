package io.eimf.flink.cluster;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where a k-means pass reads its profiles from. Each Lloyd iteration is its own bounded job, so a source must give
 * the same profiles every time it is built.
 */
public interface ProfileSource {
    /** Adds the profile stream to {@code env}. */
    DataStream<Profile> build(StreamExecutionEnvironment env);

    /** Number of profiles. */
    long size();

    /** Length of every profile vector. */
    int dimension();
}
