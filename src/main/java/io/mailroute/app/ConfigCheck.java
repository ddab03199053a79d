package io.mailroute.app;

import io.mailroute.config.ConfigProblem;
import io.mailroute.config.MailboxSettings;
import io.mailroute.config.MailboxesFile;
import io.mailroute.connection.CredentialsResolver;
import io.mailroute.connection.OAuthCredentials;
import io.mailroute.triage.TriageRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * {@code check}: loads {@code config/} and {@code routes/} the way the service would, starts
 * nothing, and prints one line per problem (file, key or route id, what is wrong, what to do).
 */
public final class ConfigCheck {

    private final Path configDir;
    private final Path routesDir;

    public ConfigCheck(Path configDir, Path routesDir) {
        this.configDir = configDir;
        this.routesDir = routesDir;
    }

    public int run(PrintStream out, PrintStream err) {
        List<ConfigProblem> problems = problems();
        if (problems.isEmpty()) {
            out.println("OK: " + configDir + " and " + routesDir + " are valid.");
            return 0;
        }
        problems.forEach(p -> err.println("ERROR " + p));
        err.println(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " found.");
        return 1;
    }

    public List<ConfigProblem> problems() {
        List<ConfigProblem> problems = new ArrayList<>();
        Properties properties = properties(problems);
        problems.addAll(new Settings(key -> java.util.Optional.ofNullable(properties.getProperty(key)), configDir).validate());
        Path mailboxesFile = configDir.resolve(properties.getProperty("mailroute.mailboxes-file", "mailboxes.yaml").trim());
        List<ConfigProblem> mailboxProblems = MailboxesFile.check(mailboxesFile);
        problems.addAll(mailboxProblems);
        if (mailboxProblems.isEmpty()) {
            boolean sandbox = Boolean.parseBoolean(properties.getProperty("mailroute.sandbox.enabled", "true").trim());
            CredentialsResolver credentials = new CredentialsResolver(System::getenv,
                    sandbox ? address -> new OAuthCredentials("sandbox", "sandbox", "sandbox") : null,
                    mailboxesFile.toString());
            java.util.Map<String, MailboxSettings> mailboxes = new java.util.LinkedHashMap<>();
            for (MailboxSettings mailbox : MailboxesFile.load(mailboxesFile)) {
                problems.addAll(credentials.problems(mailbox));
                mailboxes.put(mailbox.id(), mailbox);
            }
            try {
                FallbackSenders.from(new Settings(key -> java.util.Optional.ofNullable(properties.getProperty(key)), configDir),
                        mailboxes, System::getenv);
            } catch (io.mailroute.config.ConfigException e) {
                problems.addAll(e.problems());
            }
            problems.addAll(ownerProblems(mailboxes.values(), mailboxesFile, configDir.resolve(
                    properties.getProperty("mailroute.delivery.channels-file", "channels.yaml").trim())));
        }
        problems.addAll(TriageRules.check(configDir.resolve(
                properties.getProperty("mailroute.triage.rules-file", "triage.yaml").trim())));
        problems.addAll(io.mailroute.delivery.ChannelsFile.check(configDir.resolve(
                properties.getProperty("mailroute.delivery.channels-file", "channels.yaml").trim())));
        problems.addAll(routeProblems());
        return problems;
    }

    /** Owners must be recipients in channels.yaml, or nobody hears that their mailbox broke. */
    private static List<ConfigProblem> ownerProblems(java.util.Collection<MailboxSettings> mailboxes, Path mailboxesFile,
            Path channelsFile) {
        if (!Files.isRegularFile(channelsFile) || !io.mailroute.delivery.ChannelsFile.check(channelsFile).isEmpty()) {
            return List.of(); // no notifications configured at all, or reported with the channels file
        }
        java.util.Set<String> recipients = io.mailroute.delivery.ChannelsFile.load(channelsFile).recipients().keySet();
        List<ConfigProblem> problems = new ArrayList<>();
        for (MailboxSettings mailbox : mailboxes) {
            mailbox.owners().stream().filter(owner -> !recipients.contains(owner)).forEach(owner -> problems.add(
                    new ConfigProblem(mailboxesFile.toString(), "mailbox '" + mailbox.id() + "' owners", "'" + owner
                            + "' is not a recipient in " + channelsFile, "name one of " + recipients)));
        }
        return problems;
    }

