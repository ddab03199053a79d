package io.mailroute.sandbox;

import com.sun.net.httpserver.HttpHandler;

/**
 * A push provider's endpoint played by the sandbox (webhook, FCM, Web Push, AppWorks): it checks
 * the wire format as the real provider would, and records what arrived in the {@link PushInbox}.
 */
public interface PushReceiver extends HttpHandler {

    /** The context path it serves, e.g. {@code /push/fcm/}. */
    String path();
}
