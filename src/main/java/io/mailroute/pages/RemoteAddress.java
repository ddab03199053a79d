package io.mailroute.pages;

import org.apache.camel.Exchange;

/**
 * The client address of a request platform-http received: the TCP peer (behind a reverse proxy, the proxy; headers
 * such as X-Forwarded-For are not trusted, since any client can send them). The sign-in pages limit attempts by it;
 * report downloads record it.
 */
public final class RemoteAddress {

    private static final String HEADER = "CamelVertxPlatformHttpRemoteAddress"; // VertxPlatformHttpConstants.REMOTE_ADDRESS

    private RemoteAddress() {
    }

    public static String of(Exchange exchange) {
        Object address = exchange.getMessage().getHeader(HEADER);
        if (address instanceof io.vertx.core.net.SocketAddress socket) {
            return socket.hostAddress() != null ? socket.hostAddress() : socket.host();
        }
        return address == null ? "unknown" : address.toString();
    }
}
