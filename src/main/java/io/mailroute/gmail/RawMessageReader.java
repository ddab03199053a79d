package io.mailroute.gmail;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.google.api.client.http.HttpResponse;
import com.google.api.services.gmail.Gmail;
import io.mailroute.files.OwnerOnly;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads Gmail's answer to {@code messages.get(format=RAW)} as a stream: the metadata fields, and the {@code raw}
 * field decoded from base64url a buffer at a time into memory, or, past {@code memoryLimit} bytes, into an
 * owner-only spill file. The client's own parse holds the whole base64 text as a string and then the decoded
 * array (a 25 MB message cost some 60 MB of heap at once, more while decoding); this holds a few kilobytes of
 * text and at most {@code memoryLimit} decoded bytes. The request still goes through the mailbox's Gmail client
 * ({@code executeUnparsed}): same transport, credentials and root URL.
 */
public final class RawMessageReader {

    /** Decoded messages up to this size stay in memory; larger ones go to a spill file. */
    public static final int DEFAULT_MEMORY_LIMIT = 1024 * 1024;

    /** Gmail's alphabet for {@code raw}: base64url, padded or not. The standard alphabet's + and / are refused. */
    static final Base64Variant GMAIL_RAW = new Base64Variant("gmail-raw",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", true, '=', Integer.MAX_VALUE)
            .withPaddingAllowed();

    private static final JsonFactory JSON = new JsonFactory();
    private static final String SPILL_PREFIX = "raw-";

    private final Path spillDir;
    private final int memoryLimit;

    private RawMessageReader(Path spillDir, int memoryLimit) {
        this.spillDir = spillDir;
        this.memoryLimit = memoryLimit;
    }

    /**
     * A reader spilling into {@code spillDir} (created owner-only), after deleting what an earlier run left there:
     * a spill file lives only while its message is ingested, so any found at start belongs to a run that stopped.
     */
    public static RawMessageReader inDirectory(Path spillDir, int memoryLimit) throws IOException {
        OwnerOnly.directory(spillDir);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(spillDir, SPILL_PREFIX + "*")) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
        return new RawMessageReader(spillDir, memoryLimit);
    }

    /** Sends the request (format RAW) through its Gmail client and reads the answer as it arrives. */
    public RawMessage read(String mailboxId, Gmail.Users.Messages.Get request) throws IOException {
        HttpResponse response = request.setFormat("raw").executeUnparsed();
        // Closing the content, as the client's own parse does, keeps the connection for the next call
        // (disconnect() would close it).
        try (InputStream content = response.getContent()) {
            if (content == null) {
                throw new IOException("Mailbox " + mailboxId + ": messages.get for message " + request.getId()
                        + " answered with no body");
            }
            return read(mailboxId, content);
        }
    }

    /**
     * Reads one message resource. A {@code raw} that is not base64url does not fail the read: the message comes
     * back {@link RawMessage#undecodable()}, its other fields read, for intake to quarantine.
     *
     * @throws IOException when the stream fails or is not a JSON object (the call may be tried again)
     */
    RawMessage read(String mailboxId, InputStream json) throws IOException {
        Fields fields = new Fields();
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("Mailbox " + mailboxId + ": messages.get answered something other than a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "id" -> fields.id = parser.getValueAsString();
                    case "threadId" -> fields.threadId = parser.getValueAsString();
                    case "historyId" -> fields.historyId = parser.getValueAsString();
                    case "internalDate" -> fields.internalDate = value == JsonToken.VALUE_NULL ? null : parser.getValueAsLong();
                    case "sizeEstimate" -> fields.sizeEstimate = value == JsonToken.VALUE_NULL ? null : parser.getValueAsInt();
                    case "labelIds" -> fields.labelIds = strings(parser);
                    case "raw" -> readRaw(parser, value, fields);
                    default -> parser.skipChildren(); // a string not asked for is skipped unread, however long
                }
            }
            return fields.message();
        } catch (IOException | RuntimeException e) {
            fields.discard();
            throw e;
        }
    }

    private void readRaw(JsonParser parser, JsonToken value, Fields fields) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        fields.discard(); // a second raw field replaces the first
        fields.raw = new Spill();
        if (value != JsonToken.VALUE_STRING) {
            fields.undecodable = "the raw field is " + value + ", not a string";
            parser.skipChildren();
            return;
        }
        try (Spill out = fields.raw) {
            parser.readBinaryValue(GMAIL_RAW, out);
        } catch (StreamReadException | IllegalArgumentException notBase64Url) {
            // The parser skips the rest of the string on the next token: the fields after raw are still read.
            fields.undecodable = RawMessage.NOT_BASE64URL
                    + (notBase64Url instanceof StreamReadException e ? e.getOriginalMessage() : notBase64Url.getMessage());
        }
    }

    private static List<String> strings(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return List.of();
        }
        List<String> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() == JsonToken.VALUE_STRING) {
                list.add(parser.getText());
            } else {
                parser.skipChildren();
            }
        }
        return list;
    }

    /** The fields read so far. */
    private final class Fields {
        String id;
        String threadId;
        String historyId;
        Long internalDate;
        Integer sizeEstimate;
        List<String> labelIds;
        Spill raw;
        String undecodable;

        RawMessage message() {
            RawMessage.Meta meta = new RawMessage.Meta(id, threadId, labelIds, historyId, internalDate, sizeEstimate);
            Spill bytes = raw == null ? new Spill() : raw;
            return bytes.file == null
                    ? RawMessage.inMemory(meta, bytes.memory.toByteArray(), bytes.sha256(), undecodable)
                    : RawMessage.inFile(meta, bytes.file, bytes.size, bytes.sha256(), undecodable);
        }

        void discard() {
            if (raw != null) {
                raw.delete();
                raw = null;
            }
        }
    }

    /** Decoded bytes: in memory up to the limit, then all of them in an owner-only file; hashed on the way. */
    private final class Spill extends OutputStream {
        final ByteArrayOutputStream memory = new ByteArrayOutputStream();
        final MessageDigest digest = RawMessage.digest();
        Path file;
        OutputStream fileOut;
        long size;
        String sha256;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            digest.update(b, off, len);
            size += len;
            if (fileOut == null && size > memoryLimit) {
                file = Files.createTempFile(spillDir, SPILL_PREFIX, ".eml", OwnerOnly.fileAttributes(spillDir));
                fileOut = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
                memory.writeTo(fileOut);
                memory.reset();
            }
            (fileOut == null ? memory : fileOut).write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (fileOut != null) {
                fileOut.close();
            }
        }

        String sha256() {
            if (sha256 == null) {
                sha256 = HexFormat.of().formatHex(digest.digest());
            }
            return sha256;
        }

        void delete() {
            try {
                close();
                if (file != null) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                // left for the next start's clean-up
            }
        }
    }
}
