package io.mailroute.app;

import io.mailroute.config.ConfigProblem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;

/**
 * {@code check}: runs {@link ConfigValidation}, the validation the service runs at start, over {@code config/}
 * and {@code routes/} (loaded with Camel's own YAML loader), starts nothing, and prints one line per problem and
 * warning (file, key or line, what is wrong, what to do). Exit 1 when there is a problem; warnings alone pass.
 */
public final class ConfigCheck {

    private final Path configDir;
    private final Path routesDir;
    private final Function<String, String> environment;

    public ConfigCheck(Path configDir, Path routesDir) {
        this(configDir, routesDir, System::getenv);
    }

    /** @param environment where env: references and credentials are looked up (the process environment in use) */
    public ConfigCheck(Path configDir, Path routesDir, Function<String, String> environment) {
        this.configDir = configDir;
        this.routesDir = routesDir;
        this.environment = environment;
    }

    public int run(PrintStream out, PrintStream err) {
        ConfigValidation.Findings findings = findings();
        findings.problems().forEach(p -> err.println("ERROR " + p));
        findings.warnings().forEach(w -> err.println("WARN  " + w));
        int warnings = findings.warnings().size();
        String warned = warnings == 0 ? "" : " (" + warnings + " warning" + (warnings == 1 ? "" : "s") + " above)";
        if (findings.problems().isEmpty()) {
            out.println("OK: " + configDir + " and " + routesDir + " are valid" + warned + ".");
            return 0;
        }
        int count = findings.problems().size();
        err.println(count + " problem" + (count == 1 ? "" : "s") + " found.");
        return 1;
    }

    public List<ConfigProblem> problems() {
        return findings().problems();
    }

    public ConfigValidation.Findings findings() {
        List<ConfigProblem> missing = new ArrayList<>();
        Path properties = configDir.resolve("application.properties");
        if (!Files.isRegularFile(properties)) {
            missing.add(new ConfigProblem(properties.toString(), "", "file not found",
                    "run from the project root or pass --config DIR"));
        }
        CamelContext context = new DefaultCamelContext();
        try {
            // the properties as the service reads them: the file, with -D and environment overrides
            context.getPropertiesComponent().setLocation("file:" + properties.toAbsolutePath());
            context.getPropertiesComponent().setIgnoreMissingLocation(true);
            Settings settings = Settings.of(context, configDir);
            ConfigValidation.Findings config = ConfigValidation.ofConfig(settings, environment);
            return new ConfigValidation.Findings(missing, List.of()).and(config).and(routes(context, settings));
        } finally {
            context.stop();
        }
    }

    /** Parses every route file with Camel's own YAML DSL loader, then validates what needs the routes. */
    private ConfigValidation.Findings routes(CamelContext context, Settings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (!Files.isDirectory(routesDir)) {
            problems.add(new ConfigProblem(routesDir.toString(), "", "is not a directory", "pass --routes DIR"));
            return new ConfigValidation.Findings(problems, List.of());
        }
        List<Path> files;
        try {
            files = RouteFiles.in(routesDir);
        } catch (IOException e) {
            problems.add(new ConfigProblem(routesDir.toString(), "", "cannot be listed: " + e.getMessage(), null));
            return new ConfigValidation.Findings(problems, List.of());
        }
        RouteFiles.load(context, files).forEach((file, e) -> problems.add(new ConfigProblem(file.toString(), "",
                "is not a valid Camel YAML route file: " + firstLine(e),
                "fix the YAML (see the other files in routes/ for the shape)")));
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        return new ConfigValidation.Findings(problems, List.of()).and(ConfigValidation.ofRoutes(model, settings, routesDir));
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
