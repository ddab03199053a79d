package io.mailroute.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.json.Json;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** What another system sends is untrusted: each bad field is refused by name, with what it must be. */
class AlertRequestReaderTest {

    private final AlertRequestReader reader = new AlertRequestReader(Json.newMapper());

    @Test
    void aFlowsMapReadsLikeTheApisJsonWithNormalSeverityByDefault() {
        AlertRequest request = reader.read(reader.body(Map.of("type", "document.missing", "key", "po-4471:invoice",
                "queue", "accounts-payable", "summary", "  Invoice for PO-4471 missing  ", "details", Map.of("po", "PO-4471"))));
        assertEquals("document.missing", request.type());
        assertEquals(Severity.NORMAL, request.severity());
        assertEquals("Invoice for PO-4471 missing", request.summary());
        assertEquals("PO-4471", request.details().path("po").asText());
        assertNull(request.team());
    }

    @Test
    void aResolveNeedsOnlyTheKey() {
        AlertRequest request = reader.read(reader.body("{\"key\":\"erp-sync-42\",\"status\":\"resolved\"}"));
        assertTrue(request.resolved());
        assertEquals("erp-sync-42", request.key());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an unknown field, named        | {'type':'process.failed','key':'k','queue':'q','summary':'s','owner':'x'} | unknown field 'owner'",
        "a type that is no dotted name  | {'type':'Process Failed','key':'k','queue':'q','summary':'s'}            | type must be a dotted name",
        "no type                        | {'key':'k','queue':'q','summary':'s'}                                     | type is required",
        "a key with a slash             | {'type':'process.failed','key':'a/b','queue':'q','summary':'s'}          | key must be 1 to 128",
        "no key                         | {'type':'process.failed','queue':'q','summary':'s'}                       | key is required",
        "neither queue nor team         | {'type':'process.failed','key':'k','summary':'s'}                         | not neither",
        "both queue and team            | {'type':'process.failed','key':'k','queue':'q','team':'t','summary':'s'}  | not both",
        "an unknown severity            | {'type':'process.failed','key':'k','queue':'q','summary':'s','severity':'panic'} | severity must be one of critical, high, normal, low",
        "no summary                     | {'type':'process.failed','key':'k','queue':'q'}                           | summary is required",
        "a summary of two lines         | {'type':'process.failed','key':'k','queue':'q','summary':'a\\nb'}        | summary must be one line",
        "details that are no object     | {'type':'process.failed','key':'k','queue':'q','summary':'s','details':[1]} | details must be a JSON object",
        "details nested too deep        | {'type':'process.failed','key':'k','queue':'q','summary':'s','details':{'a':{'b':{'c':{'d':{'e':1}}}}}} | at most 4 levels",
        "an unknown status              | {'key':'k','status':'closed'}                                              | status must be open",
        "no object                      | [1,2]                                                                      | must be a JSON object",
        "no JSON                        | {type:                                                                     | the body must be JSON"})
    void aBadFieldIsRefusedNamingIt(String what, String body, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reader.read(reader.body(body.replace('\'', '"'))));
        assertTrue(e.getMessage().contains(message), what + ": " + e.getMessage());
    }

    @Test
    void sizesAreBounded() {
        String longSummary = "x".repeat(AlertRequestReader.MAX_SUMMARY + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> reader.read(reader.body(
                "{\"type\":\"process.failed\",\"key\":\"k\",\"queue\":\"q\",\"summary\":\"" + longSummary + "\"}")))
                .getMessage().contains("summary must be 1 to 500 characters"));
        String bigDetails = "{\"blob\":\"" + "x".repeat(AlertRequestReader.MAX_DETAILS) + "\"}";
        assertTrue(assertThrows(IllegalArgumentException.class, () -> reader.read(reader.body(
                "{\"type\":\"process.failed\",\"key\":\"k\",\"queue\":\"q\",\"summary\":\"s\",\"details\":" + bigDetails + "}")))
                .getMessage().contains("details must be at most 4096 bytes"));
        assertThrows(IllegalArgumentException.class, () -> reader.read(reader.body(
                "{\"type\":\"process.failed\",\"key\":\"" + "k".repeat(129) + "\",\"queue\":\"q\",\"summary\":\"s\"}")));
    }
}
