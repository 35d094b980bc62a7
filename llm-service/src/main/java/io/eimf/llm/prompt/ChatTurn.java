package io.eimf.llm.prompt;

/**
 * One message of a chat prompt.
 *
 * @param role {@code user} or {@code assistant}
 * @param text the message text
 */
public record ChatTurn(String role, String text) {
    public static ChatTurn user(String text) {
        return new ChatTurn("user", text);
    }

    public static ChatTurn assistant(String text) {
        return new ChatTurn("assistant", text);
    }
}
