package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A provider that answers without end: the read stops at the limit and the connection is dropped. */
class BoundedBodyTest {

    private static final int CHUNK = 64 * 1024;

    private HttpServer provider;
    private final AtomicLong written = new AtomicLong();
    /** How the endless answer ended on the provider's side: the exception its write got when we hung up. */
    private final CompletableFuture<Throwable> endOfWriting = new CompletableFuture<>();

    @BeforeEach
    void start() throws IOException {
        provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.createContext("/endless", exchange -> {
            exchange.sendResponseHeaders(400, 0); // chunked, no length: it never says when it ends
            byte[] chunk = new byte[CHUNK];
            Arrays.fill(chunk, (byte) 'x');
            try (OutputStream out = exchange.getResponseBody()) {
                while (true) {
                    out.write(chunk);
                    out.flush();
                    written.addAndGet(chunk.length);
                }
            } catch (IOException | RuntimeException e) {
                endOfWriting.complete(e);
            }
        });
        provider.createContext("/short", exchange -> {
            byte[] body = "{\"error\":{\"status\":\"INVALID_ARGUMENT\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        provider.start();
    }

    @AfterEach
    void stop() {
        provider.stop(0);
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + provider.getAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void anEndlessAnswerIsReadToTheLimitAndTheRestCancelled() throws Exception {
        BoundedBody.Subscriber subscriber = new BoundedBody.Subscriber(BoundedBody.LIMIT);
        HttpResponse<BoundedBody> response = HttpClient.newHttpClient().send(request("/endless"), info -> subscriber);

        assertEquals(400, response.statusCode());
        assertEquals(BoundedBody.LIMIT, response.body().bytes().length, "kept exactly the limit");
        assertTrue(response.body().truncated());
        // the provider's next writes fail: we hung up instead of reading on (its body has no end)
        Throwable ended = endOfWriting.get(60, TimeUnit.SECONDS);
        assertInstanceOf(IOException.class, ended, String.valueOf(ended));
        long received = subscriber.received();
        assertTrue(received > BoundedBody.LIMIT, "more arrived than was kept: " + received);
        assertTrue(received < BoundedBody.LIMIT + 2L * CHUNK, "nothing asked for after the limit: " + received);
        assertTrue(written.get() < 64L * 1024 * 1024, "the provider could not push much past it: " + written.get());
    }

    @Test
    void aShortAnswerIsKeptWhole() throws Exception {
        HttpResponse<BoundedBody> response = HttpClient.newHttpClient().send(request("/short"), BoundedBody.handler());
        assertFalse(response.body().truncated());
        assertEquals("{\"error\":{\"status\":\"INVALID_ARGUMENT\"}}", response.body().text());
    }

    @Test
    void theLogFormIsOneShortLine() {
        BoundedBody body = new BoundedBody(("<html>\r\nERROR 12:00 forged log line\u2028" + "y".repeat(500))
                .getBytes(StandardCharsets.UTF_8), true);
        String line = body.forLog();
        assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u2028"), line);
        assertTrue(line.startsWith("<html> ERROR 12:00 forged log line y"), line);
        assertEquals(301, line.length(), "300 characters and the ellipsis");
        assertArrayEquals(new byte[0], new BoundedBody(new byte[0], false).bytes());
        assertEquals("", new BoundedBody(new byte[0], false).forLog());
    }
}
