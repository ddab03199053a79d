package io.mailroute.delivery;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.regex.Pattern;

/**
 * A provider's answer body, read to at most a limit: past it the rest is not read but cancelled (the
 * connection is dropped), so an endless or huge answer costs neither memory nor time. Provider text is
 * never shown to API users: {@link #forLog()} is the form the service log gets.
 *
 * @param bytes     what was kept, at most the limit
 * @param truncated whether the provider sent more than that
 */
public record BoundedBody(byte[] bytes, boolean truncated) {

    /** Enough for a Google JSON error with its details; a push service's answer is usually empty. */
    public static final int LIMIT = 16 * 1024;
    private static final int LOG_CHARACTERS = 300;
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029]+");

    /** Keeps at most {@link #LIMIT} bytes of the body. */
    public static HttpResponse.BodyHandler<BoundedBody> handler() {
        return handler(LIMIT);
    }

    public static HttpResponse.BodyHandler<BoundedBody> handler(int limit) {
        return info -> new Subscriber(limit);
    }

    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The body as one line for the service log (see {@link #forLog(String)}); "…" when it was cut. */
    public String forLog() {
        String line = forLog(text());
        return truncated && !line.endsWith("…") ? line + "…" : line;
    }

    /**
     * Provider text as one line for the service log, never for an API answer: control characters and line breaks
     * blanked (no forged log lines), at most 300 characters.
     */
    public static String forLog(String text) {
        String line = text == null ? "" : UNPRINTABLE.matcher(text).replaceAll(" ").strip();
        return line.length() > LOG_CHARACTERS ? line.substring(0, LOG_CHARACTERS) + "…" : line;
    }

    /** Takes one buffer at a time and stops asking (cancels) once the limit is reached. */
    static final class Subscriber implements HttpResponse.BodySubscriber<BoundedBody> {
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CompletableFuture<BoundedBody> body = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private long received;

        Subscriber(int limit) {
            this.limit = limit;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                received += buffer.remaining();
                int take = Math.min(buffer.remaining(), limit - kept.size());
                byte[] chunk = new byte[take];
                buffer.get(chunk);
                kept.write(chunk, 0, take);
            }
            if (received > limit) {
                subscription.cancel();
                body.complete(new BoundedBody(kept.toByteArray(), true));
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(new BoundedBody(kept.toByteArray(), false));
        }

        @Override
        public CompletionStage<BoundedBody> getBody() {
            return body;
        }

        /** Bytes handed to this subscriber so far (kept or not): what the test of the bound counts. */
        long received() {
            return received;
        }
    }
}
