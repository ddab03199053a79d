package io.mailroute.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.gmail.mime.ParsedMail;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's mail is the same on every run, shaped as the issue asks, and mail Mailroute reads without quarantine. */
class MailMixTest {

    @TempDir
    Path store;

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOtherBytes() {
        MailMix one = MailMix.generate(7, 40, 20, 2_000_000, 0.05);
        MailMix again = MailMix.generate(7, 40, 20, 2_000_000, 0.05);
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(one.all().get(i).raw(), again.all().get(i).raw(), "message " + i);
        }
        assertFalse(java.util.Arrays.equals(one.all().get(3).raw(), MailMix.generate(8, 4, -1, 0, 0).all().get(3).raw()));
    }

    @Test
    void sizesAreRealisticWithExactlyOneLargeMessageOfTheAskedSize() {
        MailMix mix = MailMix.generate(20261122, 300, 150, 3_000_000, 0.02);
        ObjectNode summary = mix.summary(300);
        long median = summary.get("medianBytes").asLong();
        assertTrue(median > 15_000 && median < 25_000, "median about 20 KB: " + summary);
        assertTrue(summary.get("withAttachments").asInt() > 20, summary.toString());
        assertTrue(summary.get("withLargeAttachment").asInt() >= 1, "some with 1-5 MB: " + summary);
        assertEquals(150, mix.giant().index());
        assertEquals(3_000_000, mix.giant().raw().length, 3_000, "the large message is sized to 0.1 %");
        assertEquals(299, mix.ordinary(1000).size(), "ordinary mail leaves the large one out");
    }

    @Test
    void everyMessageParsesWithItsTokenInTheSubjectAndItsAttachmentStored() throws Exception {
        MimeParser parser = new MimeParser(new AttachmentStore(store, 25L * 1024 * 1024));
        for (MailMix.Mail mail : MailMix.generate(3, 60, 30, 1_500_000, 0.05).all()) {
            ParsedMail parsed = parser.parse(mail.raw());
            assertEquals(mail.token(), MailMix.tokenIn(parsed.subject()));
            assertNotNull(parsed.textBody(), mail.token());
            assertNotNull(parsed.htmlBody(), mail.token());
            assertEquals(mail.attachmentBytes() > 0 ? 1 : 0, parsed.attachments().size(), mail.token());
            if (mail.attachmentBytes() > 0) {
                assertEquals(mail.attachmentBytes(), parsed.attachments().get(0).size(), mail.token());
            }
        }
    }
}
