package io.mailroute.gmail.mime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Test fixtures: the hand-written corpus in src/test/resources/mime-corpus and independent helpers. */
final class MimeCorpus {

    private MimeCorpus() {
    }

    static byte[] read(String path) {
        try (InputStream in = MimeCorpus.class.getResourceAsStream("/mime-corpus/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource mime-corpus/" + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** LF to CRLF, as Gmail's RAW format delivers it; bytes already preceded by CR are left alone. */
    static byte[] toCrlf(byte[] lf) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(lf.length + lf.length / 20);
        for (int i = 0; i < lf.length; i++) {
            if (lf[i] == '\n' && (i == 0 || lf[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(lf[i]);
        }
        return out.toByteArray();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
