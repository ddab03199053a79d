package io.mailroute.reports.render;

import io.mailroute.reports.Table;
import java.io.IOException;
import java.io.OutputStream;
import java.time.ZonedDateTime;

/** One format's writer: streams a table to bytes, one row at a time. */
interface DocumentWriter {

    /**
     * Writes the whole document to {@code out}, flushing but not closing it.
     *
     * @param generatedAt when the document says it was generated
     * @return how many rows it wrote
     */
    long write(Table table, ZonedDateTime generatedAt, OutputStream out) throws IOException;
}
