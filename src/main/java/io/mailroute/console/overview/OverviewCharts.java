package io.mailroute.console.overview;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Lays out the Overview's charts: where each bar, grid line, label and point goes, in pixels of the SVG's viewBox, with
 * bar lengths proportional to their values on an axis from 0 to a round maximum. Three kinds: bars per hour stacked by
 * series, bars per category (horizontal, stacked by series), and lines per hour. Many series or categories are cut to
 * the largest few and one "n others" for the rest, so a chart stays readable however many mailboxes or queues there are.
 */
final class OverviewCharts {

    static final int WIDTH = 720;
    static final int MAX_SERIES = 8;
    static final int MAX_CATEGORIES = 12;
    static final int LABEL_CHARS = 20;
    private static final String OTHER_CSS = "series-other";
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    // the hourly charts' plot area
    private static final int HOURLY_HEIGHT = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 12;
    private static final int TOP = 12;
    private static final int BOTTOM = 36;
    // the category chart's rows
    private static final int LABEL_WIDTH = 200;
    private static final int ROW = 28;
    private static final int BAR = 18;
    private static final int VALUE_ROOM = 48;

    private OverviewCharts() {
    }

    /**
     * Bars per hour of the window, stacked by series (a mailbox).
     *
     * @param what the counted things, plural, for titles ("messages")
     */
    static Chart hourlyBars(String id, String heading, String note, OverviewWindow window, Map<String, long[]> bySeries,
            String seriesName, String what) {
        Map<String, long[]> series = largest(bySeries, MAX_SERIES, seriesName);
        long total = series.values().stream().flatMapToLong(java.util.Arrays::stream).sum();
        if (total == 0) {
            return Chart.empty(id, heading, note);
        }
        long[] stacks = new long[OverviewWindow.HOURS];
        series.values().forEach(counts -> {
            for (int h = 0; h < stacks.length; h++) {
                stacks[h] += counts[h];
            }
        });
        Axis axis = Axis.over(max(stacks), Long::toString);
        double plotHeight = HOURLY_HEIGHT - TOP - BOTTOM;
        double slot = (WIDTH - LEFT - RIGHT) / (double) OverviewWindow.HOURS;
        List<Chart.Bar> bars = new ArrayList<>();
        List<String> names = new ArrayList<>(series.keySet());
        for (int h = 0; h < OverviewWindow.HOURS; h++) {
            double base = TOP + plotHeight;
            for (int s = 0; s < names.size(); s++) {
                long value = series.get(names.get(s))[h];
                if (value > 0) {
                    double height = axis.length(value, plotHeight);
                    base -= height;
                    bars.add(new Chart.Bar(round(LEFT + h * slot + slot * 0.14), round(base), round(slot * 0.72), round(height),
                            css(names, s), hours(window, h) + ", " + names.get(s) + ": " + value + " " + what));
                }
            }
        }
        List<Chart.Row> rows = new ArrayList<>();
        for (int h = 0; h < OverviewWindow.HOURS; h++) {
            List<String> cells = new ArrayList<>();
            for (long[] counts : series.values()) {
                cells.add(Long.toString(counts[h]));
            }
            cells.add(Long.toString(stacks[h]));
            rows.add(new Chart.Row(hours(window, h), cells));
        }
        List<String> columns = new ArrayList<>(names);
        columns.add(0, "Hour (UTC)");
        columns.add("All");
        return new Chart(id, heading, note, false, heading + ", last 24 hours: " + total + " " + what + " in all.",
                hourlySvg(window, axis, bars, List.of(), List.of()), legend(names), new Chart.Table(heading, columns, rows));
    }

