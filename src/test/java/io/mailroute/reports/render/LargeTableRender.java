package io.mailroute.reports.render;

import io.mailroute.reports.Table;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Run by {@link LargeTableRenderTest} in a JVM of its own with a small heap: renders a table of {@code rows} rows,
 * made one at a time as they are asked for, in every format to {@code dir}; prints one line per document. With
 * {@code held} it first collects the rows in a list, as a renderer that read its table whole would: the control that
 * shows the heap is too small for that.
 * <p>
 * Arguments: {@code dir rows [held]}.
 */
public final class LargeTableRender {

    static final List<String> COLUMNS = List.of("Reference", "Customer", "Amount", "Due", "Status", "Note");

    private LargeTableRender() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int rows = Integer.parseInt(args[1]);
        Iterable<List<String>> lazy = () -> new Iterator<>() {
            private int made;

            @Override
            public boolean hasNext() {
                return made < rows;
            }

            @Override
            public List<String> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return row(++made);
            }
        };
        if (args.length > 2 && args[2].equals("held")) {
            List<List<String>> held = new ArrayList<>();
            lazy.forEach(held::add);
            System.out.println("held " + held.size() + " rows");
            return;
        }
        Documents documents = new Documents(Clock.fixed(Instant.parse("2026-03-02T08:00:00Z"), ZoneOffset.UTC));
        for (DocumentFormat format : DocumentFormat.tables()) {
            RenderedDocument document = documents.render(new Table("Large", COLUMNS, lazy), format,
                    dir.resolve("large." + format.extension()));
            System.out.println(format + " " + document.rows() + " " + document.bytes() + " " + document.sha256());
        }
    }

    /** Row {@code n} (from 1), each cell distinct so that a reader can tell the rows apart. */
    static List<String> row(int n) {
        String id = String.format("R%06d", n);
        return List.of(id, "customer-" + id + "@example.test", n + ".25", "2026-03-" + (1 + n % 28),
                n % 3 == 0 ? "paid" : "open", "note for " + id + ": delivered, invoiced, awaiting payment");
    }
}
