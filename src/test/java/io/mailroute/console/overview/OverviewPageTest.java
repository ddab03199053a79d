package io.mailroute.console.overview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.access.Role;
import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.pages.Pages;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Overview page as the console serves it (the real templates and stylesheet classes), for data with known numbers:
 * every chart's SVG is well-formed, bars are as long as their values, labels from data are escaped, every bar carries its
 * value, and a window with nothing in it says so instead of drawing an empty chart.
 */
class OverviewPageTest {

    private static final Instant NOW = Instant.parse("2026-03-10T14:25:00Z");
    private static final OverviewWindow WINDOW = OverviewWindow.endingAt(NOW);
    private static final ConsoleRequest VIEWER = new ConsoleRequest("ops-viewer", Role.VIEWER, "csrf-token");
    private static final String HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

    private final OverviewPage page = new OverviewPage(null, new ConsolePages(new Pages()), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void stackedHourlyBarsAreAsTallAsTheirCountsAndCarryThemInTheirTitles() throws Exception {
        Map<String, long[]> in = new LinkedHashMap<>();
        in.put("support", OverviewQueriesTest.hours(Map.of(3, 10L, 7, 5L)));
        in.put("hr", OverviewQueriesTest.hours(Map.of(3, 5L)));
        String html = render(new OverviewData(WINDOW, in, List.of(), List.of(), Map.of(), List.of()));
        assertTrue(html.contains("<main class=\"console-main\">"), "a console page is as wide as the console's layout");

        List<Element> bars = elements(svg(html, "messages-in"), "rect");
        assertEquals(3, bars.size());
        Element support3 = bar(bars, "18:00–19:00, support: 10 messages");
        Element hr3 = bar(bars, "18:00–19:00, hr: 5 messages");
        Element support7 = bar(bars, "22:00–23:00, support: 5 messages");
        assertEquals(2.0, height(support3) / height(support7), 0.02, "10 is twice as tall as 5");
        assertEquals(height(support7), height(hr3), 0.05);
        assertEquals(y(support7) + height(support7), y(support3) + height(support3), 0.05, "on the same baseline");
        assertEquals(y(support3), y(hr3) + height(hr3), 0.05, "hr stacked on support");
        assertTrue(html.contains("Messages in per hour, last 24 hours: 20 messages in all."), html);
        // the table under it says the same
        assertTrue(html.contains("<tr><th scope=\"row\">18:00–19:00</th><td>10</td><td>5</td><td>15</td></tr>"), html);
        assertEquals(4, count(html, "<p class=\"empty\">Nothing in the last 24 hours.</p>"), "the other four are empty");
    }

    @Test
    void categoryBarsAreAsLongAsTheirCounts() throws Exception {
        String html = render(new OverviewData(WINDOW, Map.of(), List.of(new OverviewData.Count("billing", "NEW", 8),
                new OverviewData.Count("billing", "CLOSED", 4), new OverviewData.Count("people", "NEW", 3)), List.of(), Map.of(),
                List.of()));

        List<Element> bars = elements(svg(html, "items"), "rect");
        double newBilling = width(bar(bars, "billing, NEW: 8 items"));
        assertEquals(2.0, newBilling / width(bar(bars, "billing, CLOSED: 4 items")), 0.02);
        assertEquals(8 / 3.0, newBilling / width(bar(bars, "people, NEW: 3 items")), 0.02);
        assertTrue(html.contains("<th scope=\"col\">Queue</th><th scope=\"col\">CLOSED</th><th scope=\"col\">NEW</th>"), html);
    }

    @Test
    void latencyIsDrawnAsLinesOfTheMedianAndThe95thPercentile() throws Exception {
        String html = render(new OverviewData(WINDOW, Map.of(), List.of(), List.of(), Map.of(), List.of(
                new OverviewData.LatencyHour(18, 1, 1_500, 1_500), new OverviewData.LatencyHour(22, 20, 10_000, 19_000),
                new OverviewData.LatencyHour(23, 4, 800, 2_000))));

        Document svg = svg(html, "push-latency");
        assertEquals(4, elements(svg, "polyline").size(), "two lines, each broken where an hour had no pushes");
        List<Element> dots = elements(svg, "circle");
        assertEquals(6, dots.size());
        // values are drawn upward from the axis: a larger one is higher (a smaller y)
        double p95 = Double.parseDouble(bar(dots, "13:00–14:00, 95th percentile (p95): 19 s (20 pushes)").getAttribute("cy"));
        double p50 = Double.parseDouble(bar(dots, "13:00–14:00, median (p50): 10 s (20 pushes)").getAttribute("cy"));
        double later = Double.parseDouble(bar(dots, "14:00–15:00, median (p50): 800 ms (4 pushes)").getAttribute("cy"));
        assertTrue(p95 < p50 && p50 < later, p95 + " < " + p50 + " < " + later);
        double axis = 260 - 36; // the plot's bottom
        assertEquals(19.0 / 10, (axis - p95) / (axis - p50), 0.02, "heights above the axis proportional");
        assertTrue(html.contains("<td>20</td><td>10 s</td><td>19 s</td>"), html);
    }

    @Test
    void labelsFromDataAreEscapedEverywhere() throws Exception {
        Map<String, long[]> in = Map.of(HOSTILE, OverviewQueriesTest.hours(Map.of(1, 2L)));
        String html = render(new OverviewData(WINDOW, in, List.of(new OverviewData.Count(HOSTILE, HOSTILE, 3)),
                List.of(new OverviewData.Count("SENT", HOSTILE, 1)), in, List.of()));

        assertFalse(html.contains("<script"), "no script element");
        assertFalse(html.contains("<img"), "no element from a label");
        assertFalse(html.contains("\"'>"), "no attribute broken out of");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        for (String chart : List.of("messages-in", "items", "deliveries", "sla-breaches")) {
            Document svg = svg(html, chart); // parses: the label did not break the SVG
            assertTrue(elements(svg, "title").stream().anyMatch(t -> t.getTextContent().contains(HOSTILE)), chart);
        }
        String shortened = HOSTILE.substring(0, OverviewCharts.LABEL_CHARS - 1) + "…";
        assertTrue(elements(svg(html, "items"), "text").stream().anyMatch(t -> t.getTextContent().equals(shortened)),
                "a long label is shortened on the chart, whole in its title and the table");
    }

    @Test
    void nothingInTheWindowSaysSoInsteadOfDrawingEmptyCharts() {
        String html = render(new OverviewData(WINDOW, Map.of("support", new long[OverviewWindow.HOURS]), List.of(), List.of(),
                Map.of(), List.of()));

        assertEquals(5, count(html, "<p class=\"empty\">Nothing in the last 24 hours.</p>"), html);
        assertFalse(html.contains("<svg"), html);
        assertFalse(html.contains("<table"), html);
        assertTrue(html.contains("<h1>Overview</h1>"));
        assertTrue(html.contains("What came in and went out lately"), "the pages and what each is for stay");
    }

    @Test
    void thePageKeepsToItsContentSecurityPolicy() {
        Map<String, long[]> in = Map.of("support", OverviewQueriesTest.hours(Map.of(1, 2L)));
        String html = render(new OverviewData(WINDOW, in, List.of(new OverviewData.Count("q", "NEW", 1)),
                List.of(new OverviewData.Count("SENT", "fcm", 1)), in, List.of(new OverviewData.LatencyHour(2, 1, 5, 5))));

        assertEquals(5, count(html, "<svg class=\"chart\""));
        assertFalse(Pattern.compile("\\sstyle=|<style|<script|\\son[a-z]+=|javascript:|https?://(?!www\\.w3\\.org/2000/svg)")
                .matcher(html).find(), "no inline style, script, handler or outside address: default-src 'none' allows none");
    }

    @Test
    void manyMailboxesAreCutToTheLargestAndTheOthers() {
        Map<String, long[]> in = new LinkedHashMap<>();
        for (int i = 1; i <= 10; i++) {
            in.put("mailbox-" + i, OverviewQueriesTest.hours(Map.of(0, (long) i)));
        }
        Map<String, long[]> kept = OverviewCharts.largest(in, OverviewCharts.MAX_SERIES, "mailbox");
        assertEquals(List.of("mailbox-10", "mailbox-9", "mailbox-8", "mailbox-7", "mailbox-6", "mailbox-5", "mailbox-4",
                "3 other mailboxes"), new ArrayList<>(kept.keySet()));
        assertEquals(1 + 2 + 3, kept.get("3 other mailboxes")[0]);
    }

    @Test
    void durationsInWords() {
        assertEquals("350 ms", OverviewCharts.duration(350));
        assertEquals("1.5 s", OverviewCharts.duration(1_500));
        assertEquals("19 s", OverviewCharts.duration(19_000));
        assertEquals("2.5 min", OverviewCharts.duration(150_000));
        assertEquals("1.2 h", OverviewCharts.duration(4_320_000));
    }

    private String render(OverviewData data) {
        return page.render(VIEWER, data).html();
    }

    /** The SVG of one chart, parsed as XML. */
    private static Document svg(String html, String chart) throws Exception {
        Matcher section = Pattern.compile("<section class=\"card chart\" id=\"" + chart + "\".*?</section>", Pattern.DOTALL)
                .matcher(html);
        assertTrue(section.find(), chart + " in " + html);
        Matcher svg = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(section.group());
        assertTrue(svg.find(), "an svg in " + section.group());
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.group().getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> elements(Document document, String name) {
        NodeList nodes = document.getElementsByTagName(name);
        List<Element> elements = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            elements.add((Element) nodes.item(i));
        }
        return elements;
    }

    /** The bar (or point) whose title is this. */
    private static Element bar(List<Element> shapes, String title) {
        return shapes.stream().filter(s -> s.getElementsByTagName("title").item(0).getTextContent().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no shape titled " + title + " among " + shapes.stream()
                        .map(s -> s.getElementsByTagName("title").item(0).getTextContent()).toList()));
    }

    private static double height(Element rect) {
        return Double.parseDouble(rect.getAttribute("height"));
    }

    private static double width(Element rect) {
        return Double.parseDouble(rect.getAttribute("width"));
    }

    private static double y(Element rect) {
        return Double.parseDouble(rect.getAttribute("y"));
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
