package io.mailroute.delivery.fcm;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import io.mailroute.delivery.BoundedBody;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * google-http-client's transport over the JDK {@link HttpClient} every sender already uses, so the credential
 * library's token calls share its connection settings (and tests can script them). Bodies are bounded like every
 * other provider answer.
 */
final class JdkHttpTransport extends HttpTransport {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> RESTRICTED = List.of("content-length", "host", "connection", "expect",
            "upgrade");

    private final HttpClient http;

    JdkHttpTransport(HttpClient http) {
        this.http = http;
    }

    @Override
    protected LowLevelHttpRequest buildRequest(String method, String url) {
        return new Request(method, url);
    }

    private final class Request extends LowLevelHttpRequest {
        private final String method;
        private final String url;
        private final List<String[]> headers = new ArrayList<>();

        Request(String method, String url) {
            this.method = method;
            this.url = url;
        }

        @Override
        public void addHeader(String name, String value) {
            headers.add(new String[] {name, value});
        }

        @Override
        public LowLevelHttpResponse execute() throws IOException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT);
            for (String[] h : headers) {
                if (!RESTRICTED.contains(h[0].toLowerCase(java.util.Locale.ROOT))) {
                    request.header(h[0], h[1]);
                }
            }
            if (getContentType() != null) {
                request.header("Content-Type", getContentType());
            }
            HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
            if (getStreamingContent() != null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                getStreamingContent().writeTo(out);
                body = HttpRequest.BodyPublishers.ofByteArray(out.toByteArray());
            }
            try {
                return new Response(http.send(request.method(method, body).build(), BoundedBody.handler()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while calling " + URI.create(url).getHost());
            }
        }
    }

    private static final class Response extends LowLevelHttpResponse {
        private final HttpResponse<BoundedBody> response;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();

        Response(HttpResponse<BoundedBody> response) {
            this.response = response;
            response.headers().map().forEach((name, values) -> values.forEach(v -> headers.add(Map.entry(name, v))));
        }

        @Override
        public InputStream getContent() {
            return new ByteArrayInputStream(response.body().bytes());
        }

        @Override
        public String getContentEncoding() {
            return null;
        }

        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public String getContentType() {
            return response.headers().firstValue("Content-Type").orElse(null);
        }

        @Override
        public String getStatusLine() {
            return null;
        }

        @Override
        public int getStatusCode() {
            return response.statusCode();
        }

        @Override
        public String getReasonPhrase() {
            return null;
        }

        @Override
        public int getHeaderCount() {
            return headers.size();
        }

        @Override
        public String getHeaderName(int index) {
            return headers.get(index).getKey();
        }

        @Override
        public String getHeaderValue(int index) {
            return headers.get(index).getValue();
        }
    }
}
