package io.mailroute.console.overview;

import java.util.List;

/**
 * One chart of the Overview as {@code console-overview.mustache} draws it: an inline SVG (its shapes placed here, in
 * pixels of its {@code viewBox}), a legend, and the same numbers as a table for screen readers. Every text in it
 * reaches the page through Mustache's escaping; colours are the stylesheet's classes ({@code series-0} ...).
 *
 * @param empty true when the window holds nothing: the page says so instead of drawing an empty chart
 * @param summary a sentence of what the chart shows, the SVG's accessible name
 */
public record Chart(String id, String heading, String note, boolean empty, String summary, Svg svg, List<LegendEntry> legend,
        Table table) {

    /** What an empty chart says. */
    public static final String NOTHING = "Nothing in the last 24 hours.";

    static Chart empty(String id, String heading, String note) {
        return new Chart(id, heading, note, true, NOTHING, null, List.of(), null);
    }

    /** The drawing. */
    public record Svg(int width, int height, List<Line> grid, List<Label> labels, List<Bar> bars, List<Polyline> lines,
            List<Dot> dots) {
    }

    /** A bar (or a segment of a stacked bar), with its value in words as its tooltip. */
    public record Bar(double x, double y, double width, double height, String css, String title) {
    }

    /** A grid line. */
    public record Line(double x1, double y1, double x2, double y2) {
    }

    /** An axis or bar label; {@code anchor} is start, middle or end. */
    public record Label(double x, double y, String anchor, String text) {
    }

    /** A line through points ({@code "x,y x,y ..."}). */
    public record Polyline(String points, String css) {
    }

    /** A point of a line, with its value in words as its tooltip. */
    public record Dot(double cx, double cy, String css, String title) {
    }

    public record LegendEntry(String label, String css) {
    }

    /** The numbers as a table: a header row, then one row per hour or category. */
    public record Table(String caption, List<String> columns, List<Row> rows) {
    }

    public record Row(String head, List<String> cells) {
    }
}
