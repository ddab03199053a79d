package io.mailroute.console.overview;

import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.pages.Page;
import io.mailroute.pages.PageResponses;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.dao.DataAccessException;

/**
 * The console's Overview at {@code /console/} (bean {@code consoleOverview}, routes/console.camel.yaml; a viewer's
 * page): the last 24 hours of this service's own data as charts drawn on the server, inline SVG with a table of the
 * same numbers under each, so it needs no JavaScript and keeps to the pages' Content-Security-Policy. Then what each
 * console page is for.
 */
public final class OverviewPage {

    static final String PATH = "/console/";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final OverviewQueries queries;
    private final ConsolePages console;
    private final Clock clock;

    public OverviewPage(OverviewQueries queries, ConsolePages console, Clock clock) {
        this.queries = queries;
        this.console = console;
        this.clock = clock;
    }

    /** {@code GET /console/}. */
    public void show(Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        Page page;
        try {
            page = render(request, queries.read(OverviewWindow.endingAt(clock.instant())));
        } catch (DataAccessException e) {
            page = console.render(request, "console-overview", 503, PATH, "Overview", Map.of("unavailable",
                    "The database cannot be read just now (" + e.getMostSpecificCause().getClass().getSimpleName()
                            + "), so there are no charts. Reload the page in a minute; /observe/health says when it is back."));
        }
        PageResponses.write(exchange, page);
    }

    /** The page for this data. */
    Page render(ConsoleRequest request, OverviewData data) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("from", WHEN.format(data.window().start()));
        model.put("to", WHEN.format(clock.instant()));
        model.put("charts", charts(data));
        return console.render(request, "console-overview", 200, PATH, "Overview", model);
    }

    static List<Chart> charts(OverviewData data) {
        OverviewWindow window = data.window();
        return List.of(
                OverviewCharts.hourlyBars("messages-in", "Messages in per hour", "Messages each mailbox received (quarantined "
                        + "ones too), by the hour they were ingested.", window, data.messagesIn(), "mailbox", "messages"),
                OverviewCharts.categoryBars("items", "Items by queue and state", "Items made in the last 24 hours, by queue, "
                        + "in the state they are in now.", data.items(), "queue", "state", "items"),
                OverviewCharts.categoryBars("deliveries", "Deliveries by status", "Notifications planned in the last 24 hours, "
                        + "by status and channel type.", data.deliveries(), "status", "channel type", "deliveries"),
                OverviewCharts.hourlyBars("sla-breaches", "SLA breaches per hour", "Items that went past their SLA "
                        + "(sla.breached events), by mailbox.", window, withNamedMailboxes(data.slaBreaches()), "mailbox",
                        "breaches"),
                OverviewCharts.latencyLines("push-latency", "Email→push latency", "From a message's receipt by Gmail to "
                        + "the push notifications it caused going out, per hour they went out.", window, data.latency()));
    }

    /** An event without a mailbox is counted under a name that says so. */
    private static Map<String, long[]> withNamedMailboxes(Map<String, long[]> byMailbox) {
        Map<String, long[]> named = new LinkedHashMap<>();
        byMailbox.forEach((mailbox, counts) -> named.put(mailbox.isEmpty() ? "(no mailbox)" : mailbox, counts));
        return named;
    }
}
