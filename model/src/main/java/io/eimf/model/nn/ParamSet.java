package io.eimf.model.nn;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Named parameters in a fixed order, with binary save/load of values and optimizer state. */
public final class ParamSet {
    private static final int MAGIC = 0x45494D46; // "EIMF"
    private final Map<String, Param> params = new LinkedHashMap<>();

    /** Adds a parameter; names must be unique. */
    public Param add(Param p) {
        if (params.putIfAbsent(p.name(), p) != null) throw new IllegalArgumentException("duplicate parameter " + p.name());
        return p;
    }

    /** Adds every parameter of {@code other}. */
    public ParamSet addAll(ParamSet other) {
        other.all().forEach(this::add);
        return this;
    }

    public Param get(String name) {
        Param p = params.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter " + name);
        return p;
    }

    public Collection<Param> all() {
        return Collections.unmodifiableCollection(params.values());
    }

    /** Total number of scalar values. */
    public long size() {
        return params.values().stream().mapToLong(p -> p.value().length()).sum();
    }

    /** Zeroes every gradient accumulator. */
    public void zeroGrads() {
        for (Param p : params.values()) if (p.trainable()) p.grad().assign(0);
    }

    /** Copies of the values (for keeping the best weights). */
    public Map<String, INDArray> snapshot() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (Param p : params.values()) out.put(p.name(), p.value().dup());
        }
        return out;
    }

    /** Restores values taken by {@link #snapshot()}. */
    public void restore(Map<String, INDArray> values) {
        for (Param p : params.values()) {
            INDArray v = values.get(p.name());
            if (v == null) throw new IllegalArgumentException("snapshot lacks parameter " + p.name());
            p.value().assign(v);
        }
    }

    /** Writes values (and, with {@code withState}, Adam moments) in order. */
    public void write(DataOutputStream out, boolean withState) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(params.size());
        out.writeBoolean(withState);
        for (Param p : params.values()) {
            out.writeUTF(p.name());
            Nd4j.write(p.value(), out);
            if (withState && p.trainable()) {
                Nd4j.write(p.m(), out);
                Nd4j.write(p.v(), out);
            }
        }
    }

    /**
     * Reads what {@link #write} wrote into these parameters; names and shapes must match, and no array is
     * allocated before its header was checked against the model and the bytes left in the file.
     */
    public void read(ArrayFile in) throws IOException {
        String source = in.file().toString();
        if (in.readIntOf("the header") != MAGIC) throw new ModelFormatException(source + ": not an EIMF parameter file");
        int n = in.readIntOf("the header");
        boolean withState = in.readFlagOf("the header");
        if (n != params.size()) {
            throw new ModelFormatException(source + ": holds " + n + " parameters, the model has " + params.size());
        }
        for (Param p : new ArrayList<>(params.values())) {
            String name = in.readNameOf("the name of parameter " + p.name());
            if (!name.equals(p.name())) {
                throw new ModelFormatException(source + ": expected parameter " + p.name() + ", found " + name);
            }
            assign(p.value(), in.readArray(p.value().shape(), name), source, name);
            if (withState && p.trainable()) {
                assign(p.m(), in.readArray(p.m().shape(), name + ".m"), source, name + ".m");
                assign(p.v(), in.readArray(p.v().shape(), name + ".v"), source, name + ".v");
            }
        }
        in.requireEnd();
    }

    private static void assign(INDArray target, INDArray read, String source, String name) throws IOException {
        if (!Arrays.equals(target.shape(), read.shape())) {
            throw new ModelFormatException(source + ": parameter " + name + " has shape " + Arrays.toString(read.shape())
                    + ", the model expects " + Arrays.toString(target.shape()));
        }
        target.assign(read.castTo(target.dataType()));
    }
}
