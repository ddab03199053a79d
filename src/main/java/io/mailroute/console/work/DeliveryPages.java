package io.mailroute.console.work;

import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryRetry;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * The console's Deliveries page (bean {@code consoleDeliveries}, routes/console-work.camel.yaml):
 * <ul>
 * <li>{@code GET /console/deliveries?status=&channel=&after=}: each delivery's status in words, channel, recipient,
 * attempts, fallback (the one it fell back from, or that it fell back) and last error, a page at a time;</li>
 * <li>{@code POST /console/deliveries/{id}/retry} (operator; field csrf): a FAILED delivery is due again now
 * ({@link DeliveryRetry}); the worker sends it within its poll interval.</li>
 * </ul>
 */
public final class DeliveryPages {

    private static final String LIST_PATH = "/console/deliveries";
    private static final List<String> STATUSES = List.of(Delivery.PENDING, Delivery.SENDING, Delivery.SENT, Delivery.DELIVERED,
            Delivery.FAILED, Delivery.FELL_BACK, Delivery.OBSOLETE);

    private final DeliveryStore store;
    private final DeliveryRetry retry;
    private final Set<String> channels;
    private final Pages pages;
    private final ConsolePages console;

    /** @param channels the channels of channels.yaml, for the filter */
    public DeliveryPages(DeliveryStore store, DeliveryRetry retry, Set<String> channels, Pages pages, ConsolePages console) {
        this.store = store;
        this.retry = retry;
        this.channels = new java.util.TreeSet<>(channels);
        this.pages = pages;
        this.console = console;
    }

    /** {@code GET /console/deliveries} ({@code retried=<id>} after a retry). */
    public void list(@Header("status") String status, @Header("channel") String channel, @Header("after") String after,
            @Header("retried") String retried, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        String wantedStatus = status == null ? null : status.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        wantedStatus = wantedStatus != null && STATUSES.contains(wantedStatus) ? wantedStatus : null;
        String wantedChannel = channel != null && channels.contains(channel) ? channel : null;
        List<Delivery> rows = store.list(null, wantedStatus, wantedChannel, WorkRequests.after(after), WorkRequests.PAGE_SIZE);
        Map<String, Object> model = new LinkedHashMap<>();
        String selectedStatus = wantedStatus;
        model.put("statuses", STATUSES.stream().map(s -> Map.of("value", s, "label", s.toLowerCase(Locale.ROOT).replace('_', ' '),
                "selected", s.equals(selectedStatus))).toList());
        model.put("channels", channels.stream().map(c -> Map.of("value", c, "selected", c.equals(wantedChannel))).toList());
        boolean operates = WorkRequests.operates(request);
        model.put("deliveries", rows.stream().map(d -> row(d, operates)).toList());
        model.put("empty", rows.isEmpty());
        WorkRequests.id(retried).ifPresent(id -> model.put("notice", "Delivery " + id + " is due again: the worker sends it "
                + "within a few seconds. Reload to see how it went."));
        if (rows.size() == WorkRequests.PAGE_SIZE) {
            model.put("next", WorkRequests.query(WorkRequests.filters("status", wantedStatus, "channel", wantedChannel,
                    "after", String.valueOf(rows.get(rows.size() - 1).id()))));
        }
        PageResponses.write(exchange, console.render(request, "console-deliveries", 200, LIST_PATH, "Deliveries", model));
    }

    /** {@code POST /console/deliveries/{id}/retry}. */
    public void retry(@Header("id") String id, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        String pagePath = LIST_PATH + "/" + id + "/retry";
        if (!WorkRequests.csrfChecked(exchange, request, console, pagePath)) {
            return;
        }
        OptionalLong key = WorkRequests.id(id);
        DeliveryRetry.Result result = key.isPresent() ? retry.retry(key.getAsLong(), "console:" + request.user()) : null;
        if (result == null || result.outcome() == DeliveryRetry.Outcome.NOT_FOUND) {
            WorkRequests.notFound(exchange, pages, "There is no delivery " + id + ".", pagePath);
        } else if (result.outcome() == DeliveryRetry.Outcome.NOT_FAILED) {
            PageResponses.write(exchange, pages.problem(409, "Not retried", "Delivery " + key.getAsLong() + " is "
                    + words(result.delivery()) + ", not failed: only a failed delivery is retried.", pagePath));
        } else {
            PageResponses.redirect(exchange, LIST_PATH + "?retried=" + key.getAsLong());
        }
    }

    private static Map<String, Object> row(Delivery d, boolean operates) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", d.id());
        row.put("eventType", d.eventType());
        row.put("itemId", d.itemId());
        row.put("channel", d.channel());
        row.put("recipient", d.recipient());
        row.put("address", "email".equals(d.channelType()) ? d.address() : masked(d.address()));
        row.put("status", d.status().toLowerCase(Locale.ROOT).replace('_', ' '));
        row.put("statusClass", d.status().toLowerCase(Locale.ROOT));
        row.put("words", words(d));
        row.put("attempts", d.attempts());
        row.put("fallbackOf", d.fallbackOf());
        row.put("lastError", d.lastError());
        row.put("created", WorkRequests.time(d.createdAt()));
        row.put("retry", operates && Delivery.FAILED.equals(d.status()) && d.providerId() == null);
        return row;
    }

    /** The status in our words. */
    static String words(Delivery d) {
        return switch (d.status()) {
            case Delivery.PENDING -> d.attempts() == 0 ? "waiting to be sent"
                    : "failed " + d.attempts() + " time" + (d.attempts() == 1 ? "" : "s") + "; next attempt at "
                    + WorkRequests.time(d.nextAttemptAt());
            case Delivery.SENDING -> "being sent";
            case Delivery.SENT -> "sent" + (d.sentVia() == null ? "" : " via " + d.sentVia());
            case Delivery.DELIVERED -> "delivered";
            case Delivery.FAILED -> "failed for good after " + d.attempts() + " attempt" + (d.attempts() == 1 ? "" : "s");
            case Delivery.FELL_BACK -> "failed; sent by the fallback channel instead";
            case Delivery.OBSOLETE -> "not sent: nothing was left to say";
            default -> d.status().toLowerCase(Locale.ROOT);
        };
    }

    /** Device tokens and push endpoints are credentials for pushing to a person: only their ends are shown. */
    private static String masked(String address) {
        return address.length() <= 12 ? "…" : address.substring(0, 6) + "…" + address.substring(address.length() - 4);
    }
}
