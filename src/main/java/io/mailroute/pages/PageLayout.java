package io.mailroute.pages;

/**
 * What the layout needs besides the page's own values. The addresses are relative to the page ({@code ../../assets/...}),
 * so the pages work unchanged behind a reverse proxy that serves the service under a path prefix
 * ({@code mailroute.links.base-url} = {@code https://mail.acme.example/mailroute/}).
 *
 * @param root       from the page up to the service's root: {@code ../../} for {@code /p/approvals/decide}
 * @param stylesheet the stylesheet's address under the root, with its content hash
 */
public record PageLayout(String root, String stylesheet) {

    /** The stylesheet's address as the page refers to it. */
    public String stylesheetHref() {
        return root + stylesheet;
    }

    /**
     * The relative way up from a page's path to the root: one {@code ../} per directory the path is in.
     *
     * @param pagePath the page's path from the root, e.g. {@code /p/approvals/decide}
     */
    static String rootFrom(String pagePath) {
        String path = pagePath.startsWith("/") ? pagePath.substring(1) : pagePath;
        int depth = (int) path.chars().filter(c -> c == '/').count();
        return depth == 0 ? "./" : "../".repeat(depth);
    }
}
