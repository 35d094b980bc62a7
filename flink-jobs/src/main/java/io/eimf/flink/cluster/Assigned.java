package io.eimf.flink.cluster;

/** A user's nearest centroid, as the final assignment pass emits it (a Flink POJO). */
public class Assigned {
    public int user;
    public int cluster;
    public double distance;
    public int interactions;

    public Assigned() {}

    public Assigned(int user, int cluster, double distance, int interactions) {
        this.user = user;
        this.cluster = cluster;
        this.distance = distance;
        this.interactions = interactions;
    }
}
