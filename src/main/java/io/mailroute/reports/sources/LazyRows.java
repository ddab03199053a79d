package io.mailroute.reports.sources;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A table's rows as its source reads them, one at a time while the source is open, iterated once: nothing holds more
 * than the row being handed on. A failure of the source mid-way leaves the iterator as {@link SourceException.Unchecked}.
 */
final class LazyRows implements Iterable<List<String>> {

    /** Reads the next row from the open source: null after the last one. */
    @FunctionalInterface
    interface NextRow {
        List<String> next() throws SourceException;
    }

    private final NextRow source;
    private boolean iterated;

    LazyRows(NextRow source) {
        this.source = source;
    }

    @Override
    public Iterator<List<String>> iterator() {
        if (iterated) {
            throw new IllegalStateException("a report's rows are read from their source once, as they are iterated");
        }
        iterated = true;
        return new Iterator<>() {
            private List<String> ahead;
            private boolean ended;

            @Override
            public boolean hasNext() {
                if (ahead == null && !ended) {
                    try {
                        ahead = source.next();
                    } catch (SourceException e) {
                        ended = true;
                        throw e.unchecked();
                    }
                    ended = ahead == null;
                }
                return ahead != null;
            }

            @Override
            public List<String> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                List<String> row = ahead;
                ahead = null;
                return row;
            }
        };
    }
}
