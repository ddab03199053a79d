package io.mailroute.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import io.mailroute.gmail.GmailClientFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.google.mail.stream.GoogleMailStreamComponent;
import org.apache.camel.component.google.mail.stream.GoogleMailStreamConfiguration;
import org.apache.camel.component.google.mail.stream.GoogleMailStreamConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.slf4j.LoggerFactory;

/**
 * What a user would reach for instead: a plain Camel route per mailbox on the stock
 * {@code google-mail-stream} consumer (messages.list {@code is:unread}, messages.get, then
 * messages.modify to mark it read), which only fetches and logs one line per message to a file.
 * Same Google client, same client factory, one component (so one client) per mailbox. It needs the
 * mail unread, so it runs after the contenders that leave the mailbox alone.
 * <p>
 * In Camel 4.17 the consumer always asks for {@code format=FULL}: text parts come inline, attachments
 * only as ids (never downloaded), and with {@code raw=true} the body is empty (it reads the raw field
 * of a FULL answer). It therefore moves fewer bytes than Mailroute or the ceiling for mail with
 * attachments, and can come out faster than the ceiling.
 */
final class StreamAlternative {

    static final String LOGGER = "bench.alternative";

    private StreamAlternative() {
    }

    /** How far the route got: messages through it, and nanoTime of the first and last. */
    record Outcome(int consumed, long firstNanos, long lastNanos) {
    }

    /**
     * Runs the routes until {@code expected} messages went through or nothing moved for {@code stall}.
     *
     * @param options endpoint options, e.g. {@code maxResults=500&greedy=true&delay=100}
     */
    static Outcome run(SandboxProcess sandbox, List<SandboxProcess.Credentials> mailboxes, String options,
            int expected, Duration stall, Path log) throws Exception {
        Logger logger = fileLogger(log);
        AtomicInteger consumed = new AtomicInteger();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getCamelContextExtension().setName("bench-alternative");
            for (int i = 0; i < mailboxes.size(); i++) {
                camel.addComponent("gms" + i, component(camel, sandbox, mailboxes.get(i)));
            }
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    for (int i = 0; i < mailboxes.size(); i++) {
                        from("gms" + i + ":index?" + options).routeId("alternative-" + i)
                                .log(LoggingLevel.INFO, LOGGER, "Mailbox " + mailboxes.get(i).address() + ": got ${header."
                                        + GoogleMailStreamConstants.MAIL_ID + "}")
                                .process(exchange -> {
                                    long now = System.nanoTime();
                                    first.compareAndSet(0, now);
                                    last.set(now);
                                    consumed.incrementAndGet();
                                });
                    }
                }
            });
            camel.start();
            long lastProgress = System.nanoTime();
            int seen = 0;
            while (consumed.get() < expected) {
                SandboxProcess.sleep(100);
                if (consumed.get() != seen) {
                    seen = consumed.get();
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > stall.toNanos()) {
                    break;
                }
            }
            camel.stop();
        } finally {
            logger.detachAndStopAllAppenders();
        }
        return new Outcome(consumed.get(), first.get(), last.get());
    }

    private static GoogleMailStreamComponent component(DefaultCamelContext camel, SandboxProcess sandbox,
            SandboxProcess.Credentials mailbox) {
        GoogleMailStreamConfiguration configuration = new GoogleMailStreamConfiguration();
        configuration.setClientId(mailbox.clientId());
        configuration.setClientSecret(mailbox.clientSecret());
        configuration.setRefreshToken(mailbox.refreshToken());
        configuration.setApplicationName("bench-alternative");
        GoogleMailStreamComponent component = new GoogleMailStreamComponent(camel);
        component.setConfiguration(configuration);
        component.setClientFactory(new GmailClientFactory(sandbox.rootUrl(), sandbox.rootUrl() + "token", 60_000));
        return component;
    }

    /** The route's log lines go to a file, as a service's would, not to the benchmark's console. */
    private static Logger fileLogger(Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setFile(file.toAbsolutePath().toString());
        appender.setEncoder(encoder);
        appender.start();
        Logger logger = context.getLogger(LOGGER);
        logger.setAdditive(false);
        logger.addAppender(appender);
        return logger;
    }
}
