package io.mailroute.gmail.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttachmentFilenamesTest {

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', nullValues = "NULL", value = {
            "report.pdf                     | report.pdf",
            "../../etc/passwd               | passwd",
            "C:\\Users\\Public\\evil.exe     | evil.exe",
            "..\\..\\windows\\win.ini         | win.ini",
            "'dir/'                         | attachment",
            "..                             | attachment",
            "'   '                          | attachment",
            "NULL                           | attachment",
            ".htaccess                      | htaccess",
            "'invoice.pdf.  '               | invoice.pdf",
            "'a:b*c?d\"e<f>g|h.txt'          | a_b_c_d_e_f_g_h.txt",
            "=?UTF-8?B?UmVjaG51bmcgTcOkcnogMjAyNC5wZGY=?= | Rechnung März 2024.pdf",
            "=?UTF-8?Q?..=2F..=2Fboot.ini?= | boot.ini",
    })
    void sanitises(String given, String expected) {
        assertEquals(expected, AttachmentFilenames.sanitise(given));
    }

    @Test
    void dropsControlAndBidiOverrideCharacters() {
        assertEquals("invoicefdp.exe", AttachmentFilenames.sanitise("invoice\u202Efdp.exe"));
        assertEquals("a b.txt", AttachmentFilenames.sanitise("a\r\nb\u0000.txt"));
        assertEquals("x.txt", AttachmentFilenames.sanitise("x\u200B\u0085.txt"));
    }

    @Test
    void limitsToTwoHundredFiftyFiveUtf8BytesKeepingTheExtensionAndWholeCharacters() {
        String name = AttachmentFilenames.sanitise("ü".repeat(200) + "😀.docx");

        assertTrue(name.endsWith(".docx"), name);
        assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 255, name);
        assertEquals(125, name.codePointCount(0, name.length()) - ".docx".length()); // 125 × 2 bytes + 5
        assertTrue(name.codePoints().noneMatch(cp -> cp == 0xFFFD));
    }
}
