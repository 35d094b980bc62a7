package io.eimf.llm.provider;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.eimf.llm.api.TokenUsage;
import io.eimf.llm.prompt.ChatPrompt;
import io.eimf.llm.prompt.ChatTurn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A provider backed by a LangChain4j {@link ChatModel} (OpenAI-compatible or Ollama), built with retries off. */
public final class LangChainChatProvider implements ChatProvider {
    private final String name;
    private final String model;
    private final Map<String, Object> parameters;
    private final ChatModel chatModel;

    LangChainChatProvider(String name, String model, Map<String, Object> parameters, ChatModel chatModel) {
        this.name = name;
        this.model = model;
        this.parameters = Map.copyOf(parameters);
        this.chatModel = chatModel;
    }

    @Override
    public String name() {
        return name;
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
    public ChatResult chat(ChatPrompt prompt) throws ProviderException {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from(prompt.system()));
        for (ChatTurn t : prompt.turns()) {
            messages.add(t.role().equals("assistant") ? AiMessage.from(t.text()) : UserMessage.from(t.text()));
        }
        ChatResponse r;
        try {
            r = chatModel.chat(ChatRequest.builder().messages(messages).build());
        } catch (RuntimeException e) {
            throw ProviderException.classify(name, e);
        }
        dev.langchain4j.model.output.TokenUsage u = r.tokenUsage();
        TokenUsage tokens = u == null ? TokenUsage.NONE
                : new TokenUsage(orZero(u.inputTokenCount()), orZero(u.outputTokenCount()));
        String text = r.aiMessage() == null ? null : r.aiMessage().text();
        return new ChatResult(text == null ? "" : text, tokens);
    }

    private static long orZero(Integer i) {
        return i == null ? 0 : i;
    }
}
