package io.mailroute.app;

import com.google.api.client.http.javanet.NetHttpTransport;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.MailboxSettings;
import io.mailroute.config.PubSubSettings;
import io.mailroute.connection.Connections;
import io.mailroute.db.Database;
import io.mailroute.gmail.MailboxClients;
import io.mailroute.gmail.MailboxState;
import io.mailroute.gmail.MailboxStates;
import io.mailroute.gmail.push.GmailWatches;
import io.mailroute.gmail.push.PubSubClient;
import io.mailroute.gmail.push.OidcTokenVerifier;
import io.mailroute.gmail.push.PushEndpoint;
import io.mailroute.gmail.push.PushIntake;
import io.mailroute.gmail.push.PushNotifications;
import io.mailroute.gmail.push.PushSyncs;
import io.mailroute.oidc.IdTokenCheck;
import io.mailroute.sandbox.GmailSandbox;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gmail push: binds {@code pushSyncs} always (routes/gmail-intake.camel.yaml tells it of every poll) and, when some
 * mailbox has {@code push: pubsub}, {@code gmailWatches} and {@code pushIntake} (when it pulls a subscription) for
 * routes/gmail-push.camel.yaml, with the connection lifecycle stopping and making watches; {@code pushEndpoint} always
 * ({@code POST /gmail/push}: a 404 without {@code pubsub.endpoint:}).
 */
final class PushWiring {

    private static final Logger LOG = LoggerFactory.getLogger(PushWiring.class);
    /** The quartz group of the mailboxes' polls: routes/gmail-intake.camel.yaml's quartz://gmail-intake/<mailbox>. */
    private static final String INTAKE_GROUP = "gmail-intake";

    private PushWiring() {
    }

    /**
     * @param sandboxRoot the sandbox's root URL (in this process or mailroute.sandbox.url), or null
     * @return the verifier of push tokens for the {@link io.mailroute.access.ApiGuard}, or null when no push endpoint is
     *         configured
     */
    static OidcTokenVerifier bind(CamelContext context, Path mailboxesFile, List<MailboxSettings> mailboxes,
            PubSubSettings pubSub, GmailSandbox sandbox, String sandboxRoot, Function<String, String> environment,
            MailboxClients clients, Database db, MailboxStates states, Connections connections, Clock clock) {
        PushSyncs syncs = new PushSyncs(mailboxId -> triggerPoll(context, mailboxId), states::cursor);
        context.getRegistry().bind("pushSyncs", syncs);
        Map<String, String> byAddress = new LinkedHashMap<>();
        mailboxes.stream().filter(MailboxSettings::usesPush).forEach(m -> byAddress.put(m.address(), m.id()));
        if (byAddress.isEmpty() || pubSub == null) {
            context.getRegistry().bind("pushEndpoint", new PushEndpoint(null, 1));
            return null;
        }
        String file = mailboxesFile.toString();
        PushNotifications notifications = new PushNotifications(syncs, byAddress, id -> {
            MailboxState state = states.state(id);
            return state != MailboxState.PAUSED && state != MailboxState.REVOKED;
        }, pubSub.syncTimeout());
        PushIntake intake = pubSub.pulls() ? pullIntake(context, file, pubSub, sandbox, sandboxRoot, environment, syncs,
                notifications) : null;
        OidcTokenVerifier pushTokens = null;
        if (pubSub.endpoint() != null) {
            PubSubSettings.Endpoint endpoint = pubSub.endpoint();
            Set<String> issuers = new LinkedHashSet<>();
            endpoint.issuers().forEach(i -> issuers.addAll(IdTokenCheck.issuers(i)));
            try {
                pushTokens = OidcTokenVerifier.fromJwksUrl(endpoint.jwksUrl(), issuers, endpoint.audience(),
                        endpoint.serviceAccount(), clock);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(new ConfigProblem(file, "pubsub.endpoint.jwksUrl", e.getMessage(),
                        "leave it out for Google's keys"));
            }
            context.getRegistry().bind("pushEndpoint", new PushEndpoint(notifications, endpoint.maxWaiting()));
        } else {
            context.getRegistry().bind("pushEndpoint", new PushEndpoint(null, 1));
        }
        GmailWatches watches = new GmailWatches(List.copyOf(byAddress.values()), clients, db, pubSub,
                connections::mayPoll, syncs, clock);
        connections.notifying(watches);
        context.getRegistry().bind("gmailWatches", watches);
        if (pubSub.endpoint() != null) {
            LOG.info("Gmail push: Pub/Sub may push notifications to POST {} with an ID token of {} for audience {}",
                    io.mailroute.access.ApiAccessPolicy.PUBSUB_PUSH_PATH, pubSub.endpoint().serviceAccount(),
                    pubSub.endpoint().audience());
        }
        LOG.info("Gmail push: {} mailbox(es) watched on {}{}", byAddress.size(), pubSub.topic(), intake == null
                ? ", notifications pushed to the service only (no pull subscription)" : "");
        return pushTokens;
    }

