package io.mailroute.testing;

import io.mailroute.events.Event;
import io.mailroute.pages.PageHeaders;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * One route file of signed-link pages served by Camel Main on a loopback port, as the service serves it (the shipped
 * properties, the pages' headers), with its page bean and the in-process bus replaced by a list of what it published.
 */
public final class PageRoutes {

    private PageRoutes() {
    }

    /** A free port on loopback. */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts {@code routes/<routeFile>} on {@code port}; stop the answer after the test.
     *
     * @param published where events sent to {@code direct:events-publish} go
     */
    public static Main start(int port, String routeFile, String beanName, Object bean, List<Event> published) throws Exception {
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:" + Path.of("config/application.properties").toAbsolutePath());
        main.addOverrideProperty("camel.server.port", Integer.toString(port));
        main.addOverrideProperty("camel.management.enabled", "false");
        main.addOverrideProperty("camel.metrics.enabled", "false");
        main.configure().withRoutesIncludePattern("file:" + Path.of("routes", routeFile).toAbsolutePath());
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events-publish").routeId("test-bus").process(e -> published.add(e.getIn().getBody(Event.class)));
            }
        });
        main.bind(beanName, bean);
        main.configure().addConfiguration(new org.apache.camel.CamelConfiguration() {
            @Override
            public void configure(org.apache.camel.CamelContext context) throws Exception {
                context.addService(new PageHeaders(context), true, false); // Cache-Control, as the service has it
            }
        });
        main.start();
        return main;
    }
}
