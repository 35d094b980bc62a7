package io.eimf.llm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmServiceConfigTest {
    @TempDir
    Path tmp;

    @Test
    void fileThenEnvironmentOverrideTheDefaults() throws Exception {
        Path f = tmp.resolve("llm.json");
        Files.writeString(f, "{\"provider\":\"ollama\",\"baseUrl\":\"http://127.0.0.1:11434\",\"model\":\"llama3\","
                + "\"maxConcurrentCalls\":2}");
        LlmServiceConfig c = LlmServiceConfig.load(f).withEnvironment(Map.of("EIMF_LLM_MODEL", "qwen2.5:7b",
                "EIMF_LLM_SERVICE_TOKEN", "t0123456789abcdef"));
        assertEquals("ollama", c.provider());
        assertEquals("qwen2.5:7b", c.model());
        assertEquals(2, c.maxConcurrentCalls());
        assertEquals("t0123456789abcdef", c.token());
        assertEquals("127.0.0.1", c.host(), "loopback unless told otherwise");
        assertEquals(LlmServiceConfig.defaults().maxRetries(), c.maxRetries());
    }

    @Test
    void toStringMasksSecrets() {
        String s = LlmServiceConfig.defaults().with("apiKey", "sk-123").with("token", "tok-456-0123456789")
                .with("cache", "jdbc:postgresql://db/eimf?password=pw-789").with("cachePassword", "pw-000").toString();
        assertTrue(s.contains("\"apiKey\":\"***\"") && s.contains("jdbc:postgresql://db/eimf"), s);
        for (String secret : new String[] {"sk-123", "tok-456-0123456789", "pw-789", "pw-000"}) assertTrue(!s.contains(secret), s);
    }

    @Test
    void emptyOrShortTokensAreRefusedInsteadOfTurningAuthenticationOff() throws Exception {
        Path f = tmp.resolve("token.json");
        Files.writeString(f, "{\"token\":\"\"}");
        EimfException e = assertThrows(EimfException.class, () -> LlmServiceConfig.load(f));
        assertTrue(e.getMessage().contains("token.json") && e.getMessage().contains("the token is empty"),
                e.getMessage());
        e = assertThrows(EimfException.class, () -> LlmServiceConfig.defaults().with("token", "s3cret"));
        assertTrue(e.getMessage().contains("6 characters") && !e.getMessage().contains("s3cret"), e.getMessage());
        assertThrows(EimfException.class,
                () -> LlmServiceConfig.defaults().withEnvironment(Map.of("EIMF_LLM_SERVICE_TOKEN", "")));
        assertEquals(null, LlmServiceConfig.defaults().withEnvironment(Map.of("EIMF_LLM_MODEL", "")).token());
    }

    @Test
    void unknownOrInvalidSettingsAreErrorsNamingThem() throws Exception {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"modle\":\"x\"}");
        EimfException e = assertThrows(EimfException.class, () -> LlmServiceConfig.load(f));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("modle"), e.getMessage());
        Files.writeString(f, "{\"provider\":\"gpt\"}");
        e = assertThrows(EimfException.class, () -> LlmServiceConfig.load(f));
        assertTrue(e.getMessage().contains("provider must be metadata, openai, ollama or gguf"), e.getMessage());
        e = assertThrows(EimfException.class, () -> LlmServiceConfig.defaults().with("apiKey", "k").with("port", "x"));
        assertTrue(e.getMessage().contains("port"), e.getMessage());
        e = assertThrows(EimfException.class, () -> LlmServiceConfig.defaults().with("maxRetries", "-1"));
        assertTrue(e.getMessage().contains("maxRetries"), e.getMessage());
    }
}
