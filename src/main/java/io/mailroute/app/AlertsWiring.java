package io.mailroute.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.alerts.AlertApi;
import io.mailroute.alerts.AlertDesk;
import io.mailroute.alerts.AlertOwners;
import io.mailroute.alerts.AlertOwnersFile;
import io.mailroute.alerts.ExternalAlerts;
import io.mailroute.alerts.Severity;
import io.mailroute.audit.AuditTrail;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.events.EventLog;
import io.mailroute.timers.Timers;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.apache.camel.CamelContext;

/**
 * Alerts (routes/alerts.camel.yaml): Mailroute's own ({@code alertDesk}) and other systems' ({@code externalAlerts},
 * {@code alertApi}), both told to the owners {@code owners:} of channels.yaml names; after {@code timers}.
 */
final class AlertsWiring {

    /** The one reminder of an open alert from another system, per severity ({@code 0s}: none). */
    static final String REMINDER = "mailroute.alerts.reminder.";
    private static final Map<Severity, Duration> DEFAULT_REMINDERS = Map.of(Severity.CRITICAL, Duration.ofMinutes(30),
            Severity.HIGH, Duration.ofHours(1), Severity.NORMAL, Duration.ofHours(4), Severity.LOW, Duration.ZERO);

    private AlertsWiring() {
    }

    static void bind(CamelContext context, Settings settings, Database db, EventLog events, ChannelsConfig channels,
            Timers timers, AuditTrail audit, ObjectMapper json, Clock clock) {
        AlertOwners owners = AlertOwnersFile.load(settings.path("mailroute.delivery.channels-file", "channels.yaml", true),
                channels);
        context.getRegistry().bind("alertDesk", new AlertDesk(db, events, json, clock,
                settings.duration("mailroute.alerts.window", Duration.ofHours(1))).withOwners(owners));
        Map<Severity, Duration> reminders = new EnumMap<>(Severity.class);
        for (Severity severity : Severity.values()) {
            reminders.put(severity, settings.duration(REMINDER + severity.configName(), DEFAULT_REMINDERS.get(severity)));
        }
        ExternalAlerts alerts = new ExternalAlerts(db, events, channels, owners, reminders, json, clock).remindingOn(timers)
                .auditedIn(audit);
        context.getRegistry().bind("externalAlerts", alerts);
        context.getRegistry().bind("alertApi", new AlertApi(alerts, json));
    }
}
