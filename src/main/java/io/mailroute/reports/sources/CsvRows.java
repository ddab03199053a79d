package io.mailroute.reports.sources;

import io.mailroute.reports.Table;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV (RFC 4180) read as a report's table, streamed: the first line names the columns, each later line is a row.
 * Fields are separated by commas; a field in double quotes may hold commas, line breaks and doubled quotes
 * ({@code "say ""hi"""}). Lines end with CRLF, LF or CR. A byte order mark before the header is skipped, and so are
 * lines with nothing on them. Anything else that is not CSV (a row with another number of fields than the header, a
 * quote inside an unquoted field, a quoted field never closed) is an error naming its line, thrown as the rows are
 * read.
 */
final class CsvRows {

    /** The longest field read: a missing closing quote in a large file must not fill memory. */
    static final int MAX_FIELD_CHARS = 1024 * 1024;
    private static final char BOM = '\uFEFF';

    private final InputStream in;
    private final CharsetDecoder decoder;
    private final ByteBuffer bytes = ByteBuffer.allocate(8192).flip();
    /** The input's end was read, and then all of it decoded. */
    private boolean ended;
    private boolean flushed;
    private final String origin;
    private final String fix;
    private final char[] buffer = new char[8192];
    private final CharBuffer chars = CharBuffer.wrap(buffer);
    private int position;
    private int limit;
    /** The line (from 1) the next character is on. */
    private int line = 1;
    /** The line the record being read started on. */
    private int recordLine;

    /**
     * @param origin what is being read, to start messages ("report 'x': the CSV from https://...")
     * @param fix    what to do when it is not CSV, to end messages
     */
    private CsvRows(InputStream in, Charset charset, String origin, String fix) {
        this.in = in;
        this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        this.origin = origin;
        this.fix = fix;
    }

    /**
     * Reads the header line now and returns the table whose rows are read from {@code in} as they are iterated. The
     * caller closes {@code in}.
     */
    static Table table(String title, InputStream in, Charset charset, String origin, String fix) throws SourceException {
        CsvRows csv = new CsvRows(in, charset, origin, fix);
        if (csv.peek() == BOM) {
            csv.read();
        }
        List<String> columns = csv.record();
        if (columns == null) {
            throw new SourceException(origin + " is empty: it needs a header line naming the columns. " + fix);
        }
        int width = columns.size();
        return new Table(title, columns, new LazyRows(() -> {
            List<String> row = csv.record();
            if (row != null && row.size() != width) {
                throw new SourceException(origin + ": line " + csv.recordLine + " has " + row.size() + " field"
                        + (row.size() == 1 ? "" : "s") + " but the header line has " + width + " columns (a value with a "
                        + "comma must be in double quotes). " + fix);
            }
            return row;
        }));
    }

    /** The next record's fields, or null at the end of the input; lines with nothing on them are skipped. */
    private List<String> record() throws SourceException {
        int c;
        while ((c = peek()) == '\n' || c == '\r') {
            lineBreak(read());
        }
        if (c < 0) {
            return null;
        }
        recordLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            field.setLength(0);
            c = read();
            if (c == '"') {
                quoted(field);
                c = read();
                if (c != ',' && c != '\n' && c != '\r' && c >= 0) {
                    throw malformed("line " + line + " has text after a closing quote: a quote inside a quoted field "
                            + "is written twice (\"\")");
                }
            } else {
                while (c != ',' && c != '\n' && c != '\r' && c >= 0) {
                    if (c == '"') {
                        throw malformed("line " + line + " has a quote inside a field that does not start with one: "
                                + "quote the whole field and double the quote (\"a \"\"b\"\" c\")");
                    }
                    append(field, (char) c);
                    c = read();
                }
            }
            fields.add(field.toString());
            if (c != ',') {
                lineBreak(c);
                return fields;
            }
        }
    }

    /** A quoted field's text, after its opening quote up to and without its closing quote. */
    private void quoted(StringBuilder field) throws SourceException {
        int opened = line;
        while (true) {
            int c = read();
            if (c < 0) {
                throw malformed("the quoted field opened on line " + opened + " is never closed");
            }
            if (c == '"') {
                if (peek() != '"') {
                    return;
                }
                read();
            } else if (c == '\n' || c == '\r' && peek() != '\n') {
                line++;
            }
            append(field, (char) c);
        }
    }

    private void append(StringBuilder field, char c) throws SourceException {
        if (field.length() >= MAX_FIELD_CHARS) {
            throw malformed("line " + recordLine + " has a field longer than " + MAX_FIELD_CHARS + " characters (is a "
                    + "closing quote missing?)");
        }
        field.append(c);
    }

    /** Counts the line break just read (CRLF, LF or CR); nothing at the end of the input. */
    private void lineBreak(int c) throws SourceException {
        if (c == '\r' && peek() == '\n') {
            read();
        }
        if (c >= 0) {
            line++;
        }
    }

    private SourceException malformed(String what) {
        return new SourceException(origin + " is not valid CSV: " + what + ". " + fix);
    }

    private int peek() throws SourceException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position];
    }

    private int read() throws SourceException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++];
    }

    /**
     * Decodes the next characters. Decoded here rather than by a Reader so that text before a byte that is not in the
     * character set is parsed first, and the message names the line that byte is on.
     */
    private boolean fill() throws SourceException {
        if (flushed) {
            return false;
        }
        chars.clear();
        try {
            while (true) {
                CoderResult result = decoder.decode(bytes, chars, ended);
                if (result.isError()) {
                    if (chars.position() > 0) {
                        break; // parse what came before it first
                    }
                    throw new SourceException(origin + " is not " + decoder.charset() + " text on line " + line + ". " + fix);
                }
                if (result.isOverflow() || chars.position() > 0 && ended) {
                    break;
                }
                if (ended) {
                    decoder.flush(chars);
                    flushed = true;
                    break;
                }
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    ended = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
            }
        } catch (IOException e) {
            throw new SourceException(origin + " could not be read after line " + line + ": " + e.getMessage(), e);
        }
        position = 0;
        limit = chars.position();
        return limit > 0;
    }
}
