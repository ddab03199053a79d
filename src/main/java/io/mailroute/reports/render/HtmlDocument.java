package io.mailroute.reports.render;

import com.github.mustachejava.util.HtmlEscaper;
import io.mailroute.reports.Table;
import io.mailroute.text.Counted;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * One self-contained HTML page: the CSS inline, no script, no image, no font or stylesheet fetched from anywhere
 * (its Content-Security-Policy forbids every fetch), so it reads the same offline, as a mail attachment or from a
 * download link. Every text in it, the title and column names included, is escaped with mustache.java's
 * {@link HtmlEscaper}, the escaper the pages' templates use ({@code & < > " ' ` =}).
 */
final class HtmlDocument implements DocumentWriter {

    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem;color:#1b1b1b}
            h1{font-size:1.4rem;margin:0 0 .25rem}
            .meta{color:#555;margin:0 0 1rem;font-size:.9rem}
            table{border-collapse:collapse;font-size:.9rem}
            th,td{border:1px solid #c8c8c8;padding:.3rem .5rem;text-align:left;vertical-align:top;white-space:pre-wrap}
            thead th{background:#eceff3;position:sticky;top:0}
            tbody tr:nth-child(even){background:#f7f8fa}
            @media print{thead{display:table-header-group}thead th{position:static}}
            """;

    @Override
    public long write(Table table, ZonedDateTime generatedAt, OutputStream out) throws IOException {
        Writer html = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        html.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.write("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
        html.write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
        HtmlEscaper.escape(table.title(), html);
        html.write("</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n<h1>");
        HtmlEscaper.escape(table.title(), html);
        html.write("</h1>\n<p class=\"meta\">Generated <time datetime=\"");
        HtmlEscaper.escape(generatedAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), html);
        html.write("\">");
        HtmlEscaper.escape(generatedAt.format(Documents.GENERATED_AT), html);
        html.write("</time></p>\n<table>\n<thead>\n<tr>");
        for (String column : table.columns()) {
            html.write("<th scope=\"col\">");
            HtmlEscaper.escape(column, html);
            html.write("</th>");
        }
        html.write("</tr>\n</thead>\n<tbody>\n");
        long rows = TableRows.each(table, cells -> {
            html.write("<tr>");
            for (String cell : cells) {
                html.write("<td>");
                HtmlEscaper.escape(cell, html);
                html.write("</td>");
            }
            html.write("</tr>\n");
        });
        html.write("</tbody>\n</table>\n<p class=\"meta\">");
        html.write(Counted.of(rows, "row")); // digits and a word: nothing to escape
        html.write("</p>\n</body>\n</html>\n");
        html.flush();
        return rows;
    }
}
