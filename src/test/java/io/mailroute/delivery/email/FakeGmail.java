package io.mailroute.delivery.email;

import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.testing.http.MockHttpTransport;
import com.google.api.client.testing.http.MockLowLevelHttpRequest;
import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.ListMessagesResponse;
import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.MessagePart;
import com.google.api.services.gmail.model.MessagePartHeader;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * One Gmail account for tests that need nothing running: a Camel component standing in for the mailbox's
 * camel-google-mail component ({@code messages/send}), and the Google client over a mock transport for what the
 * transport asks directly ({@code messages.list} with {@code rfc822msgid:}, {@code messages.get} metadata).
 */
final class FakeGmail {

    /** A message Gmail keeps in SENT. */
    record Sent(String id, String threadId, MimeMessage message) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    /** The next send fails with this; when {@link #acceptBeforeFailing}, Gmail kept the message anyway (a timeout). */
    volatile Supplier<RuntimeException> failNext;
    volatile boolean acceptBeforeFailing;

    final DefaultComponent component = new DefaultComponent() {
        @Override
        protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
            parameters.clear(); // userId=me&inBody=content, as camel-google-mail takes them
            return new DefaultEndpoint(uri, this) {
                @Override
                public Producer createProducer() {
                    return new DefaultProducer(this) {
                        @Override
                        public void process(Exchange exchange) throws Exception {
                            exchange.getMessage().setBody(send(exchange.getMessage().getBody(Message.class)));
                        }
                    };
                }

                @Override
                public Consumer createConsumer(Processor processor) {
                    throw new UnsupportedOperationException("send only");
                }
            };
        }
    };

    private Message send(Message outgoing) throws Exception {
        Supplier<RuntimeException> failure = failNext;
        failNext = null;
        if (failure != null && !acceptBeforeFailing) {
            throw failure.get();
        }
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(outgoing.decodeRaw()));
        int n = sent.size() + 1;
        Sent kept = new Sent("gmail-" + n, outgoing.getThreadId() != null ? outgoing.getThreadId() : "thread-" + n, message);
        sent.add(kept);
        if (failure != null) {
            throw failure.get();
        }
        return new Message().setId(kept.id()).setThreadId(kept.threadId()).setLabelIds(List.of("SENT"));
    }

    /** The Google client as {@code MailboxClients} gives it, answering from {@link #sent}. */
    Gmail client() {
        MockHttpTransport transport = new MockHttpTransport() {
            @Override
            public LowLevelHttpRequest buildRequest(String method, String url) {
                return new MockLowLevelHttpRequest(url) {
                    @Override
                    public LowLevelHttpResponse execute() throws IOException {
                        return new MockLowLevelHttpResponse().setStatusCode(200).setContentType("application/json")
                                .setContent(GsonFactory.getDefaultInstance().toString(answer(URI.create(url))));
                    }
                };
            }
        };
        return new Gmail.Builder(transport, GsonFactory.getDefaultInstance(), null).setApplicationName("test").build();
    }

    private Object answer(URI url) throws IOException {
        String path = url.getPath();
        if (path.endsWith("/users/me/messages")) {
            String messageId = query(url, "q").replaceFirst("^rfc822msgid:", "");
            List<Message> found = new ArrayList<>();
            for (Sent s : sent) {
                if (header(s, "Message-ID").equals("<" + messageId + ">")) {
                    found.add(new Message().setId(s.id()).setThreadId(s.threadId()));
                }
            }
            return found.isEmpty() ? new ListMessagesResponse().setResultSizeEstimate(0L)
                    : new ListMessagesResponse().setMessages(found);
        }
        String id = path.substring(path.lastIndexOf('/') + 1);
        Sent s = sent.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
        List<MessagePartHeader> headers = new ArrayList<>();
        for (String name : List.of("To", "Cc", "Bcc", "Subject")) {
            if (!header(s, name).isEmpty()) {
                headers.add(new MessagePartHeader().setName(name).setValue(header(s, name)));
            }
        }
        return new Message().setId(s.id()).setThreadId(s.threadId()).setPayload(new MessagePart().setHeaders(headers));
    }

    private static String header(Sent s, String name) {
        try {
            String value = s.message().getHeader(name, ", ");
            return value == null ? "" : value;
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String query(URI url, String name) {
        for (String pair : url.getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }
}
