package io.mailroute.reports.render;

import java.util.Locale;
import java.util.stream.Collectors;

/** The kinds of document a report is rendered to, with what a mail attachment or a download needs to name them. */
public enum DocumentFormat {

    /** RFC 4180, UTF-8 with a byte order mark, cells neutralised against spreadsheet formula injection. */
    CSV("text/csv; charset=UTF-8; header=present", "csv"),
    /** One self-contained page: inline CSS, no scripts, nothing fetched from elsewhere. */
    HTML("text/html; charset=UTF-8", "html"),
    /** A paged document: title, generation time, a table whose header repeats on each page, "Page N of M". */
    PDF("application/pdf", "pdf"),
    /** A digest's figures (io.mailroute.reports.digest), kept as the recipient's document; its email is written from it. */
    JSON("application/json", "json");

    private final String contentType;
    private final String extension;

    DocumentFormat(String contentType, String extension) {
        this.contentType = contentType;
        this.extension = extension;
    }

    /** The formats a report's table is rendered to ({@link Documents}): all but {@link #JSON}. */
    public static java.util.List<DocumentFormat> tables() {
        return java.util.List.of(CSV, HTML, PDF);
    }

    /** The MIME type for a mail part or a download's Content-Type header. */
    public String contentType() {
        return contentType;
    }

    /** The file name extension, without the dot. */
    public String extension() {
        return extension;
    }

    /**
     * The format a configuration names ({@code csv}, {@code html}, {@code pdf}, any case).
     *
     * @throws IllegalArgumentException naming the value and the formats there are
     */
    public static DocumentFormat of(String name) {
        for (DocumentFormat format : values()) {
            if (format.extension.equalsIgnoreCase(name == null ? "" : name.strip())) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown report format \"" + name + "\": use one of "
                + tables().stream().map(f -> f.extension).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
