package io.mailroute.testing;

import io.mailroute.access.ApiAccessPolicy;
import io.mailroute.app.RouteFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;

/** What the shipped routes/ declare, read as the service reads it (every file, cross-file route templates included). */
public final class ShippedRoutes {

    private ShippedRoutes() {
    }

    /** Every REST verb of routes/ with the role it declares. Fails when a route file does not load. */
    public static List<ApiAccessPolicy.Rule> restRules() throws Exception {
        return ApiAccessPolicy.of(restDefinitions()).rules();
    }

    /** Every REST definition of routes/. Fails when a route file does not load. */
    public static List<RestDefinition> restDefinitions() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:" + Path.of("config", "application.properties").toAbsolutePath());
            Map<Path, Exception> failed = RouteFiles.load(context, RouteFiles.in(Path.of("routes")));
            if (!failed.isEmpty()) {
                throw new IllegalStateException("route files that do not load: " + failed);
            }
            return List.copyOf(context.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions());
        }
    }
}
