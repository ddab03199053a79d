/**
 * MIME parsing for Gmail intake: {@link io.mailroute.gmail.mime.MimeParser} turns a raw RFC 822 message
 * (messages.get format=RAW) into a {@link io.mailroute.gmail.mime.ParsedMail}, streaming every attachment
 * into the content-addressed {@link io.mailroute.gmail.mime.AttachmentStore}.
 *
 * <p>Everything read from a message is untrusted: header text is decoded and stripped of line breaks and
 * control characters, filenames are sanitised, and only Gmail's own Authentication-Results header counts.
 * A message that is merely sloppy is parsed the way a mail client would show it; only a message that is
 * not a message at all raises {@link io.mailroute.gmail.mime.MalformedMailException}. A failure to write
 * the attachment store is not the message's fault and surfaces as {@link java.io.UncheckedIOException}.
 */
package io.mailroute.gmail.mime;
