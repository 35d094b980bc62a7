/** The cluster job: user profiles, k-means++/Lloyd as bounded Flink passes and typical samples per centroid. */
package io.eimf.flink.cluster;
