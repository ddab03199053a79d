package io.mailroute.gmail.mime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The demo mail in config/sandbox/mail/&lt;address&gt;/NN-slug.eml must be mail the service can ingest. */
class SandboxSeedMailTest {

    private static final Path SEED = Path.of("config", "sandbox", "mail");
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    @TempDir
    Path storeRoot;

    static Stream<Path> seedFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SEED)) {
            return files.filter(Files::isRegularFile).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seedFiles")
    void seedMessageParsesWithSubjectSenderAndSaneAttachments(Path file) throws Exception {
        assertTrue(file.getFileName().toString().matches("\\d\\d-[a-z0-9-]+\\.eml"), file + " is not named NN-slug.eml");
        assertTrue(file.getParent().getFileName().toString().matches("[a-z0-9.-]+@[a-z0-9.-]+\\.example"), file + " is not under a mailbox address");

        ParsedMail mail = parse(file);

        assertFalse(mail.subject().isBlank(), file + " has no subject");
        assertNotNull(mail.from(), file + " has no From");
        assertNotNull(mail.messageId(), file + " has no Message-ID");
        assertNotNull(mail.date(), file + " has no Date");
        List<MailAddress> everyone = new ArrayList<>(List.of(mail.from()));
        everyone.addAll(mail.to());
        everyone.addAll(mail.cc());
        everyone.addAll(mail.replyTo());
        for (MailAddress a : everyone) {
            assertTrue(a.address().endsWith(".example"), file + " uses a real-world domain: " + a.address());
        }
        for (AttachmentRef a : mail.attachments()) {
            byte[] bytes = Files.readAllBytes(new AttachmentStore(storeRoot, Long.MAX_VALUE).pathOf(a.sha256()));
            if (a.contentType().equals("image/png")) {
                assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), file + " " + a.filename() + " is not a PNG");
            }
            if (a.contentType().equals("application/pdf")) {
                String pdf = new String(bytes, StandardCharsets.ISO_8859_1);
                assertTrue(pdf.startsWith("%PDF-") && pdf.stripTrailing().endsWith("%%EOF"), file + " " + a.filename() + " is not a PDF");
            }
        }
    }

    @Test
    void seedCoversTheDemoMailboxesWithAboutADozenMessages() throws IOException {
        Map<String, Integer> perMailbox = new HashMap<>();
        seedFiles().forEach(f -> perMailbox.merge(f.getParent().getFileName().toString(), 1, Integer::sum));

        assertEquals(java.util.Set.of("support@acme.example", "accounts@acme.example", "hr@acme.example"), perMailbox.keySet());
        assertTrue(perMailbox.values().stream().mapToInt(Integer::intValue).sum() >= 12, perMailbox.toString());
    }

    @Test
    void everyReplyInTheSeedPointsAtAnEarlierMessageOfTheSameMailbox() throws Exception {
        Map<Path, List<String>> idsSoFar = new HashMap<>();
        int replies = 0;
        for (Path file : seedFiles().toList()) {
            ParsedMail mail = parse(file);
            List<String> earlier = idsSoFar.computeIfAbsent(file.getParent(), k -> new ArrayList<>());
            if (mail.inReplyTo() != null) {
                replies++;
                assertTrue(earlier.contains(mail.inReplyTo()), file + " replies to a message the seed does not have before it");
                assertTrue(mail.references().contains(mail.inReplyTo()), file + " References lacks its In-Reply-To");
                assertTrue(mail.subject().startsWith("Re: "), file + " reply subject");
            }
            assertFalse(earlier.contains(mail.messageId()), file + " repeats a Message-ID");
            earlier.add(mail.messageId());
        }
        assertTrue(replies >= 1, "the seed should contain a threaded reply");
    }

    @Test
    void exactlyOneSeedMessageAsksTheSandboxForFailingSenderAuthentication() throws IOException {
        long suspicious = 0;
        for (Path file : seedFiles().toList()) {
            if (Files.readString(file, StandardCharsets.ISO_8859_1).contains("\nX-Sandbox-Auth: dkim=fail; spf=softfail; dmarc=fail\n")) {
                suspicious++;
            }
        }
        assertEquals(1, suspicious);
    }

    private ParsedMail parse(Path file) throws IOException, MalformedMailException {
        return new MimeParser(new AttachmentStore(storeRoot, 10 * 1024 * 1024)).parse(Files.readAllBytes(file));
    }
}
