package io.mailroute.reports.render;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.Rectangle;
import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.PdfDate;
import com.lowagie.text.pdf.PdfName;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import io.mailroute.reports.Table;
import io.mailroute.text.Counted;
import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.ZonedDateTime;
import java.util.GregorianCalendar;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PDF with OpenPDF: the title and generation time, then the table, which breaks across pages with its header row
 * repeated on each, and "Page N of M" at the foot of every page (in one pass: M is a template filled in when the
 * document closes). A4 portrait, landscape when the table has more than {@value #PORTRAIT_MAX_COLUMNS} columns.
 * <p>
 * Streaming: the table is handed to the document every {@value #ROWS_PER_FLUSH} rows as an incomplete
 * {@link PdfPTable} (OpenPDF's "large table"), which lays out and writes those rows and forgets them; pages are
 * written to the stream as they fill.
 * <p>
 * Fonts: the standard Helvetica cannot show text outside Latin-1, so the text is set in Liberation Sans, the
 * TrueType font OpenPDF ships in its own jar ({@value #FONT_RESOURCE}), embedded as a subset. It covers Latin,
 * Greek and Cyrillic but not CJK, Arabic, Hebrew, Indic scripts or emoji (and would not shape right-to-left text
 * if it did): a character it has no glyph for is shown as {@value #UNSHOWABLE} — visibly, never dropped — and the
 * count of those is logged. Control characters other than line breaks are shown as spaces.
 */
final class PdfDocument implements DocumentWriter {

    static final int PORTRAIT_MAX_COLUMNS = 6;
    static final int ROWS_PER_FLUSH = 50;
    static final String FONT_RESOURCE = "/font-fallback/LiberationSans-Regular.ttf";
    /** U+25A1 WHITE SQUARE, the usual stand-in for a missing glyph, and one Liberation Sans has. */
    static final String UNSHOWABLE = "\u25A1";

    private static final Logger LOG = LoggerFactory.getLogger(PdfDocument.class);
    private static final Color HEADER_BACKGROUND = new Color(0xEC, 0xEF, 0xF3);
    private static final Color MUTED = new Color(0x55, 0x55, 0x55);
    private static final float MARGIN = 36; // half an inch
    private static final float FOOTER_MARGIN = 54; // room for the page numbers below the table

    @Override
    public long write(Table table, ZonedDateTime generatedAt, OutputStream out) throws IOException {
        BaseFont baseFont = font();
        PdfText text = new PdfText(baseFont);
        int columns = table.columns().size();
        Rectangle page = columns > PORTRAIT_MAX_COLUMNS
                ? new Rectangle(PageSize.A4.getHeight(), PageSize.A4.getWidth()) // a landscape page, not a rotated portrait one
                : PageSize.A4;
        Document document = new Document(page, MARGIN, MARGIN, MARGIN, FOOTER_MARGIN);
        Font body = new Font(baseFont, 8);
        Font header = new Font(baseFont, 8, Font.BOLD);
        long rows;
        try {
            PdfWriter writer = PdfWriter.getInstance(document, out);
            writer.setCloseStream(false); // Documents owns the stream: it hashes, syncs and closes it
            writer.setPageEvent(new PdfPageNumbers(baseFont, MUTED));
            document.addTitle(text.shown(table.title()));
            document.addCreator("Mailroute");
            writer.getInfo().put(PdfName.CREATIONDATE, new PdfDate(GregorianCalendar.from(generatedAt)));
            document.open();
            document.add(new Paragraph(text.shown(table.title()), new Font(baseFont, 16, Font.BOLD)));
            Paragraph generated = new Paragraph("Generated " + generatedAt.format(Documents.GENERATED_AT),
                    new Font(baseFont, 9, Font.NORMAL, MUTED));
            generated.setSpacingAfter(8);
            document.add(generated);

            PdfPTable pdfTable = new PdfPTable(columns);
            pdfTable.setWidthPercentage(100);
            pdfTable.setHeaderRows(1);
            pdfTable.setComplete(false);
            for (String column : table.columns()) {
                PdfPCell cell = cell(text.shown(column), header);
                cell.setBackgroundColor(HEADER_BACKGROUND);
                pdfTable.addCell(cell);
            }
            rows = TableRows.each(table, new TableRows.RowWriter() {
                private long pending;

                @Override
                public void write(List<String> cells) {
                    for (String value : cells) {
                        pdfTable.addCell(cell(text.shown(value), body));
                    }
                    if (++pending == ROWS_PER_FLUSH) {
                        addRows(document, writer, pdfTable); // lays out and writes these rows, then drops them
                        pending = 0;
                    }
                }
            });
            pdfTable.setComplete(true);
            addRows(document, writer, pdfTable);
            Paragraph count = new Paragraph(rows == 0 ? "No rows." : Counted.of(rows, "row"), new Font(baseFont, 9, Font.NORMAL, MUTED));
            count.setSpacingBefore(6);
            document.add(count);
        } catch (DocumentException e) {
            throw new IOException("OpenPDF could not lay out the document: " + e.getMessage(), e);
        } finally {
            if (document.isOpen()) {
                document.close(); // writes the last page, the page count and the trailer
            }
        }
        if (text.unshowable() > 0) {
            LOG.warn("The PDF of the report \"{}\" shows {} as {}: its font (Liberation Sans) has no glyph for them;"
                    + " the CSV and HTML formats show every character", table.title(),
                    Counted.of(text.unshowable(), "character"), UNSHOWABLE);
        }
        return rows;
    }

    /**
     * Adds the table's pending rows to the document. Once part of a large table is written, OpenPDF skips its header
     * for the next part ({@code flushContent} sets "skip first header") even when that part starts a page (the last
     * part filled the page, or the next row does not fit below it), which would leave that page without a header; so
     * the header is skipped only when the next part continues a page that already has the table on it. A row fits
     * as OpenPDF's {@code ColumnText} decides: when it ends no lower than the bottom margin.
     */
    private static void addRows(Document document, PdfWriter writer, PdfPTable table) {
        if (table.isSkipFirstHeader()) {
            float y = writer.getVerticalPosition(true);
            boolean pageStarted = y < document.top();
            boolean nextRowFits = y - table.getRowHeight(table.getHeaderRows()) >= document.bottom();
            table.setSkipFirstHeader(pageStarted && nextRowFits);
        }
        document.add(table);
    }

    private static PdfPCell cell(String value, Font font) {
        PdfPCell cell = new PdfPCell(new Phrase(value, font));
        cell.setPadding(3);
        cell.setBorderColor(Color.LIGHT_GRAY);
        cell.setVerticalAlignment(Element.ALIGN_TOP);
        return cell;
    }

    /** Liberation Sans from OpenPDF's jar, embedded as a subset, Unicode (Identity-H) encoded. */
    static BaseFont font() throws IOException {
        try (InputStream in = Document.class.getResourceAsStream(FONT_RESOURCE)) {
            if (in == null) {
                throw new IOException("the font " + FONT_RESOURCE + " is not in OpenPDF's jar: check the openpdf version in pom.xml");
            }
            return BaseFont.createFont("LiberationSans-Regular.ttf", BaseFont.IDENTITY_H, BaseFont.EMBEDDED,
                    BaseFont.NOT_CACHED, in.readAllBytes(), null);
        } catch (DocumentException e) {
            throw new IOException("could not load the font " + FONT_RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
