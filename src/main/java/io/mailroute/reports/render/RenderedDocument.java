package io.mailroute.reports.render;

import java.nio.file.Path;

/**
 * A document rendered to a file, complete: what a mail attachment, a content-addressed store or a run record needs
 * to know about it without reading it again.
 *
 * @param file   where it is
 * @param format what it is
 * @param bytes  its size
 * @param sha256 the SHA-256 of its bytes, 64 lower-case hex digits (its content address, as attachments have)
 * @param rows   how many table rows it holds (the header not counted)
 */
public record RenderedDocument(Path file, DocumentFormat format, long bytes, String sha256, long rows) {
}
