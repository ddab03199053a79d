package io.mailroute.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.access.LocalCommandsToken;
import io.mailroute.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * How a command reaches the running service's API: the service port from application.properties,
 * with the token of {@link LocalCommandsToken} ({@code MAILROUTE_TOKEN}, else the file the service
 * leaves in its data directory). A command asks first, and works on the database itself only when
 * nothing listens: an H2 file has one user at a time.
 */
final class ServiceClient {

    /** The service answered, but not with what the command needs: said in words, with what to do. */
    static final class RefusedException extends RuntimeException {
        RefusedException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = Json.newMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String base;
    private final LocalCommandsToken localToken;
    private final Function<String, String> environment;

    ServiceClient(Settings settings, Function<String, String> environment) {
        String host = settings.text("camel.server.host", "127.0.0.1");
        // a service listening on every address is reached on loopback
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        this.base = "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":"
                + settings.number("camel.server.port", 8080);
        this.localToken = new LocalCommandsToken(settings.path("mailroute.data-dir", "data", false));
        this.environment = environment;
    }

    /** A refusal of the running service, in its words ({@code error.message} of its JSON), for a command to print. */
    static String refusal(HttpResponse<String> answer) {
        String message;
        try {
            message = JSON.readTree(answer.body()).path("error").path("message").asText(answer.body());
        } catch (IOException e) {
            message = answer.body();
        }
        return "The running service refused (HTTP " + answer.statusCode() + "): " + message;
    }

    String base() {
        return base;
    }

    /**
     * The service's answer to {@code method /api<path>}, or empty when no service is listening.
     *
     * @throws RefusedException when the service refuses the command's token (401/403)
     */
    Optional<HttpResponse<String>> call(String method, String path, String jsonBody, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api" + path)).timeout(timeout)
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        Optional<String> token = localToken.read(environment);
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException notRunning) {
            return Optional.empty();
        } catch (HttpTimeoutException e) {
            throw new RefusedException("The service at " + base + " did not answer " + method + " /api" + path + " within "
                    + timeout.toSeconds() + " s; look at its log");
        }
        if (answer.statusCode() == 401 || answer.statusCode() == 403) {
            throw new RefusedException("The running service at " + base + " refused this command (HTTP " + answer.statusCode()
                    + "): " + (token.isEmpty()
                            ? "no token: run the command as the service's user (it reads " + localToken.file()
                                    + ") or set " + LocalCommandsToken.ENVIRONMENT + " to an admin token"
                            : "the token " + (environment.apply(LocalCommandsToken.ENVIRONMENT) != null
                                    ? "in " + LocalCommandsToken.ENVIRONMENT : "in " + localToken.file())
                                    + " is not valid or its role is too small: use an admin token"));
        }
        return Optional.of(answer);
    }

    Optional<HttpResponse<String>> call(String method, String path, String jsonBody) throws IOException, InterruptedException {
        return call(method, path, jsonBody, Duration.ofSeconds(60));
    }
}
