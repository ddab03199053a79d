package io.mailroute.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.text.Counted;
import io.mailroute.workflow.ItemCustomers;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an event into delivery rows: the audiences named by the triage rule ({@code data.channels})
 * and by {@code routing:} for the event type, each member on each of the audience's channels.
 * Idempotent: an event planned twice (redelivery after a crash) adds nothing.
 */
public final class DeliveryPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryPlanner.class);

    private final ChannelsConfig config;
    private final DeliveryStore store;
    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;
    private ItemCustomers customers;

    public DeliveryPlanner(ChannelsConfig config, DeliveryStore store, Database db, ObjectMapper json, Clock clock) {
        this.config = config;
        this.store = store;
        this.db = db;
        this.json = json;
        this.clock = clock;
        this.customers = new ItemCustomers(db, java.util.Set.of());
    }

    /** {@code $sender} is resolved by {@code customers} (which knows our own addresses, never written to). */
    public DeliveryPlanner resolvingSendersWith(ItemCustomers customers) {
        this.customers = java.util.Objects.requireNonNull(customers, "customers");
        return this;
    }

    /** @return how many new deliveries were planned */
    public int plan(@Body String eventJson) throws JsonProcessingException {
        JsonNode event = json.readTree(eventJson);
        String type = event.path("type").asText();
        Set<String> audiences = new LinkedHashSet<>();
        event.at("/data/channels").forEach(n -> audiences.add(n.asText()));
        audiences.addAll(config.routing().getOrDefault(type, List.of()));
        int created = planFor(event, audiences);
        if (created > 0) {
            LOG.info("Event {} ({}): {} planned", event.path("id").asText(), type, Counted.of(created, "delivery", "deliveries"));
        }
        return created;
    }

    /**
     * Plans the event for one audience only, whatever its rule and routing name: a subscription route that picks
     * events of its own (routes/finance-exceptions-webhook.camel.yaml) delivers them through a channel this way.
     * Idempotent like {@link #plan}: an event planned again (a subscription resuming) plans nothing new.
     *
     * @return how many new deliveries were planned
     */
    public int planAudience(@Body String eventJson, String audience) throws JsonProcessingException {
        return planFor(json.readTree(eventJson), new LinkedHashSet<>(List.of(audience)));
    }

    /**
     * Plans the event for these audiences only, as {@link #plan} plans it for its own (escalation: the audiences an
     * unopened notice escalates to). Idempotent the same way; joins the caller's transaction.
     *
     * @param event the event as stored (its {@code id}, {@code type}, {@code mailbox}, {@code itemId}, {@code data})
     * @return how many new deliveries were planned
     */
    public int planAudiences(JsonNode event, java.util.Collection<String> audiences) {
        return planFor(event, new LinkedHashSet<>(audiences));
    }

    private int planFor(JsonNode event, Set<String> audiences) {
        String type = event.path("type").asText();
        List<Planned> planned = new ArrayList<>();
        for (String name : audiences) {
            ChannelsConfig.Audience audience = config.audiences().get(name);
            if (audience == null) {
                LOG.warn("Event {} ({}) names audience '{}', which config/channels.yaml does not define; nobody notified for it",
                        event.path("id").asText(), type, name);
                continue;
            }
            for (String member : members(audience, event)) {
                for (String channelName : audience.via()) {
                    planned.addAll(targets(member, config.channels().get(channelName), event));
                }
            }
        }
        Instant now = clock.instant();
        Long itemId = event.hasNonNull("itemId") ? event.get("itemId").asLong() : null;
        String mailbox = event.path("mailbox").asText(null);
        Integer created = db.transactions().execute(tx -> {
            int count = 0;
            for (Planned p : planned) {
                if (store.plan(event.path("id").asText(), type, mailbox, itemId, p.channel().name(), p.channel().type(),
                        p.recipient(), p.address(), null, now)) {
                    count++;
                }
            }
            return count;
        });
        return created == null ? 0 : created;
    }

    /** The audience's members, with {@code $owners} standing for the recipients the event names as its mailbox's owners. */
    private static List<String> members(ChannelsConfig.Audience audience, JsonNode event) {
        List<String> members = new ArrayList<>();
        for (String member : audience.members()) {
            if (ChannelsConfig.OWNERS.equals(member)) {
                event.at("/data/owners").forEach(owner -> members.add(owner.asText()));
            } else {
                members.add(member);
            }
        }
        return members;
    }

    /** Where one member is reached on one channel: an email address, or each of their active push targets. */
    List<Planned> targets(String member, ChannelsConfig.Channel channel, JsonNode event) {
        String recipientId = member;
        ChannelsConfig.Recipient recipient = config.recipients().get(member);
        if (ChannelsConfig.SENDER.equals(member)) {
            if (!channel.isEmail()) {
                return List.of(); // only email reaches an outside sender
            }
            ItemCustomers.Customer sender = senderOf(event);
            if (!sender.exists()) {
                LOG.warn("Event {} ({}): $sender reaches nobody on channel {}: {}", event.path("id").asText(),
                        event.path("type").asText(), channel.name(), sender.reason());
                return List.of();
            }
            return List.of(new Planned(channel, sender.address(), sender.address()));
        }
        if (ChannelsConfig.REQUESTER.equals(member)) {
            String requester = event.at("/data/requester").asText(null);
            return requester == null || !requester.contains("@") || !channel.isEmail() ? List.of()
                    : List.of(new Planned(channel, requester, requester));
        }
        if (ChannelsConfig.CALLBACK.equals(member)) {
            String url = event.at("/data/callbackUrl").asText(null);
            return url == null || url.isBlank() || !ChannelsConfig.CALLBACK.equals(channel.settings().get("url")) ? List.of()
                    : List.of(new Planned(channel, ChannelsConfig.CALLBACK, url));
        }
        if (ChannelsConfig.APPROVERS.equals(member)) {
            if (!channel.isEmail() && !event.at("/data/urgent").asBoolean(false)) {
                return List.of(); // a push only when the approval is urgent; email always
            }
            List<Planned> out = new ArrayList<>();
            event.at("/data/askNow").forEach(approver -> out.addAll(person(approver.asText(), channel)));
            return out;
        }
        if (ChannelsConfig.ASSIGNEE.equals(member)) {
            return person(event.at("/data/assignee").asText(null), channel);
        }
        return recipient == null ? List.of() : reach(recipientId, recipient, channel);
    }

    /** A person an event names by recipient id or address: as configured when a recipient has that address, else by email only. */
    private List<Planned> person(String who, ChannelsConfig.Channel channel) {
        if (who == null || who.isBlank()) {
            return List.of();
        }
        ChannelsConfig.Recipient recipient = config.recipients().values().stream()
                .filter(r -> r.id().equalsIgnoreCase(who) || who.equalsIgnoreCase(r.email()))
                .findFirst().orElse(who.contains("@") ? new ChannelsConfig.Recipient(who, who, who, List.of()) : null);
        return recipient == null ? List.of() : reach(recipient.id(), recipient, channel);
    }

    private List<Planned> reach(String recipientId, ChannelsConfig.Recipient recipient, ChannelsConfig.Channel channel) {
        List<Planned> out = new ArrayList<>();
        if (channel.isEmail()) {
            if (recipient.email() != null) {
                out.add(new Planned(channel, recipientId, recipient.email()));
            }
            return out;
        }
        // devices from config are registered in push_target at start, beside those added through the API
        for (String address : store.targetAddresses(recipientId, channel.name())) {
            out.add(new Planned(channel, recipientId, address));
        }
        return out;
    }

    /**
     * {@code $sender}: the sender of the message the event is about when it names one ({@code data.sourceMessageId}: a
     * new item's first message, the reply an approval.reply-refused answers), else the customer of the item it carries
     * (any item event: the sender of a case's first message). Never one of our own mailboxes, never an invalid address.
     */
    private ItemCustomers.Customer senderOf(JsonNode event) {
        JsonNode source = event.at("/data/sourceMessageId");
        if (source.canConvertToLong()) {
            return customers.senderOf(source.asLong());
        }
        JsonNode item = event.hasNonNull("itemId") ? event.get("itemId") : event.at("/data/itemId");
        return item.canConvertToLong() ? customers.ofItem(item.asLong())
                : ItemCustomers.Customer.none("the event names no item and no message");
    }

    record Planned(ChannelsConfig.Channel channel, String recipient, String address) {
    }
}