    /** The pull loop's bean ({@code pushIntake}): the subscription's client, stopped with the context. */
    private static PushIntake pullIntake(CamelContext context, String file, PubSubSettings pubSub, GmailSandbox sandbox,
            String sandboxRoot, Function<String, String> environment, PushSyncs syncs, PushNotifications notifications) {
        NetHttpTransport transport = new NetHttpTransport();
        String key = pubSub.usesSandboxCredentials() ? sandboxKey(sandbox, file) : environment.apply(pubSub.credentialsVariable());
        if (key == null || key.isBlank()) {
            throw new ConfigException(new ConfigProblem(file, "pubsub.credentials", "environment variable "
                    + pubSub.credentialsVariable() + " is not set", "export it with the service account's JSON key"));
        }
        String root = pubSub.usesSandboxUrl() ? sandboxRoot : pubSub.url();
        if (root == null) {
            throw new ConfigException(new ConfigProblem(file, "pubsub.url", "is sandbox, but no sandbox runs",
                    "set mailroute.sandbox.url, or a mailbox on gmail: sandbox, or write the Pub/Sub URL"));
        }
        PubSubClient client;
        try {
            client = new PubSubClient(transport, PubSubClient.serviceAccount(key, transport, "pubsub.credentials"), root,
                    pubSub.subscription());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(new ConfigProblem(file, "pubsub.credentials", e.getMessage(), null));
        }
        ExecutorService acks = context.getExecutorServiceManager().newSingleThreadExecutor(syncs, "gmail-push-acks");
        PushIntake intake = new PushIntake(client, notifications, acks);
        context.getRegistry().bind("pushIntake", intake);
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    intake.stop();
                }

                @Override
                public String toString() {
                    return "mailroute-gmail-push";
                }
            }, true, false);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        LOG.info("Gmail push: notifications pulled from {} at {}", pubSub.subscription(), root);
        return intake;
    }

    /** One more poll of the mailbox's own (stateful) Quartz job: queued behind a running one, never beside it. */
    private static void triggerPoll(CamelContext context, String mailboxId) throws Exception {
        Scheduler scheduler = context.getComponent("quartz", QuartzComponent.class).getScheduler();
        Trigger trigger = scheduler.getTrigger(TriggerKey.triggerKey(mailboxId, INTAKE_GROUP));
        if (trigger == null) {
            throw new IllegalStateException("no Quartz trigger " + INTAKE_GROUP + "." + mailboxId + " (its intake route is "
                    + "not started)");
        }
        scheduler.triggerJob(trigger.getJobKey());
    }

    private static String sandboxKey(GmailSandbox sandbox, String file) {
        if (sandbox == null) {
            throw new ConfigException(new ConfigProblem(file, "pubsub.credentials", "is sandbox, but the sandbox does not "
                    + "run in this process", "write env:VAR naming an environment variable with the service account's "
                    + "JSON key, or run the demo's in-process sandbox (mailroute.sandbox.enabled, no mailroute.sandbox.url)"));
        }
        return SandboxProviders.value(sandbox, "pubsub", "credentials");
    }
}
