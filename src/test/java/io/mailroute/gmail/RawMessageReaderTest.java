package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RawMessageReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path spill;

    @BeforeEach
    void setUp() {
        spill = dir.resolve("fetching");
    }

    @Test
    void readsEveryFieldOfTheSandboxsAnswerWithRawLast() throws Exception {
        byte[] raw = bytes(5_000, 1);
        RawMessage message = reader(RawMessageReader.DEFAULT_MEMORY_LIMIT).read("support", sandboxAnswer(raw));

        assertEquals(new RawMessage.Meta("18c1", "t-18c1", List.of("INBOX", "UNREAD"), "4242", 1_763_000_000_000L,
                raw.length), message.meta());
        assertFalse(message.spilled());
        assertDecoded(raw, message);
    }

    @Test
    void readsTheFieldsAfterRawInGmailsOrderAndSkipsOnesItDoesNotKnow() throws Exception {
        byte[] raw = bytes(300, 2);
        String answer = "{\"id\":\"18c2\",\"threadId\":\"t\",\"labelIds\":[\"INBOX\"],\"snippet\":\"hi \\\"there\\\"\","
                + "\"payload\":{\"parts\":[{\"x\":[1,2]}]},\"sizeEstimate\":300,\"raw\":\"" + url(raw) + "\","
                + "\"historyId\":\"77\",\"internalDate\":\"1763000000001\"}";
        RawMessage message = reader(1024).read("support", stream(answer));

        assertEquals(new RawMessage.Meta("18c2", "t", List.of("INBOX"), "77", 1_763_000_000_001L, 300), message.meta());
        assertDecoded(raw, message);
    }

    /** Every length mod 3 and around the parser's 8000-byte buffer, fed a few bytes per read, some spilled. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 4095, 4096, 4097, 5998, 5999, 6000, 6001, 6002, 12_000, 24_001})
    void decodesAcrossEveryChunkBoundary(int length) throws Exception {
        byte[] raw = bytes(length, length);
        RawMessage message = reader(4096).read("support", trickle(sandboxAnswer(raw), length));

        assertEquals(length > 4096, message.spilled());
        assertNull(message.undecodable());
        assertDecoded(raw, message);
        message.close();
    }

    @Test
    void unpaddedAndJsonEscapedBase64UrlDecodeAlike() throws Exception {
        byte[] raw = bytes(1_000, 3);
        String escaped = url(raw).replace("A", "\\u0041").replace("-", "\\u002d");
        for (String value : List.of(Base64.getUrlEncoder().withoutPadding().encodeToString(raw), escaped)) {
            RawMessage message = reader(1024).read("support", stream("{\"id\":\"x\",\"raw\":\"" + value + "\"}"));
            assertNull(message.undecodable(), value.substring(0, 20));
            assertDecoded(raw, message);
        }
    }

    @Test
    void aLargeValueIsSpilledToAnOwnerOnlyFileThatCloseDeletes() throws Exception {
        byte[] raw = bytes(6 * 1024 * 1024 + 1, 4);
        RawMessage message = reader(RawMessageReader.DEFAULT_MEMORY_LIMIT).read("support", sandboxAnswer(raw));

        assertTrue(message.spilled());
        assertDecoded(raw, message);
        List<Path> files = files();
        assertEquals(1, files.size());
        assertEquals(raw.length, Files.size(files.get(0)));
        Assumptions.assumeTrue(spill.getFileSystem().supportedFileAttributeViews().contains("posix"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spill)));

        message.close();
        assertEquals(List.of(), files());
    }

    @Test
    void theStandardAlphabetIsUndecodableAndTheFieldsAfterItAreStillRead() throws Exception {
        byte[] raw = new byte[3_000];
        java.util.Arrays.fill(raw, (byte) 0xff); // "////" in the standard alphabet, "____" in base64url
        String answer = "{\"id\":\"18c5\",\"raw\":\"" + Base64.getEncoder().encodeToString(raw) + "\","
                + "\"historyId\":\"9\",\"labelIds\":[\"INBOX\"]}";
        RawMessage message = reader(1024).read("support", trickle(stream(answer), 5));

        assertTrue(message.undecodable().contains("not base64url"), message.undecodable());
        assertEquals(new RawMessage.Meta("18c5", null, List.of("INBOX"), "9", null, null), message.meta());
        message.close();
        assertEquals(List.of(), files());
    }

    @Test
    void aRawThatIsNoStringIsUndecodableAndAMissingOneIsEmpty() throws Exception {
        RawMessage number = reader(1024).read("support", stream("{\"id\":\"a\",\"raw\":12,\"historyId\":\"3\"}"));
        assertTrue(number.undecodable().contains("not a string"), number.undecodable());
        assertEquals("3", number.meta().historyId());

        RawMessage none = reader(1024).read("support", stream("{\"id\":\"b\",\"historyId\":5}"));
        assertNull(none.undecodable());
        assertEquals(0, none.size());
        assertEquals("5", none.meta().historyId(), "a number where Gmail writes a string is read too");
    }

    @Test
    void anAnswerThatBreaksOffFailsTheReadAndLeavesNoSpillFile() throws Exception {
        String answer = new String(sandboxAnswer(bytes(50_000, 6)).readAllBytes(), StandardCharsets.US_ASCII);
        InputStream cut = stream(answer.substring(0, answer.length() / 2));

        assertThrows(IOException.class, () -> reader(1024).read("support", cut));
        assertEquals(List.of(), files());
        assertThrows(IOException.class, () -> reader(1024).read("support", stream("[1]")));
    }

    @Test
    void spillFilesLeftByAnEarlierRunAreDeletedAtStart() throws Exception {
        Files.createDirectories(spill);
        Files.write(spill.resolve("raw-123.eml"), new byte[10]);
        Files.write(spill.resolve("keep.txt"), new byte[1]);

        reader(1024);

        assertEquals(List.of(spill.resolve("keep.txt")), files());
    }

    private RawMessageReader reader(int memoryLimit) throws IOException {
        return RawMessageReader.inDirectory(spill, memoryLimit);
    }

    private List<Path> files() throws IOException {
        try (var list = Files.list(spill)) {
            return list.toList();
        }
    }

    /** The sandbox's messages.get(format=raw) answer, field for field in its order (raw last, padded base64url). */
    private static InputStream sandboxAnswer(byte[] raw) throws IOException {
        ObjectNode node = JSON.createObjectNode().put("id", "18c1").put("threadId", "t-18c1");
        node.putArray("labelIds").add("INBOX").add("UNREAD");
        node.put("snippet", "a snippet").put("sizeEstimate", raw.length).put("historyId", "4242")
                .put("internalDate", "1763000000000").put("raw", url(raw));
        return new ByteArrayInputStream(JSON.writeValueAsBytes(node));
    }

    private static void assertDecoded(byte[] expected, RawMessage message) throws Exception {
        try (InputStream in = message.open()) {
            assertArrayEquals(expected, in.readAllBytes());
        }
        assertEquals(expected.length, message.size());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected)), message.sha256());
    }

    private static String url(byte[] raw) {
        return Base64.getUrlEncoder().encodeToString(raw);
    }

    private static InputStream stream(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.US_ASCII));
    }

    /** Hands out 1 to 7 bytes per read, as a slow connection might. */
    private static InputStream trickle(InputStream in, long seed) {
        Random random = new Random(seed);
        return new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
            }
        };
    }

    private static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
