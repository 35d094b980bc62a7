package io.eimf.flink.cluster;

/**
 * One user's profile vector (a Flink POJO: public fields, no-arg constructor).
 */
public class Profile {
    /** Dense user id of the prepared dataset (or the synthetic user's index). */
    public int user;
    /** Prompt-visible interactions the profile was built from. */
    public int interactions;
    /** The feature vector. */
    public float[] vector;

    public Profile() {}

    public Profile(int user, int interactions, float[] vector) {
        this.user = user;
        this.interactions = interactions;
        this.vector = vector;
    }
}
