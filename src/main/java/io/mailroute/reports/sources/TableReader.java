package io.mailroute.reports.sources;

import io.mailroute.reports.Table;
import java.io.IOException;

/**
 * What a run does with a report's table while its source is open (renders it): the rows are read as it iterates them,
 * once, and are gone when it returns.
 */
@FunctionalInterface
public interface TableReader<T> {
    T read(Table table) throws IOException;
}
