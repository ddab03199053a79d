package io.mailroute.gmail.mime;

import java.nio.charset.StandardCharsets;

/**
 * Makes a sender-chosen filename safe to show and to save: no directories, no control or bidi-override
 * characters (which disguise "exe" as "pdf"), no characters Windows rejects, at most 255 UTF-8 bytes
 * with the extension kept, never empty.
 */
final class AttachmentFilenames {

    static final String FALLBACK = "attachment";
    private static final int MAX_BYTES = 255;
    private static final int MAX_EXTENSION_CHARS = 16;

    private AttachmentFilenames() {
    }

    static String sanitise(String name) {
        if (name == null) {
            return FALLBACK;
        }
        String s = HeaderText.clean(EncodedWords.decode(name));
        int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
        if (slash >= 0) {
            s = s.substring(slash + 1);
        }
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (isInvisibleFormatting(cp)) {
                return;
            }
            out.appendCodePoint(":*?\"<>|".indexOf(cp) >= 0 ? '_' : cp);
        });
        // Leading dots hide files or climb directories; trailing dots and spaces are dropped by Windows.
        String result = out.toString().replaceAll("^[.\\s]+|[.\\s]+$", "");
        result = truncate(result);
        return result.isEmpty() ? FALLBACK : result;
    }

    private static boolean isInvisibleFormatting(int cp) {
        return Character.getType(cp) == Character.FORMAT // bidi overrides, zero-width joiners, BOM
                || Character.isISOControl(cp);
    }

    private static String truncate(String s) {
        if (utf8Length(s) <= MAX_BYTES) {
            return s;
        }
        int dot = s.lastIndexOf('.');
        String extension = dot > 0 && s.length() - dot <= MAX_EXTENSION_CHARS ? s.substring(dot) : "";
        String stem = extension.isEmpty() ? s : s.substring(0, dot);
        int budget = MAX_BYTES - utf8Length(extension);
        StringBuilder kept = new StringBuilder();
        int used = 0;
        for (int i = 0; i < stem.length(); ) {
            int cp = stem.codePointAt(i);
            int len = utf8Length(new String(Character.toChars(cp)));
            if (used + len > budget) {
                break;
            }
            kept.appendCodePoint(cp);
            used += len;
            i += Character.charCount(cp);
        }
        return kept.toString().strip() + extension;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
