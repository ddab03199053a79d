package io.mailroute.sandbox;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK's HTTP server with every context made to answer every request: a failure that escapes a handler (or a
 * filter after this one) becomes Gmail's 500 backendError. Left alone, the JDK server drops the connection on an
 * exception and, on an Error such as a StackOverflowError, loses the worker thread and leaves the client waiting
 * until it gives up. Every context gets it as it is created, so a handler added later is covered too.
 */
final class AnsweringHttpServer extends HttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(AnsweringHttpServer.class);

    static final Filter ALWAYS_ANSWER = new Filter() {
        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            try {
                chain.doFilter(exchange);
            } catch (RuntimeException | StackOverflowError e) {
                LOG.warn("Sandbox failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                try {
                    HttpExchanges.sendError(exchange, GmailErrors.backend(500));
                } catch (IOException | RuntimeException answerAlreadyStarted) {
                    exchange.close(); // a cut-off answer still tells the client it failed
                }
            }
        }

        @Override
        public String description() {
            return "answers 500 backendError for whatever a handler throws";
        }
    };

    private final HttpServer server;

    private AnsweringHttpServer(HttpServer server) {
        this.server = server;
    }

    static HttpServer create(InetSocketAddress address) throws IOException {
        return new AnsweringHttpServer(HttpServer.create(address, 0));
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        return answering(server.createContext(path, handler));
    }

    @Override
    public HttpContext createContext(String path) {
        return answering(server.createContext(path));
    }

    private static HttpContext answering(HttpContext context) {
        context.getFilters().add(0, ALWAYS_ANSWER);
        return context;
    }

    @Override
    public void bind(InetSocketAddress address, int backlog) throws IOException {
        server.bind(address, backlog);
    }

    @Override
    public void start() {
        server.start();
    }

    @Override
    public void setExecutor(Executor executor) {
        server.setExecutor(executor);
    }

    @Override
    public Executor getExecutor() {
        return server.getExecutor();
    }

    @Override
    public void stop(int delay) {
        server.stop(delay);
    }

    @Override
    public void removeContext(String path) {
        server.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        server.removeContext(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        return server.getAddress();
    }
}
