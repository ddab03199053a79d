package io.mailroute.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.access.ApiGuard;
import io.mailroute.access.ApiTokens;
import io.mailroute.access.LocalCommandsToken;
import io.mailroute.approvals.ApprovalApi;
import io.mailroute.approvals.ApprovalTimers;
import io.mailroute.approvals.Approvals;
import io.mailroute.approvals.ApprovalsConfig;
import io.mailroute.approvals.ApprovalsFile;
import io.mailroute.audit.AuditLog;
import io.mailroute.audit.AuditTrail;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.MailboxSettings;
import io.mailroute.config.MailboxesFile;
import io.mailroute.connection.Connections;
import io.mailroute.connection.CredentialsResolver;
import io.mailroute.connection.OAuthCredentials;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.ChannelsFile;
import io.mailroute.delivery.DeliveryPlanner;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.delivery.PushSender;
import io.mailroute.delivery.PushSenders;
import io.mailroute.delivery.email.FallbackSender;
import io.mailroute.delivery.email.GmailEmailTransport;
import io.mailroute.ops.DeliveryApi;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventsComponent;
import io.mailroute.events.SubscriptionCursors;
import io.mailroute.retry.Backoff;
import io.mailroute.gmail.GmailClientFactory;
import io.mailroute.gmail.GmailFailures;
import io.mailroute.gmail.GmailRetry;
import io.mailroute.gmail.HistorySync;
import io.mailroute.gmail.MailboxQuotas;
import io.mailroute.gmail.MailboxStates;
import io.mailroute.gmail.MessageFetcher;
import io.mailroute.gmail.RawMessageReader;
import io.mailroute.gmail.MessageIngest;
import io.mailroute.gmail.ProcessedLabeler;
import io.mailroute.gmail.StoredMessageRepository;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.json.Json;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.ops.ApiQueries;
import io.mailroute.ops.AuditApi;
import io.mailroute.ops.TokenApi;
import io.mailroute.ops.ConnectionApi;
import io.mailroute.ops.DatabaseHealthCheck;
import io.mailroute.ops.ItemApi;
import io.mailroute.ops.ObserveEndpoints;
import io.mailroute.triage.TriageRulesReloader;
import io.mailroute.workflow.TriageProcessor;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowStore;
import io.mailroute.timers.Timers;
import io.mailroute.ops.TimerMetrics;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.SandboxCredentials;
import io.mailroute.sandbox.SandboxOptions;
import io.mailroute.sandbox.SandboxSeedException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.google.mail.GoogleMailComponent;
import org.apache.camel.component.google.mail.GoogleMailConfiguration;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the service's beans from {@code config/} and binds them for the routes: the database,
 * the sandbox (demo), one camel-google-mail component per mailbox, the intake beans, the API
 * beans and the health checks. The routes in {@code routes/} refer to these by name.
 */
