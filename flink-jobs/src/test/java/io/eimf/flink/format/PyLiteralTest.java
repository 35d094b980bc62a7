package io.eimf.flink.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PyLiteralTest {
    @Test
    void readsAmazon2014MetaLiterals() throws BadLineException {
        Object o = PyLiteral.parse("{'asin': '0001', 'title': \"Bob's \\\"Book\\\"\", 'price': 7.5, 'salesRank': "
                + "{'Books': 12}, 'categories': [['Books', 'Kids'], ['Toys']], 'x': (1, 2), 'ok': True, 'n': None}");
        Map<?, ?> m = (Map<?, ?>) o;
        assertEquals("0001", m.get("asin"));
        assertEquals("Bob's \"Book\"", m.get("title"));
        assertEquals(7.5, m.get("price"));
        assertEquals(List.of(List.of("Books", "Kids"), List.of("Toys")), m.get("categories"));
        assertEquals(List.of(1L, 2L), m.get("x"));
        assertEquals(Boolean.TRUE, m.get("ok"));
        assertTrue(m.containsKey("n"));
    }

    @Test
    void readsJsonToo() throws BadLineException {
        assertEquals(Map.of("a", List.of(true, false)), PyLiteral.parse("{\"a\": [true, false]}"));
        assertEquals("é\n", PyLiteral.parse("'\\xe9\\n'"));
    }

    @Test
    void reportsWhereItBroke() {
        BadLineException e = assertThrows(BadLineException.class, () -> PyLiteral.parse("{'a': [1, 2}"));
        assertTrue(e.getMessage().contains("column 12"), e.getMessage());
        assertThrows(BadLineException.class, () -> PyLiteral.parse("{'a': 'open}"));
    }

    /** Found by PrepareFuzzTest: each used to escape as StackOverflowError or IllegalArgumentException. */
    @Test
    void hostileLiteralsFailWithAReason() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        BadLineException e = assertThrows(BadLineException.class, () -> PyLiteral.parse(deep));
        assertTrue(e.getMessage().contains("nested deeper than"), e.getMessage());
        assertThrows(BadLineException.class, () -> PyLiteral.parse("'\\U7fffffff'"));
        assertThrows(BadLineException.class, () -> PyLiteral.parse("'\\U-0000001'"));
        assertThrows(BadLineException.class, () -> PyLiteral.parse("'\\x-1'"));
        String ok = "[".repeat(PyLiteral.MAX_DEPTH) + "]".repeat(PyLiteral.MAX_DEPTH);
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> PyLiteral.parse(ok));
    }
}
