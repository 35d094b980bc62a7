package io.eimf.llm.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerValidatorTest {
    static final InterestRequest REQ = new InterestRequest("u", List.of(InterestItem.of("a", "Space 1"),
            InterestItem.of("b", "Jazz 2"), InterestItem.of("c", "Space 3")), 2, 3);

    static String answer(String evidence1, String evidence2) {
        return "{\"interests\":[{\"name\":\"Space\",\"description\":\"Likes space.\",\"evidence\":[" + evidence1
                + "]},{\"name\":\"Jazz\",\"description\":\"Likes jazz.\",\"evidence\":[" + evidence2 + "]}]}";
    }

    @Test
    void validAnswerMapsEvidenceNumbersToItemIds() {
        AnswerValidator.Result r = AnswerValidator.validate(answer("1,3,3", "2"), REQ);
        assertTrue(r.valid(), r.problems().toString());
        assertEquals(List.of("a", "c"), r.interests().get(0).evidence());
        assertEquals(List.of("b"), r.interests().get(1).evidence());
    }

    @Test
    void oneMarkdownFenceIsAcceptedButTrailingTextIsNot() {
        assertTrue(AnswerValidator.validate("```json\n" + answer("1", "2") + "\n```", REQ).valid());
        AnswerValidator.Result r = AnswerValidator.validate(answer("1", "2") + " Hope this helps!", REQ);
        assertFalse(r.valid());
        assertTrue(r.problems().get(0).contains("not one JSON object"), r.problems().toString());
    }

    @Test
    void everyRuleIsCheckedAndNamesTheField() {
        assertTrue(AnswerValidator.validate(answer("4", "2"), REQ).problems().get(0)
                .contains("interests[0].evidence holds 4, not an item number in 1..3"));
        assertTrue(AnswerValidator.validate(answer("\"1\"", "2"), REQ).problems().get(0).contains("holds \"1\""));
        assertTrue(AnswerValidator.validate(answer("", "2"), REQ).problems().get(0)
                .contains("interests[0].evidence is missing or empty"));
        assertTrue(AnswerValidator.validate("{\"interests\":[{\"name\":\"Space\",\"description\":\"x\",\"evidence\":[1]}]}",
                REQ).problems().get(0).contains("has 1 entries; between 2 and 3"));
        assertTrue(AnswerValidator.validate(answer("1", "2").replace("Jazz\"", "space\""), REQ).problems().get(0)
                .contains("repeats an earlier interest"));
        assertTrue(AnswerValidator.validate(answer("1", "2").replace("\"Jazz\"",
                "\"a name with far too many words in it\""), REQ).problems().get(0).contains("longer than"));
        assertTrue(AnswerValidator.validate(answer("1", "2").replace("Likes jazz.", ""), REQ).problems().get(0)
                .contains("interests[1].description is missing or empty"));
        assertTrue(AnswerValidator.validate("[1,2]", REQ).problems().get(0).contains("not a JSON object"));
        assertTrue(AnswerValidator.validate("{\"topics\":[]}", REQ).problems().get(0).contains("'interests'"));
        assertTrue(AnswerValidator.validate("  ", REQ).problems().get(0).contains("empty"));
    }
}
