package io.mailroute.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.reports.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlDocumentTest {

    private static final Documents DOCUMENTS = new Documents(
            Clock.fixed(Instant.parse("2026-03-02T08:00:00Z"), ZoneId.of("Europe/Berlin")));

    private static final String SCRIPT = "<script>alert('x')</script>";
    private static final String ATTRIBUTE_BREAKOUT = "\" onmouseover=\"alert(1)\" x='";
    private static final String MARKUP = "<img src=x onerror=alert(1)> & </td></tr></table><h1>owned</h1>";

    @TempDir
    Path dir;

    @Test
    void hostileCellsTitleAndColumnsAreShownAsTextNeverAsMarkup() throws IOException {
        Path file = dir.resolve("hostile.html");
        Table table = new Table("Report " + SCRIPT, List.of("name " + SCRIPT, "note"),
                List.of(List.of(SCRIPT, ATTRIBUTE_BREAKOUT), List.of(MARKUP, "two\nlines")));

        DOCUMENTS.render(table, DocumentFormat.HTML, file);

        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertFalse(html.contains("<script"), html);
        assertFalse(html.contains("<img"), html);
        assertFalse(html.contains("<h1>owned"), html);
        Document page = Jsoup.parse(html);
        assertTrue(page.select("script, img, [onmouseover], [onerror]").isEmpty(), "no element came from a cell");
        assertEquals("Report " + SCRIPT, page.title());
        assertEquals("Report " + SCRIPT, page.selectFirst("h1").text());
        assertEquals(List.of("name " + SCRIPT, "note"), page.select("thead th").eachText());
        List<Element> rows = page.select("tbody tr");
        assertEquals(2, rows.size());
        assertEquals(List.of(SCRIPT, ATTRIBUTE_BREAKOUT), rows.get(0).select("td").eachText());
        assertEquals(MARKUP, rows.get(1).child(0).text());
        assertEquals("two\nlines", rows.get(1).child(1).wholeText()); // shown on two lines (white-space: pre-wrap)
    }

    @Test
    void thePageIsSelfContainedAndSaysWhenItWasGeneratedAndHowManyRows() throws IOException {
        Path file = dir.resolve("plain.html");
        DOCUMENTS.render(new Table("Queue status", List.of("queue", "open"),
                List.of(List.of("support", "3"), List.of("billing", "0"))), DocumentFormat.HTML, file);

        String html = Files.readString(file, StandardCharsets.UTF_8);
        Document page = Jsoup.parse(html);
        assertTrue(page.select("link, script, img, iframe, object, [src], [href]").isEmpty(), "nothing fetched: " + html);
        assertFalse(html.contains("http://") || html.contains("https://"), html);
        assertTrue(page.select("style").first().data().contains("border-collapse"), "the CSS is inline");
        assertEquals("default-src 'none'; style-src 'unsafe-inline'",
                page.selectFirst("meta[http-equiv=Content-Security-Policy]").attr("content"));
        Element time = page.selectFirst("time");
        assertEquals("2026-03-02T09:00:00+01:00", time.attr("datetime"));
        assertEquals("2026-03-02 09:00:00 +01:00", time.text());
        assertEquals("2 rows", page.select("p.meta").last().text());
        assertTrue(html.endsWith("</html>\n"));
    }
}
