package io.mailroute.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.activation.DataHandler;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's mail: realistic MIME (text and HTML alternatives, some non-ASCII, a share with
 * attachments, a few of 1-5 MB, exactly one large message), each message a pure function of the
 * seed and its index, so every run and every contender sees the same bytes. Built with Jakarta Mail;
 * boundaries and Message-IDs are fixed so that the output is byte-for-byte reproducible.
 */
final class MailMix {

    /** One message; {@code token} (in its subject) finds it again in events and pushes. */
    record Mail(int index, String token, byte[] raw, int attachmentBytes) {
    }

    private static final int WARMUP_FIRST_INDEX = 900_000;
    private static final Pattern TOKEN = Pattern.compile("bench-\\d{6}");
    private static final Session SESSION = Session.getInstance(new Properties());
    private static final Instant FIRST_DATE = Instant.parse("2026-11-02T08:00:00Z");
    private static final DateTimeFormatter RFC_5322 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** Median text body length in characters; the HTML alternative is about 1.6 times that. */
    private static final int MEDIAN_TEXT_CHARS = 7_500;
    private static final double SMALL_ATTACHMENT_SHARE = 0.14;

    private static final String[] WORDS = ("account order invoice delivery payment contract renewal ticket portal "
            + "login password customer supplier shipment warehouse pallet schedule meeting approval budget quarter "
            + "report figures discrepancy credit note refund reference number address update request support issue "
            + "error screen browser session expired service level agreement escalation response resolution team "
            + "manager colleague department finance procurement logistics quality audit compliance policy training "
            + "onboarding laptop access badge holiday leave expense receipt travel hotel flight conference agenda "
            + "minutes summary draft final version attached please kindly regards thanks question answer follow "
            + "week month today tomorrow yesterday morning afternoon urgent important note reminder status pending "
            + "confirmed cancelled delayed received sent checked reviewed signed scanned copy original the a of "
            + "and to in for on with we you our your is are was will be have has this that it as at by from")
            .split(" ");
    private static final String[] NAMES = {"Mei Chen", "Jonas Weber", "Amélie Durand", "Priya Nair", "Tom O'Neill",
        "Sofia Rossi", "Kenji Tanaka", "Ana Souza", "Lars Nilsson", "Fatima Zahra", "Björn Østergaard", "Grace Kim"};
    private static final String[] DOMAINS = {"globex.example", "initech.example", "umbrella.example",
        "hooli.example", "stark.example", "wayne.example", "acme-partners.example", "northwind.example"};
    private static final String[] TOPICS = {"Question about order", "Invoice", "Cannot log in to the portal",
        "Delivery delayed for shipment", "Contract renewal", "Refund request for", "Meeting notes",
        "Address update for account", "Quarterly figures", "Support ticket", "Travel expenses",
        "Access badge for new colleague", "Problème de facturation", "Lieferung verspätet"};
    private static final String[][] ATTACHMENT_TYPES = {{"application/pdf", "pdf"}, {"image/png", "png"},
        {"image/jpeg", "jpg"}, {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
        {"application/zip", "zip"}};

    private final List<Mail> mails;
    private final int giantIndex;

    private MailMix(List<Mail> mails, int giantIndex) {
        this.mails = mails;
        this.giantIndex = giantIndex;
    }

    /**
     * @param giant           index of the one large message
     * @param bigMessageBytes its raw size (0 for none)
     * @param largeShare      share of messages with a 1-5 MB attachment
     */
    static MailMix generate(long seed, int count, int giant, int bigMessageBytes, double largeShare) {
        if (bigMessageBytes <= 0 || giant >= count) {
            giant = -1;
        }
        List<Mail> mails = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            mails.add(i == giant ? sizedTo(seed, i, bigMessageBytes) : mail(seed, i, largeShare, 0));
        }
        return new MailMix(List.copyOf(mails), giant);
    }

