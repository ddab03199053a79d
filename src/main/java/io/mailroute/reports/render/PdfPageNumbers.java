package io.mailroute.reports.render;

import com.lowagie.text.Document;
import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.PdfContentByte;
import com.lowagie.text.pdf.PdfPageEventHelper;
import com.lowagie.text.pdf.PdfTemplate;
import com.lowagie.text.pdf.PdfWriter;
import java.awt.Color;

/**
 * "Page N of M" at the foot of every page, right-aligned, in one pass: each page shows "Page N of " followed by one
 * shared template, and the template's text (M) is written when the document closes and the page count is known.
 */
final class PdfPageNumbers extends PdfPageEventHelper {

    private static final float SIZE = 8;
    /** Wide enough for the widest page count the template will hold (seven digits). */
    private static final String WIDEST_COUNT = "0000000";

    private final BaseFont font;
    private final Color color;
    private PdfTemplate pageCount;

    PdfPageNumbers(BaseFont font, Color color) {
        this.font = font;
        this.color = color;
    }

    @Override
    public void onOpenDocument(PdfWriter writer, Document document) {
        pageCount = writer.getDirectContent().createTemplate(font.getWidthPoint(WIDEST_COUNT, SIZE), SIZE * 1.5f);
    }

    @Override
    public void onEndPage(PdfWriter writer, Document document) {
        String label = "Page " + writer.getPageNumber() + " of ";
        float labelWidth = font.getWidthPoint(label, SIZE);
        float x = document.right() - labelWidth - font.getWidthPoint(WIDEST_COUNT, SIZE);
        float y = document.bottom() - 24;
        PdfContentByte canvas = writer.getDirectContent();
        canvas.saveState();
        canvas.setColorFill(color);
        canvas.beginText();
        canvas.setFontAndSize(font, SIZE);
        canvas.setTextMatrix(x, y);
        canvas.showText(label);
        canvas.endText();
        canvas.restoreState();
        canvas.addTemplate(pageCount, x + labelWidth, y);
    }

    @Override
    public void onCloseDocument(PdfWriter writer, Document document) {
        pageCount.saveState();
        pageCount.setColorFill(color);
        pageCount.beginText();
        pageCount.setFontAndSize(font, SIZE);
        pageCount.setTextMatrix(0, 0);
        pageCount.showText(String.valueOf(writer.getPageNumber() - 1)); // the number the next page would have had
        pageCount.endText();
        pageCount.restoreState();
    }
}