    /** Horizontal bars per category (a queue, a status), stacked by series (a state, a channel type). */
    static Chart categoryBars(String id, String heading, String note, List<OverviewData.Count> counts, String categoryName,
            String seriesName, String what) {
        Map<String, Long> byCategory = new LinkedHashMap<>();
        counts.forEach(c -> byCategory.merge(c.category(), c.count(), Long::sum));
        long total = byCategory.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return Chart.empty(id, heading, note);
        }
        List<String> categories = byCategory.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey())).map(Map.Entry::getKey).toList();
        String otherCategories = categories.size() > MAX_CATEGORIES
                ? (categories.size() - MAX_CATEGORIES + 1) + " other " + plural(categoryName) : null;
        List<String> shown = otherCategories == null ? categories : new ArrayList<>(categories.subList(0, MAX_CATEGORIES - 1));
        if (otherCategories != null) {
            shown.add(otherCategories);
        }
        Map<String, Long> seriesTotals = new LinkedHashMap<>();
        counts.forEach(c -> seriesTotals.merge(c.series(), c.count(), Long::sum));
        List<String> seriesNames = seriesTotals.keySet().stream().sorted().toList();
        // category -> series -> count, the cut categories summed into the last row
        Map<String, long[]> grid = new LinkedHashMap<>();
        shown.forEach(category -> grid.put(category, new long[seriesNames.size()]));
        for (OverviewData.Count c : counts) {
            String row = grid.containsKey(c.category()) && !c.category().equals(otherCategories) ? c.category() : otherCategories;
            grid.get(row)[seriesNames.indexOf(c.series())] += c.count();
        }
        long[] rowTotals = grid.values().stream().mapToLong(r -> java.util.Arrays.stream(r).sum()).toArray();
        Axis axis = Axis.over(max(rowTotals), Long::toString);
        int height = TOP + shown.size() * ROW + BOTTOM;
        double plotWidth = WIDTH - LABEL_WIDTH - VALUE_ROOM;
        List<Chart.Bar> bars = new ArrayList<>();
        List<Chart.Label> labels = new ArrayList<>();
        List<Chart.Line> gridLines = new ArrayList<>();
        for (int r = 0; r < shown.size(); r++) {
            String category = shown.get(r);
            double y = TOP + r * ROW + (ROW - BAR) / 2.0;
            double x = LABEL_WIDTH;
            long[] values = grid.get(category);
            for (int s = 0; s < seriesNames.size(); s++) {
                if (values[s] > 0) {
                    double width = axis.length(values[s], plotWidth);
                    bars.add(new Chart.Bar(round(x), round(y), round(width), BAR, css(seriesNames, s),
                            category + ", " + seriesNames.get(s) + ": " + values[s] + " " + what));
                    x += width;
                }
            }
            labels.add(new Chart.Label(LABEL_WIDTH - 8, round(y + BAR - 4), "end", shorten(category)));
            labels.add(new Chart.Label(round(x + 6), round(y + BAR - 4), "start", Long.toString(rowTotals[r])));
        }
        double axisY = TOP + shown.size() * ROW;
        for (long tick : axis.ticks()) {
            double x = round(LABEL_WIDTH + axis.length(tick, plotWidth));
            gridLines.add(new Chart.Line(x, TOP, x, axisY));
            labels.add(new Chart.Label(x, axisY + 18, "middle", axis.label(tick)));
        }
        List<Chart.Row> rows = new ArrayList<>();
        for (int r = 0; r < shown.size(); r++) {
            List<String> cells = new ArrayList<>();
            for (long value : grid.get(shown.get(r))) {
                cells.add(Long.toString(value));
            }
            cells.add(Long.toString(rowTotals[r]));
            rows.add(new Chart.Row(shown.get(r), cells));
        }
        List<String> columns = new ArrayList<>(seriesNames);
        columns.add(0, capitalized(categoryName));
        columns.add("All");
        return new Chart(id, heading, note, false, heading + ", last 24 hours: " + total + " " + what + " in all.",
                new Chart.Svg(WIDTH, height, gridLines, labels, bars, List.of(), List.of()), legend(seriesNames),
                new Chart.Table(heading, columns, rows));
    }

    /** The email→push latency per hour: a line of the medians and one of the 95th percentiles. */
    static Chart latencyLines(String id, String heading, String note, OverviewWindow window, List<OverviewData.LatencyHour> hours) {
        if (hours.isEmpty()) {
            return Chart.empty(id, heading, note);
        }
        Axis axis = Axis.over(hours.stream().mapToLong(OverviewData.LatencyHour::p95Millis).max().orElse(0),
                OverviewCharts::duration);
        double plotHeight = HOURLY_HEIGHT - TOP - BOTTOM;
        double slot = (WIDTH - LEFT - RIGHT) / (double) OverviewWindow.HOURS;
        List<Chart.Polyline> lines = new ArrayList<>();
        List<Chart.Dot> dots = new ArrayList<>();
        String[] names = {"median (p50)", "95th percentile (p95)"};
        for (int s = 0; s < names.length; s++) {
            StringBuilder points = new StringBuilder();
            int previous = -2;
            for (OverviewData.LatencyHour hour : hours) {
                long value = s == 0 ? hour.p50Millis() : hour.p95Millis();
                double cx = round(LEFT + hour.bucket() * slot + slot / 2);
                double cy = round(TOP + plotHeight - axis.length(value, plotHeight));
                if (hour.bucket() != previous + 1 && points.length() > 0) { // an hour without pushes breaks the line
                    lines.add(new Chart.Polyline(points.toString().trim(), "series-" + s));
                    points.setLength(0);
                }
                points.append(cx).append(',').append(cy).append(' ');
                previous = hour.bucket();
                dots.add(new Chart.Dot(cx, cy, "series-" + s, hours(window, hour.bucket()) + ", " + names[s] + ": "
                        + duration(value) + " (" + hour.pushes() + (hour.pushes() == 1 ? " push)" : " pushes)")));
            }
            lines.add(new Chart.Polyline(points.toString().trim(), "series-" + s));
        }
        List<Chart.Row> rows = hours.stream().map(h -> new Chart.Row(hours(window, h.bucket()), List.of(Integer.toString(h.pushes()),
                duration(h.p50Millis()), duration(h.p95Millis())))).toList();
        int pushes = hours.stream().mapToInt(OverviewData.LatencyHour::pushes).sum();
        return new Chart(id, heading, note, false, heading + ", last 24 hours: " + pushes + (pushes == 1 ? " push" : " pushes")
                + " measured.", hourlySvg(window, axis, List.of(), lines, dots),
                List.of(new Chart.LegendEntry(names[0], "series-0"), new Chart.LegendEntry(names[1], "series-1")),
                new Chart.Table(heading, List.of("Hour (UTC)", "Pushes", "p50", "p95"), rows));
    }

    /** The hourly charts' axes: grid lines and labels of the value axis, every third hour on the time axis. */
    private static Chart.Svg hourlySvg(OverviewWindow window, Axis axis, List<Chart.Bar> bars, List<Chart.Polyline> lines,
            List<Chart.Dot> dots) {
        double plotHeight = HOURLY_HEIGHT - TOP - BOTTOM;
        double slot = (WIDTH - LEFT - RIGHT) / (double) OverviewWindow.HOURS;
        List<Chart.Line> grid = new ArrayList<>();
        List<Chart.Label> labels = new ArrayList<>();
        for (long tick : axis.ticks()) {
            double y = round(TOP + plotHeight - axis.length(tick, plotHeight));
            grid.add(new Chart.Line(LEFT, y, WIDTH - RIGHT, y));
            labels.add(new Chart.Label(LEFT - 6, y + 4, "end", axis.label(tick)));
        }
        for (int h = 0; h < OverviewWindow.HOURS; h += 3) {
            labels.add(new Chart.Label(round(LEFT + h * slot + slot / 2), TOP + plotHeight + 20, "middle",
                    HOUR.format(window.bucketStart(h))));
        }
        return new Chart.Svg(WIDTH, HOURLY_HEIGHT, grid, labels, bars, lines, dots);
    }

    /** The series with the largest totals, the rest summed as "n other ...", in order of their totals. */
    static Map<String, long[]> largest(Map<String, long[]> bySeries, int max, String seriesName) {
        List<Map.Entry<String, long[]>> sorted = bySeries.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -java.util.Arrays.stream(e.getValue()).sum())
                        .thenComparing(Map.Entry::getKey)).toList();
        Map<String, long[]> kept = new LinkedHashMap<>();
        boolean cut = sorted.size() > max;
        for (int i = 0; i < sorted.size(); i++) {
            if (!cut || i < max - 1) {
                kept.put(sorted.get(i).getKey(), sorted.get(i).getValue());
            } else {
                long[] other = kept.computeIfAbsent((sorted.size() - max + 1) + " other " + plural(seriesName),
                        k -> new long[OverviewWindow.HOURS]);
                for (int h = 0; h < other.length; h++) {
                    other[h] += sorted.get(i).getValue()[h];
                }
            }
        }
        return kept;
    }

    /** A value axis from 0 to a round maximum, ticks at a round step (1, 2 or 5 times a power of ten, at least 1). */
    record Axis(long max, long step, LongFunction<String> labeller) {

        static Axis over(long largest, LongFunction<String> labeller) {
            long value = Math.max(largest, 1);
            double raw = value / 4.0;
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double residual = raw / magnitude;
            long step = Math.max(1, (long) ((residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude));
            return new Axis((value + step - 1) / step * step, step, labeller);
        }

        /** How long a bar of this value is when the whole axis is {@code full} long. */
        double length(long value, double full) {
            return value * full / max;
        }

        List<Long> ticks() {
            List<Long> ticks = new ArrayList<>();
            for (long tick = 0; tick <= max; tick += step) {
                ticks.add(tick);
            }
            return ticks;
        }

        String label(long tick) {
            return labeller.apply(tick);
        }
    }

    /** Milliseconds in words: 350 ms, 1.5 s, 2.5 min, 1.2 h. */
    static String duration(long millis) {
        if (millis < 1_000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return decimal(millis / 1_000.0) + " s";
        }
        if (millis < 3_600_000) {
            return decimal(millis / 60_000.0) + " min";
        }
        return decimal(millis / 3_600_000.0) + " h";
    }

    private static String decimal(double value) {
        String text = String.format(Locale.ROOT, "%.1f", value);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }

    /** "14:00–15:00". */
    private static String hours(OverviewWindow window, int bucket) {
        return HOUR.format(window.bucketStart(bucket)) + "–" + HOUR.format(window.bucketStart(bucket + 1));
    }

    private static String css(List<String> names, int index) {
        return names.get(index).matches("\\d+ other .*") && index == names.size() - 1 ? OTHER_CSS : "series-" + index;
    }

    private static List<Chart.LegendEntry> legend(List<String> names) {
        List<Chart.LegendEntry> legend = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            legend.add(new Chart.LegendEntry(names.get(i), css(names, i)));
        }
        return legend;
    }

    private static String shorten(String label) {
        return label.length() <= LABEL_CHARS ? label : label.substring(0, LABEL_CHARS - 1) + "…";
    }

    private static String plural(String noun) {
        return noun.endsWith("s") || noun.endsWith("x") ? noun + "es" : noun + "s";
    }

    private static String capitalized(String noun) {
        return noun.isEmpty() ? noun : Character.toUpperCase(noun.charAt(0)) + noun.substring(1);
    }

    private static long max(long[] values) {
        return java.util.Arrays.stream(values).max().orElse(0);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
