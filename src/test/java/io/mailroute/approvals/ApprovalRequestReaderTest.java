package io.mailroute.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every field of a request checked, each refusal naming the field (the API's 400). */
class ApprovalRequestReaderTest {

    private static final String VALID = """
            {"title":"PO-4471 Vandelay","requester":"j.smith@acme.example","approvers":["finance","r.okafor@ACME.example"],
             "policy":"purchase-order","fields":{"amount":12480.00,"currency":"EUR","vendor":"Vandelay","urgent":false},
             "attachments":[{"name":"quote.pdf","ref":"https://erp.acme.example/q/4471"}],
             "callbackUrl":"https://erp.acme.example/hooks/approvals","idempotencyKey":"erp-po-4471","priority":"high"}""";

    private final ObjectMapper json = Json.newMapper();
    private final ApprovalRequestReader reader = new ApprovalRequestReader(json);

    @Test
    void aValidRequestIsReadAsSent() throws Exception {
        ApprovalRequest r = reader.read(json.readTree(VALID), null, ApprovalRequest.Source.API, "token:erp");
        assertEquals("PO-4471 Vandelay", r.title());
        assertEquals(List.of("finance", "r.okafor@acme.example"), r.approvers(), "a group as named, an address's domain lower-cased");
        assertEquals("HIGH", r.priority());
        assertEquals(List.of(new ApprovalRequest.Attachment("quote.pdf", "https://erp.acme.example/q/4471")), r.attachments());
        assertEquals("erp-po-4471", r.idempotencyKey());
        assertEquals(12480, r.fields().get("amount").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            title missing         | title         | `null`                                   | title is required
            title with CR/LF      | title         | `"PO\\r\\nBcc: all@acme.example"`         | title must not contain line breaks
            title too long        | title         | `"%s"`                                   | title is longer than 200
            requester with a name | requester     | `"Jordan <j.smith@acme.example>"`        | requester must be one plain email address
            requester header      | requester     | `"j@acme.example\\nBcc: x@evil.example"` | requester must not contain line breaks
            approvers missing     | approvers     | `null`                                   | approvers is required
            approvers empty       | approvers     | `[]`                                     | approvers must name 1 to 50
            approver not address  | approvers     | `["finance", "Rita Okafor"]`             | approvers[1] must be one plain email address
            approver injection    | approvers     | `["a@acme.example\\r\\nX: y"]`            | approvers[0] must not contain line breaks
            policy bad name       | policy        | `"Purchase Order"`                       | policy must be a policy of approvals.yaml
            fields not an object  | fields        | `[1, 2]`                                 | fields must be a JSON object
            field not scalar      | fields        | `{"vendor": {"name": "x"}}`              | fields.vendor must be a scalar value
            field name            | fields        | `{"a b": 1}`                             | fields: 'a b' is not a field name
            amount not a number   | fields        | `{"amount": "lots"}`                     | fields.amount must be a number
            currency              | fields        | `{"amount": 1, "currency": "euro"}`      | fields.currency must be an ISO 4217 code
            attachment no name    | attachments   | `[{"ref": "https://x.example/a"}]`       | attachments[0].name is required
            attachment path       | attachments   | `[{"name": "../../etc/passwd"}]`         | attachments[0].name must be a file name
            attachment content    | attachments   | `[{"name": "a.pdf", "content": "JVBERi0"}]` | attachments[0] has unknown field 'content'
            attachment bad ref    | attachments   | `[{"name": "a.pdf", "ref": "file:///etc/passwd"}]` | attachments[0].ref is the sha256 of a stored attachment or a URL
            callback plain http   | callbackUrl   | `"http://erp.acme.example/hook"`         | callbackUrl: a callback URL must be an absolute https URL
            callback private IP   | callbackUrl   | `"https://10.0.0.5/hook"`                | callbackUrl: a callback URL must not be a private
            key with space        | idempotencyKey| `"po 4471"`                              | idempotencyKey must be 1 to 128 visible ASCII characters
            mailbox bad           | mailbox       | `"Accounts Payable"`                     | mailbox must be a mailbox id
            priority              | priority      | `"P1"`                                   | priority must be one of [LOW, NORMAL, HIGH, URGENT]
            unknown field         | amount        | `12480`                                  | unknown field 'amount'
            """)
    void aBadFieldIsRefusedNamingIt(String name, String field, String value, String expected) throws Exception {
        ObjectNode body = (ObjectNode) json.readTree(VALID);
        body.set(field, json.readTree(value.replace("%s", "x".repeat(201))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reader.read(body, null, ApprovalRequest.Source.API, "token:erp"));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void theIdempotencyKeyComesFromTheBodyOrTheHeaderAndTheTwoMustAgree() throws Exception {
        ObjectNode body = (ObjectNode) json.readTree(VALID);
        assertEquals("erp-po-4471", reader.read(body, "erp-po-4471", ApprovalRequest.Source.API, "t").idempotencyKey());
        assertThrows(IllegalArgumentException.class, () -> reader.read(body, "another", ApprovalRequest.Source.API, "t"));
        body.remove("idempotencyKey");
        assertEquals("from-header", reader.read(body, "from-header", ApprovalRequest.Source.API, "t").idempotencyKey());
    }

    @Test
    void aRouteMaySendAMap() {
        ApprovalRequest r = reader.read(reader.body(Map.of("title", "Laptop", "requester", "mei@acme.example",
                "approvers", List.of("it-lead@acme.example"))), null, ApprovalRequest.Source.ROUTE, "route:x");
        assertEquals("Laptop", r.title());
        assertEquals(ApprovalRequest.Source.ROUTE, r.source());
    }
}
