package io.mailroute.app;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * Camel 4.17's platform-http engine finds "its" server by looking for the only Vert.x HTTP server
 * in the registry; with the management server on its own port there are two, and it silently
 * falls back to port 8080. This engine is told the service port (camel.server.port) instead.
 */
final class ServicePortHttpEngine extends VertxPlatformHttpEngine {

    private final int port;

    ServicePortHttpEngine(int port) {
        this.port = port;
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
