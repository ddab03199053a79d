package io.mailroute.app;

import io.mailroute.access.ApiAccessPolicy;
import io.mailroute.approvals.ApprovalsConfig;
import io.mailroute.approvals.ApprovalsFile;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.MailboxSettings;
import io.mailroute.config.MailboxesFile;
import io.mailroute.connection.CredentialsResolver;
import io.mailroute.connection.OAuthCredentials;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.ChannelsFile;
import io.mailroute.delivery.PushSenders;
import io.mailroute.delivery.email.GmailEmailTransport;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.ReportsFile;
import io.mailroute.triage.TriageRules;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one validation of {@code config/} and {@code routes/}: {@code check} prints it, and the service runs the
 * same at start (the config half before it opens anything, the route half before any route starts), refusing to
 * start on a problem (exit 78) and logging the warnings. Each finding
 * names the file, the key or line, what is wrong and what to do. Besides each file on its own, it checks what one
 * file names in another (a channel's sender mailbox, a mailbox's owners, a rule's audiences and mailboxes) and
 * what only works with the sandbox running in this process.
 */
public final class ConfigValidation {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigValidation.class);
    /** The event a rule's notify: rides on: every new item's. */
    private static final String NEW_ITEM_EVENT = "case.created";

    /** What stops the service ({@code problems}) and what it runs with but does nothing ({@code warnings}). */
    public record Findings(List<ConfigProblem> problems, List<ConfigProblem> warnings) {

        public Findings {
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }

        public Findings and(Findings more) {
            List<ConfigProblem> allProblems = new ArrayList<>(problems);
            allProblems.addAll(more.problems);
            List<ConfigProblem> allWarnings = new ArrayList<>(warnings);
            allWarnings.addAll(more.warnings);
            return new Findings(allProblems, allWarnings);
        }

        /** At start: logs each warning; throws a {@link ConfigException} listing every problem, if there is one. */
        void enforce() {
            warnings.forEach(w -> LOG.warn("{}", w));
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
        }
    }

    private final Settings settings;
    private final Function<String, String> environment;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();

    private ConfigValidation(Settings settings, Function<String, String> environment) {
        this.settings = settings;
        this.environment = environment;
    }

    /** Every file of {@code config/} and what they name in each other. */
    public static Findings ofConfig(Settings settings, Function<String, String> environment) {
        ConfigValidation validation = new ConfigValidation(settings, environment);
        validation.config();
        return new Findings(validation.problems, validation.warnings);
    }

    /** What needs the loaded routes: the intake template, and every event type routed to people reaching the planner. */
    public static Findings ofRoutes(Model model, Settings settings, Path routesDir) {
        ConfigValidation validation = new ConfigValidation(settings, System::getenv);
        validation.routes(model, routesDir);
        return new Findings(validation.problems, validation.warnings);
    }

    /** The route half at the service's start: once the routes are loaded, before any of them starts. */
    static MainListenerSupport routesAtStart(Path configDir, Path routesDir) {
        return new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport main) {
                org.apache.camel.CamelContext context = main.getCamelContext();
                ofRoutes(context.getCamelContextExtension().getContextPlugin(Model.class), Settings.of(context, configDir),
                        routesDir).enforce();
            }
        };
    }

    private void config() {
        problems.addAll(settings.validate());
        ClusterWiring.problems(settings).stream().filter(p -> !problems.contains(p)).forEach(problems::add);
        deliveryLease();
        Path mailboxesFile = settings.path("mailroute.mailboxes-file", "mailboxes.yaml", true);
        Map<String, MailboxSettings> mailboxes = null;
        boolean sandboxRuns = false;
        List<MailboxSettings> declared = load(() -> MailboxesFile.load(mailboxesFile));
        if (declared != null) {
            mailboxes = new LinkedHashMap<>();
            for (MailboxSettings mailbox : declared) {
                mailboxes.put(mailbox.id(), mailbox);
            }
            try {
                sandboxRuns = MailrouteBeans.startsSandbox(settings, mailboxes.values());
            } catch (ConfigException e) {
                sandboxRuns = false; // mailroute.sandbox.enabled is not true or false: validate() said so
            }
            mailboxes(mailboxes, mailboxesFile, sandboxRuns);
        }
        Path channelsFile = settings.path("mailroute.delivery.channels-file", "channels.yaml", true);
        // No channels file means no notifications at all, which is allowed; one that names nobody is checked.
        ChannelsConfig channels = Files.isRegularFile(channelsFile) ? load(() -> ChannelsFile.load(channelsFile)) : null;
        if (channels != null && mailboxes != null) {
            pushChannels(channels, channelsFile, sandboxRuns);
            emailSenders(channels, channelsFile, mailboxes);
            owners(channels, channelsFile, mailboxes.values(), mailboxesFile);
        }
        alertOwners(channels, channelsFile, mailboxes);
        if (channels != null) {
            problems.addAll(io.mailroute.escalation.EscalationFile.check(channelsFile, channels)); // escalate: per channel
        }
        Path rulesFile = settings.path("mailroute.triage.rules-file", "triage.yaml", true);
        TriageRules rules = load(() -> TriageRules.load(rulesFile));
        if (rules != null && channels != null) {
            notifications(rules, channels, channelsFile);
        }
        if (rules != null && mailboxes != null) {
            warnings.addAll(rules.neverMatching(mailboxes.values().stream().filter(MailboxSettings::isMonitored)
                    .map(MailboxSettings::id).toList()));
        }
        if (!Files.isRegularFile(channelsFile)) {
            nobodyNotified(channelsFile, rules, mailboxes);
        }
        signedLinks();
        problems.addAll(ConsoleWiring.check(settings));
        approvals(rules, mailboxes);
        reports(mailboxes, channels, Files.isRegularFile(channelsFile));
        if (mailboxes != null) {
            googleSignIn(sandboxRuns); // whether the sandbox runs is known only from readable mailboxes
        }
    }

    /** owners: of channels.yaml (alerts): audiences it names, and mailboxes of mailboxes.yaml when that could be read. */
    private void alertOwners(ChannelsConfig channels, Path channelsFile, Map<String, MailboxSettings> mailboxes) {
        if (channels != null) {
            problems.addAll(io.mailroute.alerts.AlertOwnersFile.check(channelsFile, channels,
                    mailboxes == null ? null : mailboxes.keySet()));
        }
    }

    /** mailroute.console.google.* and the OAuth client's variables, when Google sign-in is on. */
    private void googleSignIn(boolean sandboxRuns) {
        problems.addAll(GoogleSignInWiring.problems(settings, environment,
                sandboxRuns || settings.text(MailrouteBeans.SANDBOX_URL, null) != null, sandboxRuns));
    }

    /** The signed-link keys (variables and key files) and mailroute.links.base-url. */
    private void signedLinks() {
        Findings links = SignedLinksWiring.check(settings, environment);
        problems.addAll(links.problems());
        warnings.addAll(links.warnings());
    }

    /** approvals.yaml on its own, what triage rules name in it, and its mailbox in mailboxes.yaml. */
    private void approvals(TriageRules rules, Map<String, MailboxSettings> mailboxes) {
        Path approvalsFile = settings.path(MailrouteBeans.APPROVALS_FILE, "approvals.yaml", true);
        ApprovalsConfig approvals = load(() -> ApprovalsFile.load(approvalsFile));
        if (approvals == null) {
            return;
        }
        if (rules != null) {
            problems.addAll(approvals.problemsIn(rules));
        }
        if (approvals.mailbox() != null && mailboxes != null && !mailboxes.containsKey(approvals.mailbox())) {
            // only requests that name no mailbox of their own need it: they are refused until it is fixed
            warnings.add(new ConfigProblem(approvalsFile.toString(), "mailbox", "'" + approvals.mailbox()
                    + "' is not a mailbox of mailboxes.yaml, so requests that name no mailbox are refused",
                    "name one of " + mailboxes.keySet()));
        }
    }

    /**
     * reports.yaml on its own, the mailboxes, audiences and owners it names in mailboxes.yaml and channels.yaml (each
     * checked only when that file could be read; no channels.yaml: no audiences, no recipients), and its datasources'
     * variables. No file: no reports.
     */
    private void reports(Map<String, MailboxSettings> mailboxes, ChannelsConfig channels, boolean channelsFileExists) {
        Path reportsFile = settings.path("mailroute.reports.file", "reports.yaml", true);
        if (!Files.isRegularFile(reportsFile)) {
            return;
        }
        ReportsConfig reports = load(() -> ReportsFile.load(reportsFile,
                settings.path("mailroute.delivery.templates-dir", "templates", true)));
        if (reports == null) {
            return;
        }
        ChannelsConfig named = channels != null ? channels : channelsFileExists ? null : ChannelsConfig.empty();
        Map<String, List<String>> audiences = null;
        if (named != null) {
            audiences = new LinkedHashMap<>();
            for (ChannelsConfig.Audience audience : named.audiences().values()) {
                audiences.put(audience.name(), audience.members());
            }
        }
        problems.addAll(reports.problemsIn(mailboxes == null ? null : mailboxes.keySet(),
                named == null ? null : named.recipients().keySet(), audiences));
        warnings.addAll(reports.unsetVariables(environment));
        digests(reports, mailboxes, channels);
        String channel = settings.text(ReportsWiring.CHANNEL, "report-email");
        if (named != null && !reports.reports().isEmpty()
                && (named.channels().get(channel) == null || !named.channels().get(channel).isEmail())) {
            problems.add(new ConfigProblem(settings.configDir().resolve("application.properties").toString(),
                    ReportsWiring.CHANNEL, "names '" + channel + "', which is not an email channel of channels.yaml, and "
                    + reportsFile + " has reports to send", "add the channel to channels.yaml (type: email, sender: $mailbox "
                    + "sends from each report's mailbox) or name another email channel"));
        }
    }

    /** The digests of reports.yaml: whether their recipients own any queue (channels.yaml owners:). */
    private void digests(ReportsConfig reports, Map<String, MailboxSettings> mailboxes, ChannelsConfig channels) {
        if (channels == null || mailboxes == null) {
            return; // their own problems say why
        }
        io.mailroute.alerts.AlertOwners owners;
        try {
            owners = io.mailroute.alerts.AlertOwnersFile.load(settings.path("mailroute.delivery.channels-file", "channels.yaml",
                    true), channels);
        } catch (io.mailroute.config.ConfigException e) {
            return; // said by alertOwners
        }
        warnings.addAll(io.mailroute.reports.digest.DigestChecks.warnings(reports, new io.mailroute.reports.ReportAudience(
                channels, id -> mailboxes.containsKey(id) ? mailboxes.get(id).owners() : List.of()), channels, owners));
    }

    /** Without channels.yaml, rules' notify: and mailboxes' owners: reach nobody: said once, as a warning. */
    private void nobodyNotified(Path channelsFile, TriageRules rules, Map<String, MailboxSettings> mailboxes) {
        Set<String> named = new java.util.TreeSet<>();
        if (rules != null) {
            rules.notifications().forEach(n -> named.add(n.audience()));
        }
        if (mailboxes != null) {
            mailboxes.values().forEach(m -> named.addAll(m.owners()));
        }
        if (!named.isEmpty()) {
            warnings.add(new ConfigProblem(channelsFile.toString(), "", "does not exist, so nobody is notified, though "
                    + "triage rules (notify:) and mailboxes (owners:) name " + named,
                    "create it (see config/channels.yaml in the repository), or remove those notify: and owners:"));
        }
    }

    /** The file's content, or null when it has problems (collected). */
    private <T> T load(java.util.function.Supplier<T> loader) {
        try {
            return loader.get();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    /** Credentials, sandbox endpoints and the fallback sender, which need the mailboxes. */
    private void mailboxes(Map<String, MailboxSettings> mailboxes, Path mailboxesFile, boolean sandboxRuns) {
        if (sandboxRuns) {
            collect(() -> MailrouteBeans.sandboxOptions(settings));
        }
        boolean sandboxElsewhere = !sandboxRuns && settings.text(MailrouteBeans.SANDBOX_URL, null) != null;
        CredentialsResolver credentials = new CredentialsResolver(environment,
                sandboxRuns ? address -> new OAuthCredentials("sandbox", "sandbox", "sandbox") : null,
                mailboxesFile.toString());
        for (MailboxSettings mailbox : mailboxes.values()) {
            problems.addAll(credentials.problems(mailbox));
            boolean wantsSandbox = List.of(mailbox.gmailRootUrl(), mailbox.tokenUrl(), mailbox.authUrl(), mailbox.revokeUrl())
                    .contains(MailboxSettings.SANDBOX);
            if (wantsSandbox && !sandboxRuns && !sandboxElsewhere) {
                problems.add(new ConfigProblem(mailboxesFile.toString(), "mailbox '" + mailbox.id() + "' gmail",
                        "'sandbox' needs a sandbox, and this configuration has none (mailroute.sandbox.enabled is false "
                                + "and mailroute.sandbox.url is not set)",
                        "set mailroute.sandbox.enabled=true, or mailroute.sandbox.url to a sandbox started with "
                                + "'java -jar target/mailroute.jar sandbox', or write gmail: google"));
            }
        }
        collect(() -> FallbackSenders.from(settings, mailboxes, environment));
    }

    /** Push channels are built the way the service builds them, so a missing secret or bad URL shows here. */
    private void pushChannels(ChannelsConfig channels, Path channelsFile, boolean sandboxRuns) {
        if (channels.channels().values().stream().allMatch(ChannelsConfig.Channel::isEmail)) {
            return;
        }
        problems.addAll(PushSenders.check(channels, channelsFile.toString(), environment, sandboxRuns,
                HttpClient.newHttpClient()));
    }

    /** An email channel sends through a mailbox of mailboxes.yaml, or through the fallback sender when there is one. */
    private void emailSenders(ChannelsConfig channels, Path channelsFile, Map<String, MailboxSettings> mailboxes) {
        boolean hasFallback = !"none".equals(settings.text(FallbackSenders.KEY, "none"));
        for (ChannelsConfig.Channel channel : channels.channels().values()) {
            String sender = channel.settings().get("sender");
            if (!channel.isEmail() || sender == null || mailboxes.containsKey(sender)
                    || GmailEmailTransport.EVENT_MAILBOX_SENDER.equals(sender)) {
                continue;
            }
            String key = "channels." + channel.name() + ".sender";
            if (!GmailEmailTransport.FALLBACK_SENDER.equals(sender)) {
                problems.add(new ConfigProblem(channelsFile.toString(), key, "mailbox '" + sender
                        + "' is not in mailboxes.yaml", "name one of " + mailboxes.keySet() + ", or "
                        + GmailEmailTransport.FALLBACK_SENDER + " (the fallback sender)"));
            } else if (!hasFallback) {
                warnings.add(new ConfigProblem(channelsFile.toString(), key, "sends from the fallback sender, but "
                        + FallbackSenders.KEY + " is none, so its email fails",
                        "set " + FallbackSenders.KEY + " in application.properties (mailbox:ID or smtp)"));
            }
        }
    }

    /**
     * A delivery's lease must outlast its send, or another worker (another instance) claims it mid-send and sends it
     * too. A Gmail send can take the whole HTTP timeout and more (quota waits): a warning below twice that.
     */
    private void deliveryLease() {
        java.time.Duration lease;
        java.time.Duration timeout;
        try {
            lease = settings.duration("mailroute.delivery.lease", java.time.Duration.ofMinutes(1));
            timeout = settings.duration("mailroute.gmail.http-timeout", java.time.Duration.ofSeconds(30));
        } catch (ConfigException e) {
            return; // not a duration: validate() says so
        }
        if (lease.compareTo(timeout.multipliedBy(2)) < 0) {
            warnings.add(new ConfigProblem(settings.configDir().resolve("application.properties").toString(),
                    "mailroute.delivery.lease", "is " + settings.text("mailroute.delivery.lease", "1m")
                            + ", less than twice mailroute.gmail.http-timeout (" + settings.text("mailroute.gmail.http-timeout",
                            "30s") + "): a slow send can outlast its lease, and another worker then sends the delivery again",
                    "set it to at least " + (timeout.multipliedBy(2).toMillis() + 999) / 1000 + "s"));
        }
    }

    /** Owners must be recipients in channels.yaml, or nobody hears that their mailbox broke. */
    private void owners(ChannelsConfig channels, Path channelsFile, Iterable<MailboxSettings> mailboxes, Path mailboxesFile) {
        Set<String> recipients = channels.recipients().keySet();
        for (MailboxSettings mailbox : mailboxes) {
            mailbox.owners().stream().filter(owner -> !recipients.contains(owner)).forEach(owner -> problems.add(
                    new ConfigProblem(mailboxesFile.toString(), "mailbox '" + mailbox.id() + "' owners", "'" + owner
                            + "' is not a recipient in " + channelsFile, recipients.isEmpty()
                            ? "add it under recipients: in " + channelsFile : "name one of " + recipients)));
        }
    }

    /** A rule's notify: names audiences of channels.yaml, each able to reach someone for a new item (case.created). */
    private void notifications(TriageRules rules, ChannelsConfig channels, Path channelsFile) {
        String file = rules.source();
        for (TriageRules.Notification notification : rules.notifications()) {
            String audience = notification.audience();
            if (!channels.audiences().containsKey(audience)) {
                problems.add(new ConfigProblem(file, notification.where(), "audience '" + audience + "' is not defined in "
                        + channelsFile, channels.audiences().isEmpty() ? "define it under audiences: in " + channelsFile
                        : "name one of " + channels.audiences().keySet() + ", or add it under audiences:"));
                continue;
            }
            channels.unresolvableMembers(NEW_ITEM_EVENT, audience).forEach(member -> problems.add(new ConfigProblem(file,
                    notification.where(), "audience '" + audience + "' has member " + member + ", which a new item ("
                            + NEW_ITEM_EVENT + ") cannot name, so it would reach nobody",
                    "notify an audience of recipients, $assignee or $sender instead")));
        }
    }

    private void routes(Model model, Path routesDir) {
        collect(() -> ApiAccessPolicy.of(model.getRestDefinitions())); // every REST endpoint declares its role
        if (model.getRouteTemplateDefinition(IntakeRoutesInstaller.TEMPLATE_ID) == null) {
            problems.add(new ConfigProblem(routesDir.resolve("gmail-intake.camel.yaml").toString(),
                    IntakeRoutesInstaller.TEMPLATE_ID, "route template is missing",
                    "restore routes/gmail-intake.camel.yaml from the repository"));
        }
        Path channelsFile = settings.path("mailroute.delivery.channels-file", "channels.yaml", true);
        RouteDefinition plan = model.getRouteDefinition("deliver-plan");
        if (plan == null || !Files.isRegularFile(channelsFile)) {
            return; // nothing routed
        }
        ChannelsConfig channels;
        try {
            channels = ChannelsFile.load(channelsFile);
        } catch (ConfigException e) {
            return; // the file's own problems, which the config half reports
        }
        String uri = plan.getInput().getEndpointUri();
        int at = uri.indexOf("types=");
        if (at < 0) {
            return; // no filter: every type reaches it
        }
        Set<String> planned = Set.of(uri.substring(at + 6).split("&")[0].split(","));
        // Each type routed to people must reach the planner, or it would be routed on paper and never delivered.
        channels.routing().keySet().stream()
                .filter(type -> !planned.contains(type))
                .forEach(type -> problems.add(new ConfigProblem(channelsFile.toString(), "routing." + type,
                        "is routed to people, but routes/deliver.camel.yaml (deliver-plan) does not subscribe to it",
                        "add " + type + " to deliver-plan's types")));
    }

    private void collect(Runnable step) {
        load(() -> {
            step.run();
            return null;
        });
    }
}