    /** Mail to warm every contender up with, before anything is timed: its tokens never meet the mix's. */
    static List<Mail> warmup(long seed, int count, double largeShare) {
        List<Mail> mails = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            mails.add(mail(seed + 1, WARMUP_FIRST_INDEX + i, largeShare, 0));
        }
        return List.copyOf(mails);
    }

    List<Mail> all() {
        return mails;
    }

    /** The first {@code n} messages, the large one among them when its index is below n. */
    List<Mail> first(int n) {
        return mails.subList(0, Math.min(n, mails.size()));
    }

    /** The large message, or null when the mix has none. */
    Mail giant() {
        return giantIndex < 0 ? null : mails.get(giantIndex);
    }

    /** The first {@code n} messages other than the large one: the quota and latency runs measure steady mail. */
    List<Mail> ordinary(int n) {
        return mails.stream().filter(m -> m.index() != giantIndex).limit(n).toList();
    }

    /** The message token ({@code bench-000123}) in a subject, push body or event, or null. */
    static String tokenIn(String text) {
        Matcher m = TOKEN.matcher(text == null ? "" : text);
        return m.find() ? m.group() : null;
    }

    /** Sizes and shares of the first {@code n} messages. */
    ObjectNode summary(int n) {
        List<Mail> mails = first(n);
        long[] sizes = mails.stream().mapToLong(m -> m.raw().length).toArray();
        long total = 0;
        for (long size : sizes) {
            total += size;
        }
        long withAttachments = mails.stream().filter(m -> m.attachmentBytes() > 0).count();
        long large = mails.stream().filter(m -> m.attachmentBytes() >= 1_000_000 && m.index() != giantIndex).count();
        Mail giant = giantIndex >= 0 && giantIndex < n ? giant() : null;
        return Results.object()
                .put("messages", mails.size())
                .put("totalBytes", total)
                .put("medianBytes", Results.percentile(sizes, 50))
                .put("p90Bytes", Results.percentile(sizes, 90))
                .put("withAttachments", withAttachments)
                .put("withLargeAttachment", large)
                .put("bigMessageBytes", giant == null ? 0 : giant.raw().length)
                .put("bigMessageAttachmentBytes", giant == null ? 0 : giant.attachmentBytes());
    }

    // ---- one message -------------------------------------------------------------------------------

    private static Mail mail(long seed, int index, double largeShare, int forcedAttachmentBytes) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int attachment = forcedAttachmentBytes;
        if (attachment == 0) {
            double roll = random.nextDouble();
            if (roll < largeShare) {
                attachment = random.nextInt(1_000_000, 5_000_001);
            } else if (roll < largeShare + SMALL_ATTACHMENT_SHARE) {
                attachment = random.nextInt(20_000, 400_001);
            }
        }
        String token = String.format("bench-%06d", index);
        try {
            return new Mail(index, token, compose(seed, index, token, random, attachment), attachment);
        } catch (MessagingException e) {
            throw new IllegalStateException("cannot compose message " + index, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The large message: an attachment sized so that the whole raw message is {@code bytes} long (within 0.1 %). */
    private static Mail sizedTo(long seed, int index, int bytes) {
        int attachment = (int) (bytes / 1.3685) - 40_000;
        Mail first = mail(seed, index, 0, attachment);
        int correction = (int) ((bytes - first.raw().length) / 1.3685);
        return mail(seed, index, 0, attachment + correction);
    }

    private static byte[] compose(long seed, int index, String token, SplittableRandom random, int attachmentBytes)
            throws MessagingException, IOException {
        boolean accented = random.nextInt(10) == 0;
        String name = NAMES[random.nextInt(NAMES.length)];
        String domain = DOMAINS[random.nextInt(DOMAINS.length)];
        String local = name.toLowerCase().replaceAll("[^a-z ]", "").replace(' ', '.');
        String subject = TOPICS[random.nextInt(TOPICS.length)] + " " + (10_000 + random.nextInt(90_000))
                + (accented ? " – réf. " : " - ref ") + token;
        int textChars = (int) Math.max(300, Math.min(200_000, MEDIAN_TEXT_CHARS * Math.exp(0.7 * gaussian(random))));
        List<String> paragraphs = paragraphs(random, textChars, accented);

        MimeMessage message = new FixedIdMessage("<" + token + "." + Long.toHexString(seed) + "@" + domain + ">");
        message.setFrom(new InternetAddress(local + "@" + domain, name, "UTF-8"));
        message.setRecipients(Message.RecipientType.TO, "support@acme.example");
        message.setSubject(subject, "UTF-8");
        message.setHeader("Date", RFC_5322.format(FIRST_DATE.plusSeconds(37L * index)));

        MimeMultipart alternative = new FixedBoundaryMultipart("alternative", "alt-" + token);
        MimeBodyPart text = new MimeBodyPart();
        text.setText(String.join("\r\n\r\n", paragraphs) + "\r\n\r\n-- \r\n" + name + "\r\n", "UTF-8");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(html(paragraphs, name, domain), "UTF-8", "html");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        if (attachmentBytes == 0) {
            message.setContent(alternative);
        } else {
            MimeMultipart mixed = new FixedBoundaryMultipart("mixed", "mix-" + token);
            MimeBodyPart bodies = new MimeBodyPart();
            bodies.setContent(alternative);
            mixed.addBodyPart(bodies);
            mixed.addBodyPart(attachment(random, attachmentBytes, index));
            message.setContent(mixed);
        }
        message.saveChanges();
        ByteSink out = new ByteSink(attachmentBytes * 4 / 3 + 3 * textChars + 4096);
        message.writeTo(out);
        return out.toByteArray();
    }

    private static BodyPart attachment(SplittableRandom random, int bytes, int index) throws MessagingException {
        String[] type = ATTACHMENT_TYPES[random.nextInt(ATTACHMENT_TYPES.length)];
        byte[] content = new byte[bytes];
        random.nextBytes(content); // incompressible, like the PDFs, images and archives people send
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(content, type[0])));
        part.setFileName(String.format("document-%06d.%s", index, type[1]));
        part.setDisposition(Part.ATTACHMENT);
        part.setHeader("Content-Transfer-Encoding", "base64");
        return part;
    }

    private static List<String> paragraphs(SplittableRandom random, int chars, boolean accented) {
        List<String> paragraphs = new ArrayList<>();
        paragraphs.add(accented ? "Bonjour, grüß Gott," : "Hello team,");
        int length = 0;
        while (length < chars) {
            StringBuilder paragraph = new StringBuilder();
            int sentences = random.nextInt(3, 8);
            for (int s = 0; s < sentences; s++) {
                int words = random.nextInt(8, 21);
                for (int w = 0; w < words; w++) {
                    String word = WORDS[random.nextInt(WORDS.length)];
                    paragraph.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word)
                            .append(w == words - 1 ? ". " : " ");
                }
            }
            String text = wrap(paragraph.toString().strip());
            paragraphs.add(text);
            length += text.length();
        }
        paragraphs.add(accented ? "Merci beaucoup et à bientôt, mit freundlichen Grüßen" : "Kind regards");
        return paragraphs;
    }

    /** Hard line breaks before 76 columns, as mail clients send plain text. */
    private static String wrap(String text) {
        StringBuilder out = new StringBuilder(text.length() + text.length() / 60);
        int lineStart = 0;
        for (String word : text.split(" ")) {
            if (out.length() > lineStart && out.length() - lineStart + word.length() >= 76) {
                out.append("\r\n");
                lineStart = out.length();
            } else if (out.length() > lineStart) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.toString();
    }

    private static String html(List<String> paragraphs, String name, String domain) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\">"
                + "<style>p{font-family:Arial,sans-serif;font-size:14px;color:#222}</style></head>\r\n<body>\r\n");
        for (String paragraph : paragraphs) {
            html.append("<div class=\"para\"><p style=\"margin:0 0 12px 0;line-height:1.4\">")
                    .append(paragraph.replace("\r\n", " ").replace("&", "&amp;").replace("<", "&lt;"))
                    .append("</p></div>\r\n");
        }
        html.append("<table role=\"presentation\" style=\"border-top:1px solid #ccc\"><tr><td><b>").append(name)
                .append("</b><br><a href=\"https://www.").append(domain).append("/\">").append(domain)
                .append("</a></td></tr></table>\r\n</body></html>\r\n");
        return html.toString();
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** A ByteArrayOutputStream without its lock: Jakarta Mail writes byte by byte. */
    private static final class ByteSink extends OutputStream {
        private byte[] bytes;
        private int size;

        ByteSink(int capacity) {
            bytes = new byte[Math.max(capacity, 1024)];
        }

        @Override
        public void write(int b) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, size * 2);
            }
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (size + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size + len, size * 2));
            }
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }
    }

    /** A message whose Message-ID is ours, not Jakarta Mail's time-based one. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(String messageId) {
            super(SESSION);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }

    /** A multipart with a fixed boundary instead of Jakarta Mail's time-based one. */
    private static final class FixedBoundaryMultipart extends MimeMultipart {
        FixedBoundaryMultipart(String subtype, String boundary) throws MessagingException {
            super(subtype);
            ContentType type = new ContentType("multipart", subtype, null);
            type.setParameter("boundary", "=_" + boundary);
            contentType = type.toString();
        }
    }
}
