package io.mailroute.console.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Attachment downloads: the filename cannot break the header or name a path; only harmless content types count. */
class AttachmentDownloadTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', nullValues = "NULL", value = {
            "invoice.pdf                       | attachment; filename=\"invoice.pdf\"",
            "../../etc/passwd                  | attachment; filename=\"passwd\"",
            "C:\\\\Users\\\\x\\\\evil.exe      | attachment; filename=\"evil.exe\"",
            "a\"b.txt                          | attachment; filename=\"ab.txt\"",
            "'   .hidden'                      | attachment; filename=\"hidden\"",
            "NULL                              | attachment; filename=\"attachment\"",
            "Rechnung März.pdf                 | attachment; filename=\"Rechnung M_rz.pdf\"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf",
            "100%; x.pdf                       | attachment; filename=\"100__ x.pdf\"; filename*=UTF-8''100%25%3B%20x.pdf",
    })
    void theFilenameIsSafeInTheHeader(String filename, String expected) {
        assertEquals(expected, AttachmentDownload.contentDisposition(filename));
    }

    @org.junit.jupiter.api.Test
    void controlAndBidiCharactersAreDropped() {
        String header = AttachmentDownload.contentDisposition("report\r\nSet-Cookie: x=1\u0000\u202Efdp.exe");
        assertFalse(header.contains("\r") || header.contains("\n") || header.contains("\u0000"), header);
        assertEquals("attachment; filename=\"reportSet-Cookie: x=1fdp.exe\"", header);
        assertEquals(150, AttachmentDownload.safeName("x".repeat(400)).length());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "NULL", value = {
            "application/pdf, application/pdf",
            "IMAGE/PNG, image/png",
            "text/plain; charset=utf-8, text/plain",
            "text/html, application/octet-stream",
            "image/svg+xml, application/octet-stream",
            "application/xhtml+xml, application/octet-stream",
            "text/xml, application/octet-stream",
            "application/javascript, application/octet-stream",
            "NULL, application/octet-stream",
    })
    void onlyHarmlessContentTypesAreKept(String stored, String served) {
        assertEquals(served, AttachmentDownload.contentType(stored));
    }

    @org.junit.jupiter.api.Test
    void htmlBodiesKeepTheirTextAndLoseEverythingActive() {
        String safe = MessageHtml.sanitize("<p onclick=x()>Hi <a href=\"javascript:alert(1)\">a</a> <a href=\"https://acme.example\">b</a>"
                + "<script>alert(1)</script><style>p{}</style><img src=x onerror=alert(1)><iframe src=//evil.example></iframe>"
                + "<form action=//evil.example><input name=q></form></p>").html();
        for (String active : new String[] {"onclick", "javascript:", "<script", "<style", "<img", "onerror", "<iframe", "<form",
                "<input"}) {
            assertFalse(safe.contains(active), active + " in " + safe);
        }
        assertTrue(safe.contains("<a href=\"https://acme.example\" rel=\"nofollow noopener noreferrer\">b</a>"), safe);
        assertTrue(safe.contains("Hi"), safe);
        assertNull(MessageHtml.sanitize("  "));
    }
}
