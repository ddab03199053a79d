package io.mailroute.reports;

import java.util.List;
import java.util.Objects;

/**
 * A report's tabular result: a title, the column names, and the rows, each a list of cell texts in column order.
 * {@code rows} may be lazy (a cursor over a query, a CSV being read) and is iterated once, so a large report is
 * streamed from its source to its document and never held in memory whole. A null cell is shown empty.
 *
 * @param title   what the document is called (its heading and, for PDF and HTML, its document title)
 * @param columns the column names, at least one; every row must have exactly this many cells
 * @param rows    the rows, iterated once, in the order they are shown
 */
public record Table(String title, List<String> columns, Iterable<List<String>> rows) {

    public Table {
        Objects.requireNonNull(title, "title");
        columns = List.copyOf(Objects.requireNonNull(columns, "columns")); // rejects null column names too
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("the table \"" + title + "\" has no columns: a report needs at least one");
        }
        Objects.requireNonNull(rows, "rows");
    }
}
