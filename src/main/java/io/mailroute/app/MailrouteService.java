package io.mailroute.app;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.main.Main;

/**
 * The service: Camel Main reading {@code <config>/application.properties}, the route files in
 * {@code <routes>/*.camel.yaml}, the beans of {@link MailrouteBeans} and one intake route per mailbox.
 */
public final class MailrouteService {

    private final Path configDir;
    private final Path routesDir;

    public MailrouteService(Path configDir, Path routesDir) {
        this.configDir = configDir;
        this.routesDir = routesDir;
    }

    /** Builds the Camel Main without running it (tests start it themselves). */
    public Main build() {
        Path properties = configDir.resolve("application.properties");
        if (!Files.isRegularFile(properties)) {
            throw new IllegalStateException(properties + " not found: run from the project root or pass --config DIR");
        }
        if (!Files.isDirectory(routesDir)) {
            throw new IllegalStateException(routesDir + " is not a directory: run from the project root or pass --routes DIR");
        }
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:" + properties.toAbsolutePath());
        main.configure().withRoutesIncludePattern("file:" + routesDir.toAbsolutePath() + "/*.camel.yaml");
        MailrouteBeans beans = new MailrouteBeans(configDir);
        main.configure().addConfiguration(beans);
        main.addMainListener(ConfigValidation.routesAtStart(configDir, routesDir));
        main.addMainListener(new IntakeRoutesInstaller(beans::mailboxes));
        main.addMainListener(new PushRoutesInstaller(beans::mailboxes));
        main.addMainListener(new ReportRoutesInstaller(beans::reports));
        // after the intake and report routes exist: it counts the quartz routes for its threads
        main.addMainListener(new io.mailroute.cluster.QuartzSetup(beans::cluster, beans::store,
                () -> beans.mailboxes().stream().filter(io.mailroute.config.MailboxSettings::isMonitored)
                        .map(io.mailroute.config.MailboxSettings::id).collect(java.util.stream.Collectors.toSet()))
                .withReports(() -> beans.reports() == null ? java.util.Set.of() : beans.reports().reports().keySet()));
        return main;
    }

    public void run() throws Exception {
        build().run();
    }
}