    private Properties properties(List<ConfigProblem> problems) {
        Properties properties = new Properties();
        Path file = configDir.resolve("application.properties");
        if (!Files.isRegularFile(file)) {
            problems.add(new ConfigProblem(file.toString(), "", "file not found",
                    "run from the project root or pass --config DIR"));
            return properties;
        }
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            problems.add(new ConfigProblem(file.toString(), "", "cannot be read: " + e.getMessage(), "fix the file"));
        }
        return properties;
    }

    /** Parses every route file with Camel's own YAML DSL loader; the intake template must be there. */
    private List<ConfigProblem> routeProblems() {
        List<ConfigProblem> problems = new ArrayList<>();
        if (!Files.isDirectory(routesDir)) {
            problems.add(new ConfigProblem(routesDir.toString(), "", "is not a directory", "pass --routes DIR"));
            return problems;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(routesDir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        } catch (IOException e) {
            problems.add(new ConfigProblem(routesDir.toString(), "", "cannot be listed: " + e.getMessage(), null));
            return problems;
        }
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:" + configDir.resolve("application.properties").toAbsolutePath());
            context.getPropertiesComponent().setIgnoreMissingLocation(true);
            for (Path file : files) {
                Resource resource = ResourceHelper.resolveResource(context, "file:" + file.toAbsolutePath());
                try {
                    PluginHelper.getRoutesLoader(context).loadRoutes(resource);
                } catch (Exception e) {
                    problems.add(new ConfigProblem(file.toString(), "", "is not a valid Camel YAML route file: "
                            + firstLine(e), "fix the YAML (see the other files in routes/ for the shape)"));
                }
            }
            Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
            if (model.getRouteTemplateDefinition(IntakeRoutesInstaller.TEMPLATE_ID) == null) {
                problems.add(new ConfigProblem(routesDir.resolve("gmail-intake.camel.yaml").toString(),
                        IntakeRoutesInstaller.TEMPLATE_ID, "route template is missing",
                        "restore routes/gmail-intake.camel.yaml from the repository"));
            }
            problems.addAll(unplannedRouting(model));
            try {
                io.mailroute.access.ApiAccessPolicy.of(model.getRestDefinitions());
            } catch (io.mailroute.config.ConfigException e) {
                problems.addAll(e.problems());
            }
        } catch (Exception e) {
            problems.add(new ConfigProblem(routesDir.toString(), "", "cannot be loaded: " + firstLine(e), null));
        }
        return problems;
    }

    /**
     * Every event type that channels.yaml routes to people must reach the planner: a type missing from
     * deliver-plan's {@code types} would be routed on paper and never delivered.
     */
    private List<ConfigProblem> unplannedRouting(Model model) {
        org.apache.camel.model.RouteDefinition plan = model.getRouteDefinition("deliver-plan");
        Path channelsFile = configDir.resolve("channels.yaml");
        if (plan == null || !Files.isRegularFile(channelsFile)
                || !io.mailroute.delivery.ChannelsFile.check(channelsFile).isEmpty()) {
            return List.of();
        }
        String uri = plan.getInput().getEndpointUri();
        int at = uri.indexOf("types=");
        if (at < 0) {
            return List.of(); // no filter: every type reaches it
        }
        java.util.Set<String> planned = java.util.Set.of(uri.substring(at + 6).split("&")[0].split(","));
        List<ConfigProblem> problems = new ArrayList<>();
        io.mailroute.delivery.ChannelsFile.load(channelsFile).routing().keySet().stream()
                .filter(type -> !planned.contains(type))
                .forEach(type -> problems.add(new ConfigProblem(channelsFile.toString(), "routing." + type,
                        "is routed to people, but routes/deliver.camel.yaml (deliver-plan) does not subscribe to it",
                        "add " + type + " to deliver-plan's types")));
        return problems;
    }

    private static String firstLine(Throwable e) {
        Throwable cause = e;
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString().replaceAll("\\s+", " ");
    }
}
