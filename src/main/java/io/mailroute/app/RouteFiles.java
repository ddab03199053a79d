package io.mailroute.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * The route files of a directory ({@code *.camel.yaml}, in name order) loaded into a context one file at a time, so
 * that a problem names its file. A file that uses a route template of a later file (a templatedRoute of
 * api-templates.camel.yaml's api-json in alerts.camel.yaml) fails the first pass and loads in the second, as the
 * service, which loads them all together, would load it.
 */
public final class RouteFiles {

    private RouteFiles() {
    }

    /** The route files of {@code dir}, in name order. */
    public static List<Path> in(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }

    /** Loads {@code files} into {@code context}; answers the files that did not load, with why (empty when all did). */
    public static Map<Path, Exception> load(CamelContext context, List<Path> files) {
        Map<Path, Exception> failed = new LinkedHashMap<>();
        for (Path file : files) {
            load(context, file, failed);
        }
        for (Path file : List.copyOf(failed.keySet())) {
            failed.remove(file);
            load(context, file, failed);
        }
        return failed;
    }

    private static void load(CamelContext context, Path file, Map<Path, Exception> failed) {
        try {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveResource(context, "file:" + file.toAbsolutePath()));
        } catch (Exception e) {
            failed.put(file, e);
        }
    }
}
