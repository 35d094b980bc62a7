package io.eimf.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenTest {
    static final String GOOD = "0123456789abcdef-long-enough";

    @TempDir
    Path tmp;

    @Test
    void emptyShortAndSpacedTokensAreRefusedNamingTheirSource() {
        assertTrue(assertThrows(EimfException.class, () -> BearerToken.of("", "--token")).getMessage()
                .startsWith("--token: the token is empty"));
        assertThrows(EimfException.class, () -> BearerToken.of(null, "--token"));
        String shortOne = assertThrows(EimfException.class, () -> BearerToken.of("s3cret", "EIMF_X")).getMessage();
        assertTrue(shortOne.contains("EIMF_X") && shortOne.contains("6 characters") && shortOne.contains("16"),
                shortOne);
        assertThrows(EimfException.class, () -> BearerToken.of("0123456789 abcdefgh", "--token"));
        assertThrows(EimfException.class, () -> BearerToken.of("0123456789abcdefgh\n", "--token"));
        assertEquals(16, BearerToken.of("0123456789abcdef", "--token").value().length());
    }

    @Test
    void matchesOnlyTheExactBearerHeader() {
        BearerToken t = BearerToken.of(GOOD, "--token");
        assertTrue(t.matches("Bearer " + GOOD));
        assertEquals("Bearer " + GOOD, t.header());
        assertFalse(t.matches(null));
        assertFalse(t.matches(""));
        assertFalse(t.matches(GOOD));
        assertFalse(t.matches("Bearer " + GOOD + "x"));
        assertFalse(t.matches("Bearer " + GOOD.substring(1)));
        assertFalse(t.matches("bearer " + GOOD));
        assertFalse(t.toString().contains(GOOD));
    }

    @Test
    void resolvesOptionThenFileThenEnvironment() throws Exception {
        Path f = tmp.resolve("token");
        Files.writeString(f, "file-token-0123456789\n");
        Map<String, String> env = Map.of("EIMF_T", "env-token-0123456789");
        assertEquals(GOOD, BearerToken.resolve(GOOD, null, "EIMF_T", env).orElseThrow().value());
        assertEquals("file-token-0123456789", BearerToken.resolve(null, f, "EIMF_T", env).orElseThrow().value());
        assertEquals("env-token-0123456789", BearerToken.resolve(null, null, "EIMF_T", env).orElseThrow().value());
        assertTrue(BearerToken.resolve(null, null, "EIMF_T", Map.of()).isEmpty());
        assertThrows(UsageException.class, () -> BearerToken.resolve(GOOD, f, "EIMF_T", env));
        // Set but empty is a mistake (e.g. $(cat missing-file)), not "no authentication".
        assertThrows(EimfException.class, () -> BearerToken.resolve(null, null, "EIMF_T", Map.of("EIMF_T", "")));
        Files.writeString(f, "\n");
        assertTrue(assertThrows(EimfException.class, () -> BearerToken.resolve(null, f, null, Map.of()))
                .getMessage().contains("--token-file " + f));
        assertThrows(EimfException.class, () -> BearerToken.resolve(null, tmp.resolve("absent"), null, Map.of()));
    }

    @Test
    void loopbackIsRecognised() {
        assertTrue(BearerToken.isLoopback("127.0.0.1"));
        assertTrue(BearerToken.isLoopback("::1"));
        assertTrue(BearerToken.isLoopback("localhost"));
        assertFalse(BearerToken.isLoopback("0.0.0.0"));
        assertFalse(BearerToken.isLoopback("10.1.2.3"));
    }
}
