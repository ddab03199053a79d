package io.mailroute.reports.render;

import io.mailroute.files.StagedFile;
import io.mailroute.reports.Table;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * Renders a report's {@link Table} to a CSV, HTML or PDF file, streaming: rows go from the table's iterable to the
 * file one at a time, so a report of any length needs no more memory than one of a few rows.
 *
 * <pre>{@code
 * Documents documents = new Documents(Clock.system(ZoneId.of("Europe/Berlin")));  // the report's time zone
 * RenderedDocument pdf = documents.render(table, DocumentFormat.PDF, outDir.resolve("sla-2026-W09.pdf"));
 * pdf.sha256();  // its content address, like an attachment's
 * }</pre>
 *
 * The bytes are written to a temp file beside {@code file} while being hashed (SHA-256), and moved onto
 * {@code file} only once complete, as {@code AttachmentStore} does: a reader never sees half a document, and a
 * failed render (a source error mid-way, a full disk) leaves no file behind and the previous one, if any, intact.
 */
public final class Documents {

    /** How the documents show their generation time: in the clock's zone, with its offset. */
    static final DateTimeFormatter GENERATED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xxx");

    private static final String TEMP_PREFIX = ".rendering-";

    private final Clock clock;

    /** @param clock the generation time's source; its zone is the zone the documents show the time in */
    public Documents(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Renders {@code table} as {@code format} to {@code file}, replacing it if it exists; creates the file's
     * directory if missing. Iterates {@code table.rows()} once.
     *
     * @throws IOException              when the file cannot be written, naming it; nothing is left at {@code file}
     * @throws IllegalArgumentException when a row does not fit the columns (from {@link TableRows}); no file either
     */
    public RenderedDocument render(Table table, DocumentFormat format, Path file) throws IOException {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(format, "format");
        Path target = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        Path directory = target.getParent();
        Files.createDirectories(directory);
        try (StagedFile staged = StagedFile.in(directory, TEMP_PREFIX)) { // 0600: a report may hold customer data
            long rows;
            try (OutputStream out = staged.output()) { // synced on close: whoever records this hash next finds the file
                rows = writer(format).write(table, ZonedDateTime.now(clock), out);
            } catch (IOException e) {
                throw new IOException("could not write the " + format + " document for the report \"" + table.title()
                        + "\" to " + target + ": " + e.getMessage(), e);
            }
            long bytes = staged.size();
            staged.moveTo(target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new RenderedDocument(target, format, bytes, staged.sha256Hex(), rows);
        }
    }

    private static DocumentWriter writer(DocumentFormat format) {
        return switch (format) {
            case CSV -> new CsvDocument();
            case HTML -> new HtmlDocument();
            case PDF -> new PdfDocument();
            case JSON -> throw new IllegalArgumentException("a digest's JSON is written by io.mailroute.reports.digest, "
                    + "not rendered from a table");
        };
    }
}
