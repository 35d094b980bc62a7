package io.eimf.llm.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.json.Json;
import io.eimf.core.testing.SharedFiles;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.prompt.AnswerValidator;
import io.eimf.llm.prompt.InterestPrompt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Loads the tiny random-weight GGUF from ../shared through llama.cpp's native library (shipped in the
 * de.kherud:llama jar) and checks that grammar-constrained decoding yields JSON of the answer schema. The weights are
 * random, so the words are noise: the point is that the grammar alone forces a well-formed answer.
 */
class GgufProviderTest {
    @Test
    void grammarConstrainedGenerationGivesSchemaValidJson() throws Exception {
        Path model = SharedFiles.tinyGguf().orElse(null);
        Assumptions.assumeTrue(model != null, "../shared/models/llama-2-tiny-random.gguf is absent");
        List<InterestItem> items = new ArrayList<>();
        for (int i = 1; i <= 5; i++) items.add(InterestItem.of("m" + i, (i % 2 == 0 ? "Jazz Nights " : "Space Quest ") + i));
        InterestRequest req = new InterestRequest("u", items, 2, 3);
        try (GgufProvider p = new GgufProvider(model, 2048, 2, 0, 0.7, 400, 7, 60_000)) {
            assertEquals("gguf", p.name());
            assertTrue(p.model().startsWith("llama-2-tiny-random.gguf@sha256:") && p.model().length() > 80, p.model());
            ChatResult r = p.chat(InterestPrompt.build(req));
            JsonNode root = Json.mapper().readTree(r.text());
            JsonNode interests = root.get("interests");
            assertTrue(interests.isArray(), r.text());
            assertTrue(interests.size() >= 2 && interests.size() <= 3, r.text());
            for (JsonNode i : interests) {
                assertTrue(i.get("name").isTextual() && i.get("description").isTextual(), r.text());
                assertTrue(i.get("name").asText().length() <= InterestPrompt.MAX_NAME_CHARS, r.text());
                for (JsonNode e : i.get("evidence")) {
                    assertTrue(e.isIntegralNumber() && e.asInt() >= 1 && e.asInt() <= 5, r.text());
                }
            }
            assertTrue(r.tokens().completionTokens() > 0 && r.tokens().promptTokens() > 0);
            // Random weights give random words: names may be blank or repeat, which the validator catches.
            AnswerValidator.Result v = AnswerValidator.validate(r.text(), req);
            assertTrue(v.valid() || v.problems().stream().noneMatch(s -> s.contains("not one JSON object")),
                    v.problems().toString());
        }
    }
}
