package io.mailroute.gmail.mime;

import static io.mailroute.gmail.mime.MimeCorpus.sha256;
import static io.mailroute.gmail.mime.MimeCorpus.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import io.mailroute.testing.SmallDisk;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttachmentStoreTest {

    @TempDir
    Path root;

    @Test
    void storesContentUnderItsSha256WithSanitisedMetadata() throws Exception {
        AttachmentStore store = new AttachmentStore(root, 1000);
        byte[] content = utf8("quarterly numbers");

        AttachmentRef ref = store.store(new ByteArrayInputStream(content), "../report.csv", "Text/CSV; charset=utf-8", true, "<part1@x>");

        assertEquals(new AttachmentRef("report.csv", "text/csv", content.length, sha256(content), true, "part1@x"), ref);
        assertArrayEquals(content, Files.readAllBytes(root.resolve(sha256(content))));
        assertEquals(List.of(root.resolve(sha256(content))), list());
    }

    @Test
    void identicalContentIsStoredOnceAndKeepsEachCallersName() throws Exception {
        AttachmentStore store = new AttachmentStore(root, 1000);
        byte[] content = utf8("same bytes");

        AttachmentRef first = store.store(new ByteArrayInputStream(content), "a.txt", "text/plain", false, null);
        AttachmentRef second = store.store(new ByteArrayInputStream(content), "b.txt", "text/plain", false, null);

        assertEquals(first.sha256(), second.sha256());
        assertEquals("a.txt", first.filename());
        assertEquals("b.txt", second.filename());
        assertEquals(List.of(root.resolve(first.sha256())), list());
    }

    @Test
    void stopsReadingAtTheCapInsteadOfConsumingTheWholeStream() throws Exception {
        long cap = 100_000;
        EndlessStream endless = new EndlessStream();

        AttachmentTooLargeException e = assertThrows(AttachmentTooLargeException.class,
                () -> new AttachmentStore(root, cap).store(endless, "C:\\dump\\core.bin", "application/octet-stream", false, null));

        assertEquals("core.bin", e.filename());
        assertEquals(cap, e.capBytes());
        assertTrue(endless.served <= cap + 64 * 1024, "read " + endless.served + " bytes for a cap of " + cap);
        assertEquals(List.of(), list(), "the temp file must be gone");
    }

    @Test
    void aFailingSourceLeavesNoTempFileAndPropagatesTheFailure() throws Exception {
        IOException boom = new IOException("connection reset");
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 5000) {
                    throw boom;
                }
                return 'x';
            }
        };

        IOException thrown = assertThrows(IOException.class, () -> new AttachmentStore(root, 1_000_000).store(failing, "x", null, false, null));

        assertSame(boom, thrown);
        assertEquals(List.of(), list());
    }

    @Test
    void anAttachmentThatFillsTheDiskHalfWayLeavesNoFileAndItsTempIsGoneSoTheNextOneFits(@TempDir Path work)
            throws Exception {
        try (SmallDisk disk = SmallDisk.mount(work.resolve("disk"), 4)) {
            Path attachments = disk.dir().resolve("attachments");
            AttachmentStore store = new AttachmentStore(attachments, 64L * 1024 * 1024);
            byte[] tooBig = new byte[6 * 1024 * 1024];
            new java.util.Random(1).nextBytes(tooBig);

            IOException full = assertThrows(IOException.class, () -> store.store(new ByteArrayInputStream(tooBig),
                    "scan.pdf", "application/pdf", false, null));

            assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
            assertEquals(List.of(), list(attachments), "no half file under a digest, no temp file");
            byte[] fits = new byte[3 * 1024 * 1024];
            new java.util.Random(2).nextBytes(fits);
            AttachmentRef ref = store.store(new ByteArrayInputStream(fits), "small.pdf", "application/pdf", false, null);
            assertEquals(sha256(fits), ref.sha256());
            assertArrayEquals(fits, Files.readAllBytes(attachments.resolve(ref.sha256())));
            assertEquals(List.of(attachments.resolve(ref.sha256())), list(attachments));
        }
    }

    @Test
    void pathOfAcceptsADigestCaseInsensitively() {
        AttachmentStore store = new AttachmentStore(root, 1);
        String hex = sha256(utf8("x"));

        assertEquals(root.toAbsolutePath().normalize().resolve(hex), store.pathOf(hex.toUpperCase()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "", "abc",
            "../aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "/etc/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "g000000000000000000000000000000000000000000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000000\n"})
    void pathOfRejectsAnythingButSixtyFourHexDigits(String id) {
        AttachmentStore store = new AttachmentStore(root, 1);
        assertThrows(IllegalArgumentException.class, () -> store.pathOf(id));
    }

    @Test
    void pathOfRejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> new AttachmentStore(root, 1).pathOf(null));
    }

    private List<Path> list() throws IOException {
        return list(root);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    /** A source that never ends: a store that reads past the cap would never return. */
    private static final class EndlessStream extends InputStream {
        long served;

        @Override
        public int read() {
            served++;
            return 'a';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) 'a');
            served += len;
            return len;
        }
    }
}
