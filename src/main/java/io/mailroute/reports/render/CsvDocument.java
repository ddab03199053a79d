package io.mailroute.reports.render;

import io.mailroute.reports.Table;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * CSV as RFC 4180 has it: a header record, CRLF between records, a field quoted when it holds a comma, a double
 * quote, CR or LF, its double quotes doubled. UTF-8, starting with a byte order mark: without one, Excel (which is
 * where a business recipient opens a CSV) reads the file as Windows-1252 and garbles every accented name.
 * <p>
 * Cells come from mail and from other systems, so each is neutralised against spreadsheet formula injection
 * (OWASP "CSV Injection", ASVS 1.2.10): a cell starting with {@code = + - @}, TAB, CR or NUL gets a leading
 * apostrophe, which spreadsheets take as "this is text" and do not show. The price, paid knowingly: a negative
 * number such as {@code -5} arrives as the text {@code '-5}. The title and generation time are not in the file:
 * a CSV holds data only, and its name says what it is.
 */
final class CsvDocument implements DocumentWriter {

    /** U+FEFF, which UTF-8 encodes as EF BB BF. */
    static final char BYTE_ORDER_MARK = '\uFEFF';

    private static final String FORMULA_STARTS = "=+-@\t\r\0";

    @Override
    public long write(Table table, ZonedDateTime generatedAt, OutputStream out) throws IOException {
        Writer csv = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        csv.write(BYTE_ORDER_MARK);
        record(csv, table.columns());
        long rows = TableRows.each(table, cells -> record(csv, cells));
        csv.flush();
        return rows;
    }

    private static void record(Writer csv, List<String> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                csv.write(',');
            }
            csv.write(field(cells.get(i)));
        }
        csv.write("\r\n");
    }

    /** One cell as a CSV field: neutralised, then quoted if it must be. */
    static String field(String cell) {
        String text = neutralised(cell);
        boolean quote = text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0;
        return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
    }

    /** The cell with a leading apostrophe when a spreadsheet would otherwise read it as a formula. */
    static String neutralised(String cell) {
        return !cell.isEmpty() && FORMULA_STARTS.indexOf(cell.charAt(0)) >= 0 ? "'" + cell : cell;
    }
}
