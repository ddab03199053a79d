package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.testing.Browsers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The console's Overview with the demo's data, in a real headless Chromium (skipped, saying why, without one): the
 * demo ingests its seeded mail and pushes notifications to the sandbox's receivers, a viewer signs in and sees every
 * chart drawn, with the numbers the API has, coloured by the stylesheet (which the page's Content-Security-Policy lets
 * in), and no script on the page.
 */
class ConsoleOverviewIT {

    private static final Duration WAIT = Duration.ofSeconds(300);
    private static final String PASSWORD = "correct horse battery staple";
    private static final Set<String> PUSH_SENT = Set.of("SENT", "DELIVERED");

    @TempDir
    Path work;

    @Test
    void aViewerSeesTheDemosLastDayAsCharts() throws Exception {
        int seeded;
        try (Stream<Path> files = Files.walk(Path.of("config", "sandbox", "mail"))) {
            seeded = (int) files.filter(p -> p.toString().endsWith(".eml")).count();
        }
        ServiceProcess demo = new ServiceProcess(Path.of("config"), work.resolve("data"), Map.of("MAILROUTE_USER_PASSWORD", PASSWORD),
                List.of("-Dmailroute.sandbox.port=" + ServiceProcess.freePort(),
                        "-Dmailroute.tokens.key-file=" + work.resolve("keys").resolve("token.key")));
        ServiceProcess.CommandResult created = demo.run("user", "create", "ops-viewer", "--role", "viewer");
        assertEquals(0, created.exit(), created.output());
        try (ServiceProcess running = demo.start().awaitUp(WAIT)) {
            running.await(WAIT, seeded + " seeded messages in", () -> arrived(running) >= seeded);
            running.await(WAIT, "a push notification sent", () -> StreamSupport.stream(running.api("/api/deliveries?limit=500")
                    .get("items").spliterator(), false).anyMatch(d -> !d.get("channelType").asText().equals("email")
                    && PUSH_SENT.contains(d.get("status").asText())));
            int messagesIn = arrived(running);
            String base = running.apiUrl("/").replace("127.0.0.1", "localhost");

            WebDriver browser = Browsers.headlessChromium();
            try {
                browser.get(base + "console/");
                ConsoleClient.signIn(browser, "ops-viewer", PASSWORD);
                assertEquals(base + "console/", browser.getCurrentUrl());
                assertEquals("Overview", browser.findElement(By.tagName("h1")).getText());
                Files.write(Path.of("target", "console-overview.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

                WebElement in = chart(browser, "messages-in");
                assertTrue(in.findElements(By.cssSelector("rect.bar")).size() >= 1, "bars of messages in");
                assertEquals("Messages in per hour, last 24 hours: " + messagesIn + " messages in all.",
                        in.findElement(By.cssSelector("svg.chart > title")).getAttribute("textContent"));
                assertTrue(in.findElement(By.cssSelector("ul.legend")).getText().contains("support"),
                        in.findElement(By.cssSelector("ul.legend")).getText());
                assertEquals("rgb(36, 86, 201)", in.findElement(By.cssSelector("rect.bar.series-0")).getCssValue("fill"),
                        "the stylesheet's first series colour: the stylesheet was let in");
                assertTrue(in.findElement(By.cssSelector("div.chart-data table")).getAttribute("textContent").contains("Hour (UTC)"),
                        "the numbers as a table");
                for (String drawn : List.of("items", "deliveries")) {
                    assertFalse(chart(browser, drawn).findElements(By.cssSelector("svg.chart rect.bar")).isEmpty(), drawn);
                }
                assertFalse(chart(browser, "push-latency").findElements(By.cssSelector("svg.chart circle.dot")).isEmpty(),
                        "latency points from the demo's pushes");
                assertTrue(chart(browser, "sla-breaches").getText().contains("Nothing in the last 24 hours."),
                        "nothing is past its SLA in a fresh demo");
                assertEquals(0, browser.findElements(By.tagName("script")).size());
                assertEquals(6, browser.findElements(By.cssSelector("dl.pages dt a")).size(), "what each page is for");
            } finally {
                browser.quit();
            }
        }
    }

    private static WebElement chart(WebDriver browser, String id) {
        return browser.findElement(By.cssSelector("section.chart#" + id));
    }

    /** Messages that came in: received or quarantined. */
    private static int arrived(ServiceProcess service) {
        List<JsonNode> received = service.events("message.received");
        return received.size() + service.events("message.quarantined").size();
    }
}
