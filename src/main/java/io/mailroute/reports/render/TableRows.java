package io.mailroute.reports.render;

import io.mailroute.reports.Table;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Walks a table's rows once, for every format alike: each row checked against the columns, null cells made empty. */
final class TableRows {

    /** What a format does with one row, already checked. */
    @FunctionalInterface
    interface RowWriter {
        void write(List<String> cells) throws IOException;
    }

    private TableRows() {
    }

    /**
     * Hands each row of {@code table} to {@code writer}, in order, and returns how many there were.
     *
     * @throws IllegalArgumentException when a row has more or fewer cells than the table has columns, naming the row
     */
    static long each(Table table, RowWriter writer) throws IOException {
        int width = table.columns().size();
        long count = 0;
        for (List<String> row : table.rows()) {
            count++;
            if (row == null || row.size() != width) {
                throw new IllegalArgumentException("row " + count + " of the report \"" + table.title() + "\" has "
                        + (row == null ? "no cells (null)" : row.size() + " cells") + " but the table has " + width
                        + " columns " + table.columns() + ": the report's source must give one value per column");
            }
            writer.write(withoutNulls(row));
        }
        return count;
    }

    private static List<String> withoutNulls(List<String> row) {
        List<String> cells = new ArrayList<>(row.size()); // not row.contains(null): List.of(...) throws on that
        for (String cell : row) {
            cells.add(cell == null ? "" : cell);
        }
        return cells;
    }
}