public final class MailrouteBeans implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MailrouteBeans.class);
    /** A sandbox running elsewhere ({@code java -jar target/mailroute.jar sandbox}) that mailboxes with gmail: sandbox use. */
    static final String SANDBOX_URL = "mailroute.sandbox.url";
    /** The approval policies and approver groups, relative to the config directory. */
    static final String APPROVALS_FILE = "mailroute.approvals.policies-file";
    /** One HTTP transport for every mailbox's OAuth token calls (thread-safe, pooled). */
    private static final com.google.api.client.http.javanet.NetHttpTransport HTTP_TRANSPORT =
            new com.google.api.client.http.javanet.NetHttpTransport();

    private final Path configDir;
    private List<MailboxSettings> mailboxes = List.of();
    private io.mailroute.reports.ReportsConfig reports;
    private io.mailroute.cluster.ClusterSettings cluster;
    private io.mailroute.cluster.QuartzSetup.Store store;

    public MailrouteBeans(Path configDir) {
        this.configDir = configDir;
    }

    /** This instance's part in a cluster; valid after {@link #configure}. */
    public io.mailroute.cluster.ClusterSettings cluster() {
        return cluster;
    }

    /** The database Quartz keeps its tables in when clustered; valid after {@link #configure}. */
    public io.mailroute.cluster.QuartzSetup.Store store() {
        return store;
    }

    /** The reports read from config; valid after {@link #configure}. */
    public io.mailroute.reports.ReportsConfig reports() {
        return reports;
    }

    /** The mailboxes read from config; valid after {@link #configure}. */
    public List<MailboxSettings> mailboxes() {
        return mailboxes;
    }

    @Override
    public void configure(CamelContext context) {
        Settings settings = Settings.of(context, configDir);
        ConfigValidation.ofConfig(settings, System::getenv).enforce(); // what check says, before anything starts
        ObjectMapper json = Json.newMapper();
        Clock clock = Clock.systemUTC();
        Path mailboxesFile = settings.path("mailroute.mailboxes-file", "mailboxes.yaml", true);
        mailboxes = MailboxesFile.load(mailboxesFile);
        Map<String, MailboxSettings> byId = new LinkedHashMap<>();
        mailboxes.forEach(m -> byId.put(m.id(), m));
        Path dataDir = Configs.ownerOnlyDirectory(Configs.dataDirectory(settings));

        GmailSandbox sandbox = startSandboxIfWanted(settings, dataDir.resolve("sandbox"));
        String sandboxRoot = sandbox != null ? sandbox.rootUrl() : withSlash(settings.text(SANDBOX_URL, null));
        Function<String, OAuthCredentials> sandboxCredentials = sandbox == null ? null : address -> {
            SandboxCredentials c = sandbox.admin().credentials(address);
            return new OAuthCredentials(c.clientId(), c.clientSecret(), c.refreshToken());
        };
        CredentialsResolver credentials = new CredentialsResolver(System::getenv, sandboxCredentials, mailboxesFile.toString());

        cluster = ClusterWiring.settings(settings);
        store = new io.mailroute.cluster.QuartzSetup.Store(Configs.databaseUrl(settings), settings.text("mailroute.db.user", "sa"),
                settings.text("mailroute.db.password", ""));
        context.getRegistry().bind("clusterSettings", cluster);
        Database db = Configs.openDatabase(settings);
        closeOnStop(context, "database", db, sandbox);

        MailboxStates states = new MailboxStates(db, clock, new Backoff(
                settings.duration("mailroute.intake.backoff-base", Duration.ofSeconds(1)),
                settings.duration("mailroute.intake.backoff-max", Duration.ofMinutes(5)),
                new SecureRandom()::nextDouble));
        MailboxQuotas quotas = new MailboxQuotas(mailboxes);
        EventLog events = new EventLog(db, json, clock);
        states.reportingTo(events);
        AuditLog auditLog = new AuditLog(db, json, clock);
        AuditTrail audit = auditLog::append;
        mailboxes.forEach(states::register);
        ConnectionWiring wiring = new ConnectionWiring(settings, mailboxes, credentials, sandboxRoot, db, states, quotas, audit, json,
                HTTP_TRANSPORT, clock);
        int timeout = (int) settings.duration("mailroute.gmail.http-timeout", Duration.ofSeconds(30)).toMillis();
        for (MailboxSettings mailbox : mailboxes) {
            String root = ConnectionWiring.gmailRoot(mailbox, sandboxRoot);
            context.addComponent(mailbox.componentName(), gmailComponent(context, wiring.initialCredentials.get(mailbox.id()),
                    new GmailClientFactory(root, timeout, wiring.connections.get(mailbox.id())).pacedBy(quotas.of(mailbox.id())),
                    cluster.enabled() ? "mailroute/" + cluster.nodeId() : "mailroute"));
            LOG.info("Mailbox {} ({}, {}) via {}{}", mailbox.id(), mailbox.address(), mailbox.role().configName(),
                    mailbox.usesSandbox() ? "the sandbox at " + root : root, mailbox.isMonitored()
                            ? (mailbox.usesPush() ? " with Gmail push, safety-net poll" : "") + " every "
                            + mailbox.intakePollInterval().toMillis() + " ms, quota " + mailbox.quotaUnitsPerSecond() + " units/s"
                            : "");
        }
        wiring.start();
        Connections connections = wiring.lifecycle;

        Workflow workflow = new Workflow(db, events, new WorkflowStore(db), audit, json, clock);
        context.addComponent(EventsComponent.SCHEME, new EventsComponent(events, new SubscriptionCursors(db, clock), clock, cluster,
                () -> context.getComponent("quartz", org.apache.camel.component.quartz.QuartzComponent.class).getScheduler()));
        // Shared storage when clustered: an attachment one node stored is served by every node's API and console.
        AttachmentStore attachments = new AttachmentStore(settings.path("mailroute.attachments-dir",
                dataDir.resolve("attachments").toString(), false),
                settings.number("mailroute.intake.max-attachment-bytes", 25L * 1024 * 1024));
        MessageIngest ingest = new MessageIngest(db, events, audit, new MimeParser(attachments), byId,
                dataDir.resolve("quarantine"), settings.number("mailroute.intake.max-message-bytes", 50L * 1024 * 1024),
                json, clock);
        ingest.reportingStoredTo(states::progressed);
        GmailRetry retry = intakeRetry(context, settings, states);
        HistorySync sync = new HistorySync(byId, id -> client(context, byId.get(id)), states, retry,
                (int) settings.number("mailroute.intake.max-messages-per-poll", 1000))
                .gatedBy(connections::mayPoll).pausedWhile(() -> !db.isAvailable()).onNode(cluster.nodeId());

        context.getRegistry().bind("mailrouteDatabase", db);
        context.getRegistry().bind("mailrouteJson", json);
        context.getRegistry().bind("mailboxStates", states);
        context.getRegistry().bind("mailboxQuotas", quotas);
        context.getRegistry().bind("historySync", sync);
        io.mailroute.gmail.push.OidcTokenVerifier pushTokens = PushWiring.bind(context, mailboxesFile, mailboxes,
                MailboxesFile.loadPubSub(mailboxesFile), sandbox, sandboxRoot,
                System::getenv, id -> client(context, byId.get(id)), db, states, connections, clock);
        context.getRegistry().bind("processedLabeler", new ProcessedLabeler(byId, id -> client(context, byId.get(id))));
        context.getRegistry().bind("messageIngest", ingest);
        StoredMessageRepository stored = new StoredMessageRepository(db);
        context.getRegistry().bind("messageFetcher", messageFetcher(context, settings, dataDir, byId, retry, stored));
        context.getRegistry().bind("gmailFailures", new GmailFailures());
        context.getRegistry().bind("intakeIdempotentRepository", stored);
        context.getRegistry().bind("eventLog", events);
        context.getRegistry().bind("apiQueries", new ApiQueries(db, events, states, json)
                .withConnections(connections::sources, wiring.tokens, byId));
        context.getRegistry().bind("connections", connections);
        context.getRegistry().bind("connectionApi", new ConnectionApi(connections, states, json));
        context.getRegistry().bind("auditLog", auditLog);
        context.getRegistry().bind("workflow", workflow);
        context.getRegistry().bind("itemApi", new ItemApi(workflow, json));
        TriageRulesReloader rules = new TriageRulesReloader(settings.path("mailroute.triage.rules-file", "triage.yaml", true), clock);
        bindApprovals(context, settings, db, events, audit, workflow, rules, byId.keySet(), json, clock);
        bindReportBounces(context, db, events, workflow, attachments, clock);
        context.getRegistry().bind("triageProcessor", new TriageProcessor(workflow, rules, db, json));

        ApiTokens apiTokens = new ApiTokens(db, audit, json, clock);
        refuseOpenPortWithoutTokens(settings, apiTokens);
        new LocalCommandsToken(dataDir).issue(apiTokens);
        context.getRegistry().bind("tokenApi", new TokenApi(apiTokens, json));
        context.getRegistry().bind("auditApi", new AuditApi(db, json));
        addService(context, new ApiGuard(context, apiTokens, json, () -> "create one with: java -jar target/mailroute.jar "
                + "token create NAME --role viewer|operator|admin").withConsole(ConsoleWiring.bind(context, settings, db, audit, json,
                clock)).withPubSubPush(pushTokens), false);
        ApiGuard.guardHeaders(context);

        context.getRegistry().bind("platform-http-engine",
                new ServicePortHttpEngine((int) settings.number("camel.server.port", 8080)));

        ChannelsConfig channels = ChannelsFile.load(settings.path("mailroute.delivery.channels-file", "channels.yaml", true));
        FallbackSender fallbackSender = FallbackSenders.from(settings, byId, System::getenv);
        DeliveryStore deliveries = new DeliveryStore(db, wiring.secrets);
        int sealed = deliveries.sealStoredKeys();
        if (sealed > 0) {
            LOG.info("Sealed the subscription keys of {} push target{} stored before keys were encrypted", sealed,
                    sealed == 1 ? "" : "s");
        }
        channels.recipients().values().forEach(r -> r.devices().forEach(d ->
                deliveries.addTarget(r.id(), d.channel(), d.address(), d.keys(), clock.instant())));
        context.getRegistry().bind("deliveryStore", deliveries);
        // deliver-work's poll loop (routes/deliver.camel.yaml), woken when a delivery is planned
        context.getRegistry().bind("deliverWorkScheduler", new io.mailroute.events.WakeablePollScheduler("deliver-work",
                deliveries.due()));
        io.mailroute.workflow.ItemCustomers customers = CustomerMessagesWiring.customers(db, byId, fallbackSender);
        context.getRegistry().bind("deliveryPlanner", new DeliveryPlanner(channels, deliveries, db, json, clock)
                .resolvingSendersWith(customers));
        CustomerMessagesWiring.bind(context, db, workflow, customers, events, audit, channels, json, clock); // customerMessageApi
        GmailEmailTransport email = new GmailEmailTransport(byId, new GmailSenders(id -> client(context, byId.get(id)), states),
                context.createProducerTemplate(), deliveries,
                settings.path("mailroute.delivery.templates-dir", "templates", true).toAbsolutePath().toString(), channels, clock,
                audit).withFallback(connections::maySend, fallbackSender);
        Map<String, PushSender> pushSenders = PushSenders.create(channels,
                settings.path("mailroute.delivery.channels-file", "channels.yaml", true).toString(), System::getenv,
                sandbox == null ? null : (type, key) -> SandboxProviders.value(sandbox, type, key),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), clock);
        NotificationFactory notifications = new NotificationFactory(settings.text("mailroute.delivery.item-url", null))
                .withMailboxPages(ConsoleWiring.publicUrl(settings));
        context.getRegistry().bind("deliveryWorker", new DeliveryWorker(channels, deliveries, pushSenders,
                email, notifications, db, json, clock,
                new Backoff(settings.duration("mailroute.delivery.backoff-base", Duration.ofSeconds(2)),
                        settings.duration("mailroute.delivery.backoff-max", Duration.ofMinutes(30)),
                        new SecureRandom()::nextDouble),
                settings.duration("mailroute.delivery.lease", Duration.ofMinutes(1))).reportingTo(events)
                .onNode(cluster.nodeId()));
        context.getRegistry().bind("deliveryApi", new DeliveryApi(deliveries, channels, json, clock));
        io.mailroute.links.SignedLinks signedLinks = SignedLinksWiring.create(settings, System::getenv, db, clock);
        context.getRegistry().bind("signedLinks", signedLinks);
        GoogleSignInWiring.bind(context, settings, System::getenv, sandbox, sandboxRoot, signedLinks, json, clock);
        ConsoleMailboxesWiring.bind(context, settings, wiring, states, byId, quotas, db, clock);
        bindDecisionPages(context, settings, db, json, clock);
        ConsoleWorkWiring.bind(context, db, workflow, attachments, deliveries, channels, audit, json, clock);
        bindApprovalMail(context, settings, db, json, clock, channels, byId, email, notifications, pushSenders);
        Timers timers = timers(settings, db, json, clock);
        context.getRegistry().bind("timers", timers);
        ApprovalTimers.install(timers, context.getRegistry().lookupByNameAndType("approvals", Approvals.class), json);
        AlertsWiring.bind(context, settings, db, events, channels, timers, audit, json, clock); // alertDesk, externalAlerts, alertApi
        reports = ReportsWiring.config(settings);
        ReportsWiring.bind(context, settings, reports, db, events, channels, byId, deliveries, email, timers, cluster.nodeId(),
                dataDir, json, clock);
        EngagementWiring.bind(context, settings, db, events, notifications, email, clock); // acknowledgement links and their pages
        EngagementWiring.bindGmailReads(context, settings, db, byId, id -> client(context, byId.get(id)), retry);
        EscalationWiring.bind(context, settings, db, events, channels, timers); // escalate: of channels.yaml, on timers

        HealthCheckRegistry health = HealthCheckHelper.getHealthCheckRegistry(context);
        if (health != null) {
            health.register(new DatabaseHealthCheck(db));
        }
        // Mailboxes are not Camel health checks: a broken one degrades the service, it does not make it DOWN.
        addService(context, new ObserveEndpoints(context, List.copyOf(byId.keySet()),
                () -> db.isAvailable() ? states.all() : null, json, clock)
                .alsoMeasuring(new TimerMetrics(() -> db.isAvailable() ? timers.counts() : null, clock))
                .showingCluster(new io.mailroute.cluster.ClusterView(db, cluster, clock)), false);
    }

    /**
     * The one timer mechanism (routes/timers.camel.yaml: reminders, expiry, escalation, digests). Features
     * register a handler per kind on it before the context starts; see {@link Timers}.
     */
    private static Timers timers(Settings settings, Database db, ObjectMapper json, Clock clock) {
        Backoff backoff = new Backoff(settings.duration("mailroute.timers.backoff-base", Duration.ofSeconds(5)),
                settings.duration("mailroute.timers.backoff-max", Duration.ofMinutes(10)), new SecureRandom()::nextDouble);
        try {
            return new Timers(db, json, clock, new Timers.Policy((int) settings.number("mailroute.timers.batch-size", 100),
                    (int) settings.number("mailroute.timers.max-attempts", 5), backoff));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(new ConfigProblem(settings.configDir().resolve("application.properties").toString(),
                    "mailroute.timers.batch-size, mailroute.timers.max-attempts", e.getMessage(), "set each to 1 or more"));
        }
    }

    /**
     * messages.get for intake, with up to mailroute.intake.fetch-ahead of a batch's messages fetched at once
     * per mailbox, on a pool Camel stops with the service.
     */
    private MessageFetcher messageFetcher(CamelContext context, Settings settings, Path dataDir,
            Map<String, MailboxSettings> byId, GmailRetry retry, StoredMessageRepository stored) {
        int fetchAhead = settings.count("mailroute.intake.fetch-ahead", 4);
        RawMessageReader reader;
        try {
            reader = RawMessageReader.inDirectory(dataDir.resolve("fetching"), RawMessageReader.DEFAULT_MEMORY_LIMIT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dataDir.resolve("fetching") + ", where large messages are "
                    + "kept while they are ingested: " + e.getMessage(), e);
        }
        if (fetchAhead == 1) {
            return new MessageFetcher(id -> client(context, byId.get(id)), retry, reader);
        }
        long monitored = byId.values().stream().filter(MailboxSettings::isMonitored).count();
        int threads = (int) Math.min(64, Math.max(1, monitored) * fetchAhead);
        return new MessageFetcher(id -> client(context, byId.get(id)), retry, reader, fetchAhead,
                (mailbox, gmailId) -> stored.contains(StoredMessageRepository.key(mailbox, gmailId)),
                context.getExecutorServiceManager().newFixedThreadPool(this, "gmail-fetch-ahead", threads));
    }

    /** Approvals: items typed approval get theirs in triage's transaction; rules naming what approvals.yaml lacks are refused. */
    private static void bindApprovals(CamelContext context, Settings settings, Database db, EventLog events, AuditTrail audit,
            Workflow workflow, TriageRulesReloader rules, java.util.Set<String> mailboxIds, ObjectMapper json, Clock clock) {
        ApprovalsConfig config = ApprovalsFile.load(settings.path(APPROVALS_FILE, "approvals.yaml", true));
        Approvals approvals = new Approvals(db, events, audit, workflow, config, mailboxIds, json, clock);
        workflow.requestingApprovalsWith(approvals::itemCreated).stateDecidedBy(approvals::decidesStateOf);
        rules.checkedWith(config::problemsIn);
        context.getRegistry().bind("approvals", approvals);
        context.getRegistry().bind("approvalApi", new ApprovalApi(approvals, json));
    }

    /**
     * Bounces of report emails: triage hands a delivery status notification about one to the report ledger first
     * (recipient BOUNCED, report.bounced); it opens no case. Uses the {@code reportRuns} bean, made here when none is bound.
     */
    private static void bindReportBounces(CamelContext context, Database db, EventLog events, Workflow workflow,
            AttachmentStore attachments, Clock clock) {
        io.mailroute.reports.ReportRuns runs = context.getRegistry().lookupByNameAndType("reportRuns", io.mailroute.reports.ReportRuns.class);
        if (runs == null) {
            runs = new io.mailroute.reports.ReportRuns(db, events, clock);
            context.getRegistry().bind("reportRuns", runs);
        }
        workflow.takingOwnMailWith(new io.mailroute.reports.bounces.ReportBounces(runs,
                new io.mailroute.gmail.mime.DeliveryStatusReader(attachments), db));
    }

    /**
     * The pages (bean {@code pages}: templates, assets) and the approval decision pages with the links the request
     * emails carry (beans {@code decisionPages}, {@code decisionLinks}); after {@code approvals} and {@code signedLinks}.
     */
    private static void bindDecisionPages(CamelContext context, Settings settings, Database db, ObjectMapper json, Clock clock) {
        io.mailroute.links.SignedLinks links = context.getRegistry().lookupByNameAndType("signedLinks", io.mailroute.links.SignedLinks.class);
        Approvals approvals = context.getRegistry().lookupByNameAndType("approvals", Approvals.class);
        io.mailroute.pages.Pages pages = new io.mailroute.pages.Pages();
        context.getRegistry().bind("pages", pages);
        addService(context, new io.mailroute.pages.PageHeaders(context), false);
        context.getRegistry().bind("decisionPages", new io.mailroute.approvals.DecisionPages(approvals, links, db, pages, json));
        Duration lifetime = settings.duration("mailroute.approvals.link-lifetime", Duration.ofDays(14));
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new ConfigException(new ConfigProblem(settings.configDir().resolve("application.properties").toString(),
                    "mailroute.approvals.link-lifetime", "is " + lifetime + ", not a positive duration",
                    "write how long decision links of approvals without an expiry work, e.g. 14d"));
        }
        context.getRegistry().bind("decisionLinks", new io.mailroute.approvals.DecisionLinks(links, lifetime, clock));
    }

    /**
     * Approval emails and pushes through the delivery pipeline (approval-request / approval-decided templates, the
     * approvers' decision links, approval_message records) and the callback channels' sender; after bindDecisionPages.
     */
    private static void bindApprovalMail(CamelContext context, Settings settings, Database db, ObjectMapper json, Clock clock,
            ChannelsConfig channels, Map<String, MailboxSettings> mailboxes, GmailEmailTransport email,
            NotificationFactory notifications, Map<String, PushSender> pushSenders) {
        io.mailroute.approvals.ApprovalMail mail = new io.mailroute.approvals.ApprovalMail(
                context.getRegistry().lookupByNameAndType("approvals", Approvals.class),
                context.getRegistry().lookupByNameAndType("decisionLinks", io.mailroute.approvals.DecisionLinks.class),
                settings.path("mailroute.delivery.templates-dir", "templates", true).toFile(), channels,
                id -> mailboxes.containsKey(id) ? mailboxes.get(id).address() : null, db, json);
        io.mailroute.approvals.ApprovalMessages messages = new io.mailroute.approvals.ApprovalMessages(mail, db, clock);
        context.getRegistry().bind("approvalMessages", messages);
        bindApprovalReplies(context, db, json, clock, messages);
        context.getRegistry().lookupByNameAndType("approvalApi", ApprovalApi.class).withMessages(messages);
        email.withContent(mail, messages);
        notifications.withLinks(mail);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        channels.channels().values().stream().filter(PushSenders::postsToCallback).forEach(channel -> pushSenders.put(
                channel.name(), io.mailroute.approvals.ApprovalCallbackSender.forChannel(channel, System::getenv, db, http, clock)));
    }

    /** Decision by reply: triage hands replies to approval emails to the approvals, in its transaction; none opens a case. */
    private static void bindApprovalReplies(CamelContext context, Database db, ObjectMapper json, Clock clock,
            io.mailroute.approvals.ApprovalMessages messages) {
        context.getRegistry().lookupByNameAndType("workflow", Workflow.class).takingApprovalRepliesWith(
                new io.mailroute.approvals.ApprovalReplies(context.getRegistry().lookupByNameAndType("approvals", Approvals.class),
                        new io.mailroute.approvals.ReplyMatcher(messages),
                        context.getRegistry().lookupByNameAndType("eventLog", EventLog.class), db, json, clock));
    }

    /**
     * Intake's Gmail calls, retried in place: not once the mailbox is paused or disconnected, and not
     * while the service stops (a wait in progress ends early).
     */
    private static GmailRetry intakeRetry(CamelContext context, Settings settings, MailboxStates states) {
        Duration budget = settings.duration("mailroute.intake.retry-budget", Duration.ofSeconds(30));
        GmailRetry.Policy policy = new GmailRetry.Policy(settings.count("mailroute.intake.retry-attempts", 5), budget,
                new Backoff(settings.duration("mailroute.intake.retry-base", Duration.ofMillis(500)), budget,
                        new SecureRandom()::nextDouble));
        java.util.function.BooleanSupplier stopping = () -> context.isStopping() || context.isStopped();
        return new GmailRetry(policy, GmailRetry.sleeperUntil(stopping), System::nanoTime)
                .retryingWhile(id -> !stopping.getAsBoolean() && !states.state(id).isDisconnected())
                .countingIn(states.errorCounts());
    }

    /**
     * A service port reachable from other machines must have somebody who may use it: refuse to start
     * without an API token (other than the local commands' own) rather than run a port nobody can use
     * or, worse, find later that the tokens were forgotten.
     */
    static void refuseOpenPortWithoutTokens(Settings settings, ApiTokens tokens) {
        String host = settings.text("camel.server.host", "0.0.0.0");
        if (settings.flag("camel.server.enabled", false) && !isLoopback(host) && !tokens.anyBesides(LocalCommandsToken.NAME_PREFIX)) {
            throw new ConfigException(new ConfigProblem(settings.configDir().resolve("application.properties").toString(),
                    "camel.server.host",
                    "is " + host + ", reachable from other machines, but no API token exists",
                    "create one first (java -jar target/mailroute.jar token create NAME --role viewer|operator|admin, with the "
                            + "service stopped), or bind to 127.0.0.1"));
        }
    }

    static boolean isLoopback(String host) {
        String h = host.trim().toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    /** @param stateDir where the demo's sandbox keeps its users, grants and mail across restarts */
    private GmailSandbox startSandboxIfWanted(Settings settings, Path stateDir) {
        if (!startsSandbox(settings, mailboxes)) {
            return null;
        }
        SandboxOptions options = sandboxOptions(settings).withStateDir(stateDir);
        try {
            GmailSandbox sandbox = GmailSandbox.start(options);
            LOG.info("Gmail sandbox listening on {} (seeded from {}, state kept in {})", sandbox.rootUrl(), options.seedDir(),
                    options.stateDir());
            return sandbox;
        } catch (SandboxSeedException e) {
            throw new IllegalStateException("Cannot start the Gmail sandbox: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Gmail sandbox on port " + options.port()
                    + " (mailroute.sandbox.port): " + e.getMessage() + ". Free the port or choose another.", e);
        }
    }

    /** Whether the service starts the Gmail sandbox in its own process (then {@code sandbox} settings work). */
    static boolean startsSandbox(Settings settings, java.util.Collection<MailboxSettings> mailboxes) {
        return settings.flag("mailroute.sandbox.enabled", true) && settings.text(SANDBOX_URL, null) == null
                && mailboxes.stream().anyMatch(MailboxSettings::usesSandbox);
    }

    static SandboxOptions sandboxOptions(Settings settings) {
        try {
            return SandboxOptions.defaults()
                    .withPort((int) settings.number("mailroute.sandbox.port", 8025))
                    .withSeedDir(settings.path("mailroute.sandbox.seed", "sandbox", true))
                    .withQuota((int) settings.number("mailroute.sandbox.quota-units-per-second", 0))
                    .withErrorRate(Double.parseDouble(settings.text("mailroute.sandbox.error-rate", "0")))
                    .withLatencyMillis((int) settings.duration("mailroute.sandbox.latency", Duration.ZERO).toMillis());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(new ConfigProblem(settings.configDir().resolve("application.properties").toString(),
                    "mailroute.sandbox.*", e.getMessage(), "see the comments in the Gmail sandbox section"));
        }
    }

    /** @param applicationName goes into the User-Agent of each Gmail call: mailroute/<node> when clustered */
    private static GoogleMailComponent gmailComponent(CamelContext context, OAuthCredentials credentials,
            GmailClientFactory factory, String applicationName) {
        GoogleMailComponent component = new GoogleMailComponent(context);
        GoogleMailConfiguration configuration = new GoogleMailConfiguration();
        configuration.setClientId(credentials.clientId());
        configuration.setClientSecret(credentials.clientSecret());
        configuration.setRefreshToken(credentials.refreshToken());
        configuration.setApplicationName(applicationName);
        component.setConfiguration(configuration);
        component.setClientFactory(factory);
        return component;
    }

    private static com.google.api.services.gmail.Gmail client(CamelContext context, MailboxSettings mailbox) {
        GoogleMailComponent component = context.getComponent(mailbox.componentName(), GoogleMailComponent.class);
        return component.getClient(component.getConfiguration());
    }

    private static String withSlash(String url) {
        return url == null || url.endsWith("/") ? url : url + "/";
    }

    /** Closes the database and the sandbox after the routes have stopped. */
    private static void closeOnStop(CamelContext context, String name, AutoCloseable... resources) {
        addService(context, new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                for (AutoCloseable resource : resources) {
                    if (resource != null) {
                        resource.close();
                    }
                }
            }

            @Override
            public String toString() {
                return "mailroute-" + name;
            }
        }, true);
    }

    /** @param forceStart start it now; otherwise it starts with the context, after the services Camel Main added */
    private static void addService(CamelContext context, Object service, boolean forceStart) {
        try {
            context.addService(service, true, forceStart);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
