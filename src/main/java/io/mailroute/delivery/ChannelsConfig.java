package io.mailroute.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code config/channels.yaml}: how notifications reach people.
 *
 * @param channels   named channels (email through a Gmail mailbox, webhook, fcm, webpush, appworks)
 * @param recipients people, with an email address and push targets
 * @param audiences  who a triage rule's {@code notify:} name reaches, and by which channels
 * @param routing    per event type, the audiences to notify (in addition to the rule's notify list)
 */
public record ChannelsConfig(Map<String, Channel> channels, Map<String, Recipient> recipients,
        Map<String, Audience> audiences, Map<String, List<String>> routing) {

    /** The member name that stands for the item's assignee. */
    public static final String ASSIGNEE = "$assignee";
    /** The member name that stands for whoever sent the item's first message (e.g. an acknowledgement to a customer). */
    public static final String SENDER = "$sender";
    /** Audience member: the owners (mailboxes.yaml {@code owners:}) of the event's mailbox, named in its data. */
    public static final String OWNERS = "$owners";
    /** Audience member: the approvers an approval event asks now ({@code data.askNow}); on push channels only when urgent. */
    public static final String APPROVERS = "$approvers";
    /** Audience member: whoever asked for an approval ({@code data.requester}); email only. */
    public static final String REQUESTER = "$requester";
    /**
     * Audience member: the approval's callback URL ({@code data.callbackUrl}), reached on a webhook channel whose
     * {@code url:} is {@value #CALLBACK} too: a signed POST of the event to that URL.
     */
    public static final String CALLBACK = "$callback";

    /** Every placeholder member, for messages that name them. */
    public static final java.util.List<String> PLACEHOLDERS = java.util.List.of(ASSIGNEE, SENDER, OWNERS, APPROVERS,
            REQUESTER, CALLBACK);

    /**
     * The event types whose data says who a placeholder member is; for any other type it reaches nobody, silently.
     * $sender: the customer of the item any item event carries (workflow.ItemCustomers: the sender of a case's first
     * message), or the message it names (sourceMessageId: the reply an approval.reply-refused answers); $assignee: an
     * item's data (Workflow.itemData: assignee); $owners: a mailbox's connection data (MailboxStates: owners).
     */
    static final Map<String, Set<String>> PLACEHOLDER_EVENT_TYPES = Map.of(
            SENDER, Set.of("case.created", "sla.breached", "approval.reply-refused", "item.replied", "item.assigned",
                    "item.state-changed", "item.info-requested", "item.status-update"),
            ASSIGNEE, Set.of("case.created", "sla.breached"),
            OWNERS, Set.of("connection.broken", "connection.restored", "connection.revoked", "mailbox.paused",
                    "mailbox.resumed"),
            APPROVERS, Set.of("approval.requested", "approval.reminder", "approval.escalated"),
            REQUESTER, Set.of("approval.decided", "approval.expired", "approval.cancelled"),
            CALLBACK, Set.of("approval.decided", "approval.expired", "approval.cancelled"));

    /** The placeholder members of an audience that an event of this type cannot resolve (they would reach nobody). */
    public List<String> unresolvableMembers(String eventType, String audience) {
        Audience defined = audiences.get(audience);
        return defined == null ? List.of() : defined.members().stream()
                .filter(m -> PLACEHOLDER_EVENT_TYPES.containsKey(m) && !PLACEHOLDER_EVENT_TYPES.get(m).contains(eventType))
                .toList();
    }

    /** Which event types can resolve a placeholder member, for messages that say what to do instead. */
    public static Set<String> eventTypesResolving(String member) {
        return new java.util.TreeSet<>(PLACEHOLDER_EVENT_TYPES.getOrDefault(member, Set.of()));
    }

    public static ChannelsConfig empty() {
        return new ChannelsConfig(Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** @param settings type-specific (email: sender mailbox; webhook: url, secret ...); "env:VAR" values are secrets */
    public record Channel(String name, String type, Map<String, String> settings, Fallback fallback) {
        /** The settings key prefix of a per-event template ({@code templates: {<event type>: <name>}} in channels.yaml). */
        public static final String TEMPLATE_FOR = "template.";

        public boolean isEmail() {
            return "email".equals(type);
        }

        /**
         * The template an email of this event type is written with: the channel's {@code templates:} entry for the type,
         * else its {@code template:}, else {@code notification} (files {@code config/templates/<name>.subject|txt|html.mustache}).
         */
        public String template(String eventType) {
            return settings.getOrDefault(TEMPLATE_FOR + eventType, settings.getOrDefault("template", "notification"));
        }
    }

    /** After {@code afterAttempts} failed attempts, or {@code after} since the first, send by {@code channel} instead. */
    public record Fallback(String channel, int afterAttempts, Duration after) {
    }

    public record Recipient(String id, String name, String email, List<Device> devices) {
    }

    /** A push target given in config (more can be registered through the API). */
    public record Device(String channel, String address, Map<String, String> keys) {
    }

    public record Audience(String name, List<String> members, List<String> via) {
    }
}
