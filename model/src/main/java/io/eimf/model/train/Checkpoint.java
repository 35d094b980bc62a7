package io.eimf.model.train;

import io.eimf.core.io.AtomicOutput;
import io.eimf.core.io.FileManifest;
import io.eimf.core.json.Json;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.ArrayFile;
import io.eimf.model.nn.ModelFormatException;
import io.eimf.model.nn.Param;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training checkpoint directory, replaced atomically: {@code state.json} (step, RNG state, Adam step count,
 * early-stopping state, validation history, model config), {@code params.bin} (every parameter with its Adam
 * moments, auxiliary objectives' included), {@code best.bin} (the best weights so far) and {@code files.json}
 * (SHA-256 and size of the others, checked before anything is read).
 */
public final class Checkpoint {
    static final int MAGIC = 0x45434b50; // "ECKP"

    private Checkpoint() {}

    /** The scalar part of the training state. */
    public record State(long step, long rngState, long adamSteps, double bestValue, long bestStep, int evalsSinceBest,
                        List<TrainResult.Validation> validations, Map<String, INDArray> bestWeights) {}

    record StateJson(int version, Object config, long step, long rngState, long adamSteps, Double bestValue,
                     long bestStep, int evalsSinceBest, List<TrainResult.Validation> validations,
                     List<String> auxiliaries) {}

    static void write(Path dir, State s, List<Param> params, IbimModel model, List<AuxiliaryObjective> aux,
                      Map<String, String> runIdentity) throws IOException {
        AtomicOutput.directory(dir, true, tmp -> {
            if (runIdentity != null) ResumeCheck.write(tmp, runIdentity);
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(tmp.resolve("params.bin"))))) {
                out.writeInt(MAGIC);
                out.writeInt(params.size());
                for (Param p : params) {
                    out.writeUTF(p.name());
                    Nd4j.write(p.value(), out);
                    out.writeBoolean(p.trainable());
                    if (p.trainable()) {
                        Nd4j.write(p.m(), out);
                        Nd4j.write(p.v(), out);
                    }
                }
            }
            if (s.bestWeights() != null) {
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                        Files.newOutputStream(tmp.resolve("best.bin"))))) {
                    out.writeInt(MAGIC);
                    out.writeInt(s.bestWeights().size());
                    for (Map.Entry<String, INDArray> e : s.bestWeights().entrySet()) {
                        out.writeUTF(e.getKey());
                        Nd4j.write(e.getValue(), out);
                    }
                }
            }
            Files.writeString(tmp.resolve("state.json"), Json.pretty(new StateJson(1, model.config(), s.step(),
                    s.rngState(), s.adamSteps(), Double.isFinite(s.bestValue()) ? s.bestValue() : null, s.bestStep(),
                    s.evalsSinceBest(), s.validations(), aux.stream().map(AuxiliaryObjective::name).toList())));
            writeFileHashes(tmp);
        });
    }

    static State read(Path dir, List<Param> params, IbimModel model, List<AuxiliaryObjective> aux) throws IOException {
        verifyFileHashes(dir);
        Path sf = dir.resolve("state.json");
        var node = Json.mapper().readTree(sf.toFile());
        var cfg = Json.mapper().treeToValue(node.get("config"), io.eimf.model.ibim.IbimConfig.class);
        if (!cfg.equals(model.config())) {
            throw new IOException(sf + ": checkpoint is for " + cfg + ", not " + model.config()
                    + " (resume with the model options it was trained with)");
        }
        List<String> auxNames = new ArrayList<>();
        node.get("auxiliaries").forEach(n -> auxNames.add(n.asText()));
        if (!auxNames.equals(aux.stream().map(AuxiliaryObjective::name).toList())) {
            throw new IOException(sf + ": checkpoint has auxiliary objectives " + auxNames);
        }
        List<TrainResult.Validation> vals = new ArrayList<>();
        for (var v : node.get("validations")) {
            Map<String, Double> m = new LinkedHashMap<>();
            v.get("metrics").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
            vals.add(new TrainResult.Validation(v.get("step").asLong(), m));
        }
        readParams(dir.resolve("params.bin"), params);
        Map<String, INDArray> best = readBest(dir.resolve("best.bin"), params);
        double bestValue = node.get("bestValue") == null || node.get("bestValue").isNull()
                ? Double.NEGATIVE_INFINITY : node.get("bestValue").asDouble();
        return new State(node.get("step").asLong(), node.get("rngState").asLong(), node.get("adamSteps").asLong(),
                bestValue, node.get("bestStep").asLong(), node.get("evalsSinceBest").asInt(), vals, best);
    }

    // ---- file hashes and bounded reads (kept apart from the state.json fields on purpose)

    /** The checkpoint's manifest: {@code files} map of state.json, params.bin, best.bin and the run identity. */
    static final String FILES = "files.json";

    /** Writes {@value #FILES} for every other file of the checkpoint folder being written. */
    static void writeFileHashes(Path tmp) throws IOException {
        List<String> names = new ArrayList<>();
        for (String f : List.of("state.json", "params.bin", "best.bin", ResumeCheck.FILE)) if (Files.isRegularFile(tmp.resolve(f))) names.add(f);
        Files.writeString(tmp.resolve(FILES), Json.pretty(Map.of("files", FileManifest.of(tmp, names))));
    }

    /**
     * Checks the sizes, then the SHA-256, of the files {@value #FILES} lists; a checkpoint written before it existed
     * has none and is read as before (its arrays are still bounded by the file sizes).
     */
    static void verifyFileHashes(Path dir) throws IOException {
        Path f = dir.resolve(FILES);
        if (!Files.exists(f)) return;
        Map<String, FileManifest.Entry> files;
        try {
            files = FileManifest.parse(Json.mapper().readValue(f.toFile(), Map.class).get("files"))
                    .orElseThrow(() -> new IllegalArgumentException("no 'files' map"));
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelFormatException(f + ": " + e.getMessage(), e);
        }
        if (!files.containsKey("params.bin") || !files.containsKey("state.json")) {
            throw new ModelFormatException(f + ": does not list params.bin and state.json");
        }
        String problem = FileManifest.verify(dir, files);
        if (problem != null) throw new ModelFormatException(problem + " (per " + f + ")");
        if (Files.exists(dir.resolve("best.bin")) && !files.containsKey("best.bin")) {
            throw new ModelFormatException(dir.resolve("best.bin") + ": not listed in " + f);
        }
    }

    /** Reads params.bin into {@code params}; each array's header must match its parameter and fit in the file. */
    static void readParams(Path pf, List<Param> params) throws IOException {
        try (ArrayFile in = ArrayFile.open(pf)) {
            if (in.readIntOf("the header") != MAGIC) throw new ModelFormatException(pf + ": not an EIMF checkpoint");
            int n = in.readIntOf("the header");
            if (n != params.size()) throw new ModelFormatException(pf + ": " + n + " parameters, expected " + params.size());
            for (Param p : params) {
                String name = in.readNameOf("the name of " + p.name());
                if (!name.equals(p.name())) throw new ModelFormatException(pf + ": expected " + p.name() + ", found " + name);
                p.value().assign(in.readArray(p.value().shape(), name));
                boolean trainable = in.readFlagOf("the trainable flag of " + name);
                if (trainable != p.trainable()) throw new ModelFormatException(pf + ": " + name + " trainable flag differs");
                if (trainable) {
                    p.m().assign(in.readArray(p.m().shape(), name + ".m"));
                    p.v().assign(in.readArray(p.v().shape(), name + ".v"));
                }
            }
            in.requireEnd();
        }
    }

    /** Reads best.bin if present: arrays named after parameters, with their shapes. */
    static Map<String, INDArray> readBest(Path bf, List<Param> params) throws IOException {
        if (!Files.exists(bf)) return null;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Param p : params) shapes.put(p.name(), p.value().shape());
        Map<String, INDArray> best = new LinkedHashMap<>();
        try (ArrayFile in = ArrayFile.open(bf)) {
            if (in.readIntOf("the header") != MAGIC) throw new ModelFormatException(bf + ": not an EIMF checkpoint");
            int n = in.readIntOf("the header");
            if (n < 0 || n > shapes.size()) throw new ModelFormatException(bf + ": " + n + " arrays, the model has " + shapes.size());
            for (int i = 0; i < n; i++) {
                String name = in.readNameOf("array " + i);
                long[] shape = shapes.get(name);
                if (shape == null) throw new ModelFormatException(bf + ": unknown parameter " + name);
                best.put(name, in.readArray(shape, name));
            }
            in.requireEnd();
        }
        return best;
    }
}
