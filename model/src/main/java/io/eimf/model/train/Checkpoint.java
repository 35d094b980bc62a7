package io.eimf.model.train;

import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.Param;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
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
 * moments, auxiliary objectives' included) and {@code best.bin} (the best weights so far).
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
        });
    }

    static State read(Path dir, List<Param> params, IbimModel model, List<AuxiliaryObjective> aux) throws IOException {
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
        Path pf = dir.resolve("params.bin");
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(pf)))) {
            if (in.readInt() != MAGIC) throw new IOException(pf + ": not an EIMF checkpoint");
            int n = in.readInt();
            if (n != params.size()) throw new IOException(pf + ": " + n + " parameters, expected " + params.size());
            for (Param p : params) {
                String name = in.readUTF();
                if (!name.equals(p.name())) throw new IOException(pf + ": expected " + p.name() + ", found " + name);
                p.value().assign(Nd4j.read(in));
                boolean trainable = in.readBoolean();
                if (trainable != p.trainable()) throw new IOException(pf + ": " + name + " trainable flag differs");
                if (trainable) {
                    p.m().assign(Nd4j.read(in));
                    p.v().assign(Nd4j.read(in));
                }
            }
        }
        Map<String, INDArray> best = null;
        Path bf = dir.resolve("best.bin");
        if (Files.exists(bf)) {
            best = new LinkedHashMap<>();
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(bf)))) {
                if (in.readInt() != MAGIC) throw new IOException(bf + ": not an EIMF checkpoint");
                int n = in.readInt();
                for (int i = 0; i < n; i++) best.put(in.readUTF(), Nd4j.read(in));
            }
        }
        double bestValue = node.get("bestValue") == null || node.get("bestValue").isNull()
                ? Double.NEGATIVE_INFINITY : node.get("bestValue").asDouble();
        return new State(node.get("step").asLong(), node.get("rngState").asLong(), node.get("adamSteps").asLong(),
                bestValue, node.get("bestStep").asLong(), node.get("evalsSinceBest").asInt(), vals, best);
    }
}
