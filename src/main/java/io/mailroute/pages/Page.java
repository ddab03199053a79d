package io.mailroute.pages;

import java.util.Objects;

/**
 * A rendered HTML page and its status, ready for {@link PageResponses#write}. Every page is {@code no-store}: pages
 * show what a signed link or a session may see, and a link's token is in their address.
 *
 * @param status the HTTP status (200, or 400/403/410 for a refusal)
 * @param html   the whole document, every value in it escaped by the template engine
 */
public record Page(int status, String html) {

    public Page {
        Objects.requireNonNull(html, "html");
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status for a page: " + status);
        }
    }
}
