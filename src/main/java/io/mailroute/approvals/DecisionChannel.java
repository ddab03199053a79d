package io.mailroute.approvals;

import java.util.Locale;

/** How a decision reached us: a signed link's page, a reply in the thread, the API, the console. */
public enum DecisionChannel {
    LINK, REPLY, API, CONSOLE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
