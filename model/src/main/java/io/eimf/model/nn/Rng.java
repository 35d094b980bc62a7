package io.eimf.model.nn;

/**
 * SplitMix64: a tiny seeded generator whose whole state is one long, so a checkpoint can store it and a resumed run
 * draws exactly the same numbers as an uninterrupted one (java.util.Random cannot be read back this simply).
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** The state to store in a checkpoint. */
    public long state() {
        return state;
    }

    /** Restores a state read from a checkpoint. */
    public void setState(long s) {
        this.state = s;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        long r = (nextLong() >>> 1) % bound;
        return (int) r;
    }

    /** Uniform in [0, bound) (the modulo bias is below 2^-40 for bounds under 2^23). */
    public long nextLong(long bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        return (nextLong() >>> 1) % bound;
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Box-Muller; one value per call keeps the state simple). */
    public double nextGaussian() {
        double u1 = Math.max(nextDouble(), 1e-300);
        double u2 = nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** A derived generator for an independent stream (e.g. initialisation vs sampling). */
    public Rng fork(long salt) {
        return new Rng(new Rng(state ^ (salt * 0xD1B54A32D192ED03L)).nextLong());
    }
}
