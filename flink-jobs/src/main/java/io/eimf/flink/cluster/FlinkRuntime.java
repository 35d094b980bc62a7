package io.eimf.flink.cluster;

import java.net.URI;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Gives the k-means driver a fresh batch environment per job. By default one embedded mini-cluster is started once
 * and every job is submitted to it, because k-means runs one bounded job per Lloyd iteration and starting a
 * mini-cluster per job costs more than a small iteration (measured in docs/BENCHMARKS.md). {@link #perJob} starts a
 * local environment for every job instead.
 */
public final class FlinkRuntime implements AutoCloseable {
    private final int parallelism;
    private final MiniCluster cluster;
    private final URI rest;

    private FlinkRuntime(int parallelism, MiniCluster cluster, URI rest) {
        this.parallelism = parallelism;
        this.cluster = cluster;
        this.rest = rest;
    }

    /** Starts an embedded mini-cluster with {@code parallelism} slots that every job is submitted to. */
    public static FlinkRuntime shared(int parallelism) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        MiniCluster mc = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism).build());
        mc.start();
        return new FlinkRuntime(parallelism, mc, mc.getRestAddress().get());
    }

    /** A new local (embedded) environment for every job. */
    public static FlinkRuntime perJob(int parallelism) {
        return new FlinkRuntime(parallelism, null, null);
    }

    public int parallelism() {
        return parallelism;
    }

    /** A fresh environment in BATCH mode with this runtime's parallelism. */
    public StreamExecutionEnvironment env() {
        StreamExecutionEnvironment env;
        if (cluster != null) {
            Configuration conf = new Configuration();
            conf.set(DeploymentOptions.TARGET, "remote");
            conf.set(RestOptions.ADDRESS, rest.getHost());
            conf.set(RestOptions.PORT, rest.getPort());
            // The constructor, not getExecutionEnvironment(conf): the latter falls back to a local environment.
            env = new StreamExecutionEnvironment(conf, FlinkRuntime.class.getClassLoader());
        } else {
            env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
        }
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(parallelism);
        return env;
    }

    @Override
    public void close() throws Exception {
        if (cluster != null) cluster.close();
    }
}
