package io.mailroute.reports.render;

import com.lowagie.text.pdf.BaseFont;

/** Text made showable in one font: what it has no glyph for replaced visibly, and counted. */
final class PdfText {

    private final BaseFont font;
    private long unshowable;

    PdfText(BaseFont font) {
        this.font = font;
    }

    /**
     * The text as the PDF shows it: line breaks (CRLF, CR, LF) as line breaks, other control characters as
     * spaces, and each character the font has no glyph for as {@link PdfDocument#UNSHOWABLE}.
     */
    String shown(String text) {
        StringBuilder shown = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (c == '\r') {
                shown.append('\n');
                if (i < text.length() && text.charAt(i) == '\n') {
                    i++;
                }
            } else if (c == '\n') {
                shown.append('\n');
            } else if (Character.isISOControl(c)) {
                shown.append(' ');
            } else if (font.charExists(c)) {
                shown.appendCodePoint(c);
            } else {
                shown.append(PdfDocument.UNSHOWABLE);
                unshowable++;
            }
        }
        return shown.toString();
    }

    /** How many characters {@link #shown} has replaced so far. */
    long unshowable() {
        return unshowable;
    }
}
