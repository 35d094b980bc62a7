package io.eimf.llm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.Eimf;
import io.eimf.llm.config.LlmServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmServiceCommandTest {
    @TempDir
    Path tmp;

    @Test
    void optionsOverrideTheFileAndRelativeCachePathsResolveAgainstTheWorkingDirectory() throws Exception {
        Files.writeString(tmp.resolve("llm.json"), "{\"provider\":\"ollama\",\"baseUrl\":\"http://h:11434\","
                + "\"model\":\"a\",\"port\":9000,\"cache\":\"c/cache.db\"}");
        LlmServiceCommand cmd = new LlmServiceCommand();
        var cl = new DefaultParser().parse(cmd.options(), new String[] {"--config", "llm.json", "--model", "b",
            "--port", "0"});
        CommandContext ctx = new CommandContext(System.out, System.err, false, tmp);
        LlmServiceConfig c = LlmServiceCommand.config(cl, ctx);
        assertEquals("ollama", c.provider());
        assertEquals("b", c.model());
        assertEquals(0, c.port());
        assertEquals(tmp.resolve("c/cache.db").toString(), c.cache());
        assertEquals("127.0.0.1", c.host());
    }

    @Test
    void theTokenComesFromTheOptionOrAFileAndAnEmptyOneIsRefused() throws Exception {
        LlmServiceCommand cmd = new LlmServiceCommand();
        CommandContext ctx = new CommandContext(System.out, System.err, false, tmp);
        Files.writeString(tmp.resolve("token"), "from-a-file-0123456789\n");
        var fromFile = new DefaultParser().parse(cmd.options(), new String[] {"--token-file", "token"});
        assertEquals("from-a-file-0123456789", LlmServiceCommand.config(fromFile, ctx).token());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Eimf(Eimf.discover(), new PrintStream(out), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(new String[] {"llm-service", "--port", "0", "--token", ""});
        assertEquals(Eimf.FAILURE, code, out.toString());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--token: the token is empty"),
                err.toString(StandardCharsets.UTF_8));
        assertTrue(!out.toString().contains("listening"), "nothing may start: " + out);
    }

    @Test
    void isRegisteredAndAMissingConfigFileIsAClearFailure() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Eimf(Eimf.discover(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(new String[] {"llm-service", "--config", tmp.resolve("nope.json").toString()});
        assertEquals(Eimf.FAILURE, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("nope.json: no such config file"),
                err.toString(StandardCharsets.UTF_8));
    }
}
