package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageQueryTest {

    private static final Instant NOW = Instant.parse("2026-03-15T12:00:00Z");

    /** An invoice from a vendor, unread in INBOX and a user label, with a PDF, received three days ago. */
    private static final MessageFacts INVOICE = new MessageFacts(
            "support@acme.example",
            "Vendor Billing <billing@vendor.example>",
            "support@acme.example",
            "ap@acme.example",
            "",
            "Invoice INV-42 for March",
            "Dear customer, the amount due is 100 EUR. Payment terms: net 30.",
            Set.of("INBOX", "UNREAD", "Label_3"),
            Set.of("INBOX", "UNREAD", "Finance/Vendor Invoices"),
            Instant.parse("2026-03-12T09:30:00Z").toEpochMilli(),
            List.of("INV-42.pdf"),
            48_000,
            "<inv-42@vendor.example>");

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                                  | true",
        "from:billing@vendor.example         | true",
        "from:vendor.example                 | true",
        "from:billing                        | true",
        "from:bill                           | false",
        "from:someone@else.example           | false",
        "to:support@acme.example             | true",
        "to:ap@acme.example                  | true",
        "cc:ap@acme.example                  | true",
        "cc:support@acme.example             | false",
        "to:me                               | true",
        "from:me                             | false",
        "subject:invoice                     | true",
        "subject:INVOICE                     | true",
        "subject:\"for march\"               | true",
        "subject:\"march for\"               | false",
        "subject:(invoice march)             | true",
        "subject:(invoice april)             | false",
        "subject:receipt                     | false",
        "label:finance-vendor-invoices       | true",
        "label:Label_3                       | true",
        "label:finance                       | false",
        "in:inbox                            | true",
        "in:sent                             | false",
        "is:unread                           | true",
        "is:read                             | false",
        "is:starred                          | false",
        "has:attachment                      | true",
        "filename:pdf                        | true",
        "filename:INV-42.pdf                 | true",
        "filename:docx                       | false",
        "newer_than:7d                       | true",
        "newer_than:2d                       | false",
        "older_than:2d                       | true",
        "older_than:1m                       | false",
        "newer_than:1y                       | true",
        "after:2026/03/12                    | true",
        "after:2026/03/13                    | false",
        "before:2026/03/13                   | true",
        "before:2026/03/12                   | false",
        "after:2026-03-01 before:2026-04-01  | true",
        "after:1773307800                    | true",
        "after:1773307801                    | false",
        "before:1773307801                   | true",
        "amount                              | true",
        "AMOUNT DUE                          | true",
        "\"amount due\"                      | true",
        "\"due amount\"                      | false",
        "amou                                | false",
        "inv-42                              | true",
        "payment -refund                     | true",
        "payment -terms                      | false",
        "-from:vendor.example                | false",
        "-is:read                            | true",
        "refund OR payment                   | true",
        "refund OR rebate                    | false",
        "{refund payment}                    | true",
        "(invoice -refund) is:unread         | true",
        "-(invoice OR refund)                | false",
        "rfc822msgid:<inv-42@vendor.example> | true",
        "rfc822msgid:inv-42@vendor.example   | true",
        "larger:40K                          | true",
        "larger:1M                           | false",
        "smaller:1M                          | true",
        "category:primary                    | false",
        "in:anywhere                         | true",
        "unknownop:value                     | false",
    })
    void matchesLikeGmailSearch(String q, boolean expected) {
        assertEquals(expected, MessageQuery.parse(q).matches(INVOICE, NOW), q);
    }

    @Test
    void afterAndBeforeDatesAreMidnightPacificTime() {
        // 2026-03-12T07:30Z is 2026-03-12 00:30 in Los Angeles (PDT, UTC-7): after the date's midnight there.
        MessageFacts early = new MessageFacts("me@x", "", "", "", "", "", "", Set.of(), Set.of(),
                Instant.parse("2026-03-12T07:30:00Z").toEpochMilli(), List.of(), 1, null);
        assertTrue(MessageQuery.parse("after:2026/03/12").matches(early, NOW));
        MessageFacts beforeMidnightPacific = new MessageFacts("me@x", "", "", "", "", "", "", Set.of(), Set.of(),
                Instant.parse("2026-03-12T06:30:00Z").toEpochMilli(), List.of(), 1, null);
        assertFalse(MessageQuery.parse("after:2026/03/12").matches(beforeMidnightPacific, NOW));
    }

    @Test
    void spamAndTrashAreSearchedOnlyWhenAskedFor() {
        assertFalse(MessageQuery.parse("invoice").searchesSpamOrTrash());
        assertTrue(MessageQuery.parse("in:spam").searchesSpamOrTrash());
        assertTrue(MessageQuery.parse("label:trash invoice").searchesSpamOrTrash());
        assertTrue(MessageQuery.parse("in:anywhere").searchesSpamOrTrash());
    }

    @Test
    void badDatesAndAgesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> MessageQuery.parse("after:yesterday"));
        assertThrows(IllegalArgumentException.class, () -> MessageQuery.parse("newer_than:soon"));
        assertThrows(IllegalArgumentException.class, () -> MessageQuery.parse("(invoice"));
    }
}
