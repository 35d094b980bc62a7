package io.eimf.llm.provider;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import de.kherud.llama.args.LogFormat;
import io.eimf.core.cli.EimfException;
import io.eimf.core.io.ContentHash;
import io.eimf.llm.api.TokenUsage;
import io.eimf.llm.prompt.ChatPrompt;
import io.eimf.llm.prompt.ChatTurn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In-process llama.cpp through {@code de.kherud:llama}, for users who have a GGUF model file. Decoding is
 * constrained by a grammar compiled from the prompt's JSON schema, so the answer is always syntactically valid JSON
 * of the right shape (the validator still checks counts and evidence). One generation at a time per model.
 *
 * <p>The model name is the file name plus the file's SHA-256, so replacing the file changes every cache key.
 */
public final class GgufProvider implements ChatProvider {
    static {
        // de.kherud:llama extracts its native library to java.io.tmpdir/libjllama.so, overwriting the file another
        // JVM may have mapped; a private directory per process avoids crashing a neighbour.
        if (System.getProperty("de.kherud.llama.tmpdir") == null) {
            try {
                Path dir = Files.createTempDirectory("eimf-jllama-");
                dir.toFile().deleteOnExit();
                System.setProperty("de.kherud.llama.tmpdir", dir.toString());
            } catch (IOException e) {
                // Fall back to the library's default location.
            }
        }
    }

    private final LlamaModel llama;
    private final String model;
    private final Map<String, Object> parameters;
    private final float temperature;
    private final int nPredict;
    private final int seed;
    private final long timeoutMs;

    /**
     * @param file the .gguf model
     * @param context context size in tokens
     * @param threads CPU threads (0: all cores)
     * @param gpuLayers layers to offload to a GPU (0: CPU only)
     * @param temperature sampling temperature
     * @param nPredict most tokens to generate
     * @param seed sampling seed
     * @param timeoutMs a generation running longer is cancelled and reported as a timeout
     */
    public GgufProvider(Path file, int context, int threads, int gpuLayers, double temperature, int nPredict,
                        int seed, long timeoutMs) {
        if (!Files.isRegularFile(file)) throw new EimfException(file + ": no such GGUF model file");
        String sha;
        try {
            sha = ContentHash.ofFile(file);
        } catch (IOException e) {
            throw new EimfException(file + ": cannot read: " + e.getMessage(), e);
        }
        this.model = file.getFileName() + "@sha256:" + sha;
        this.temperature = (float) temperature;
        this.nPredict = nPredict;
        this.seed = seed;
        this.timeoutMs = timeoutMs;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("temperature", temperature);
        p.put("maxTokens", nPredict);
        p.put("seed", seed);
        p.put("grammar", "json-schema");
        this.parameters = Map.copyOf(p);
        // llama.cpp logs every load and generation to stderr; keep only what our own code reports.
        LlamaModel.setLogger(LogFormat.TEXT, (level, msg) -> {});
        ModelParameters mp = new ModelParameters().setModel(file.toString()).setCtxSize(context)
                .setGpuLayers(gpuLayers).setParallel(1);
        if (threads > 0) mp.setThreads(threads);
        try {
            this.llama = new LlamaModel(mp);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new EimfException(file + ": llama.cpp could not load the model: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "gguf";
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public Map<String, Object> parameters() {
        return parameters;
    }

    @Override
    public synchronized ChatResult chat(ChatPrompt prompt) throws ProviderException {
        // de.kherud:llama takes (role, content) pairs and applies the model's own chat template.
        List<Pair<String, String>> messages = new ArrayList<>();
        for (ChatTurn t : prompt.turns()) messages.add(new Pair<>(t.role(), t.text()));
        String grammar;
        try {
            grammar = LlamaModel.jsonSchemaToGrammar(prompt.jsonSchema());
        } catch (RuntimeException e) {
            throw new ProviderException(ProviderException.Kind.OTHER, 0,
                    "gguf: cannot compile the answer schema to a grammar: " + e.getMessage(), e);
        }
        InferenceParameters ip = new InferenceParameters("")
                .setMessages(prompt.system(), messages)
                .setUseChatTemplate(true)
                .setGrammar(grammar)
                .setNPredict(nPredict)
                .setTemperature(temperature)
                .setSeed(seed);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        StringBuilder out = new StringBuilder();
        long generated = 0;
        try {
            LlamaIterator it = llama.generate(ip).iterator();
            while (it.hasNext()) {
                LlamaOutput o = it.next();
                out.append(o.text);
                generated++;
                if (System.nanoTime() > deadline) {
                    it.cancel();
                    throw new ProviderException(ProviderException.Kind.TIMEOUT, 0,
                            "gguf: generation exceeded " + timeoutMs + " ms", null);
                }
            }
        } catch (RuntimeException e) {
            throw new ProviderException(ProviderException.Kind.OTHER, 0, "gguf: generation failed: "
                    + e.getMessage(), e);
        }
        long promptTokens = llama.encode(llama.applyTemplate(ip)).length;
        return new ChatResult(out.toString(), new TokenUsage(promptTokens, generated));
    }

    @Override
    public synchronized void close() {
        llama.close();
    }
}
