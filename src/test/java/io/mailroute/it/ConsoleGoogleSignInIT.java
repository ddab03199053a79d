package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.testing.Browsers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * "Sign in with Google" end to end, as the demo ships it: the packaged service with its in-process sandbox playing
 * Google's OpenID Connect, a real headless Chromium clicking the sign-in page's button, picking the sandbox account,
 * and landing signed in on the page it first asked for, with the role its console user has. A verified account of
 * the allowed domain that is no console user is turned away.
 */
class ConsoleGoogleSignInIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path work;

    @Test
    void aConsoleUserSignsInWithTheirGoogleAccountAndAStrangerDoesNot() throws Exception {
        ServiceProcess demo = new ServiceProcess(Path.of("config"), work.resolve("data"), Map.of(), List.of(
                "-Dmailroute.sandbox.port=" + ServiceProcess.freePort(),
                "-Dmailroute.tokens.key-file=" + work.resolve("keys").resolve("token.key")));
        ServiceProcess.CommandResult created = demo.run("user", "create", "r.okafor@acme.example", "--role", "operator", "--google");
        assertEquals(0, created.exit(), created.output());
        try (ServiceProcess running = demo.start().awaitUp(WAIT)) {
            // the address the console answers as by default (mailroute.console.public-url): Google comes back there
            String base = running.apiUrl("/").replace("127.0.0.1", "localhost");
            WebDriver browser = Browsers.headlessChromium();
            try {
                browser.get(base + "console/?from=notice");
                assertTrue(browser.getCurrentUrl().startsWith(base + "console/sign-in"), browser.getCurrentUrl());
                Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("a.button.google")));
                // the sandbox's account chooser, as Google's: pick the account
                assertEquals("Choose a sandbox account", browser.findElement(By.tagName("h1")).getText());
                browser.findElement(By.linkText("r.okafor@acme.example")).click();

                assertEquals(base + "console/?from=notice", Browsers.urlOnceItIs(browser, base + "console/?from=notice"),
                        "back to the page first asked for");
                assertEquals("r.okafor@acme.example", browser.findElement(By.cssSelector("header .user")).getText());
                assertTrue(browser.findElement(By.cssSelector("header")).getText().contains("operator"),
                        browser.findElement(By.cssSelector("header")).getText());
                assertNotNull(browser.manage().getCookieNamed("mailroute_session"), "a session");
                assertNull(browser.manage().getCookieNamed("mailroute_google_signin"), "the sign-in's cookie is gone once used");

                browser.manage().deleteAllCookies();
                browser.get(base + "console/");
                Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("a.button.google")));
                Browsers.clickAndLoad(browser, browser.findElement(By.linkText("team@acme.example")));
                assertTrue(browser.getPageSource().contains("has no access to this console"), browser.getPageSource());
                assertNull(browser.manage().getCookieNamed("mailroute_session"), "no session for a stranger");
                browser.get(base + "console/");
                assertTrue(browser.getCurrentUrl().startsWith(base + "console/sign-in"), browser.getCurrentUrl());
            } finally {
                browser.quit();
            }
            assertTrue(running.log().contains("r.okafor@acme.example (operator) signed in with Google"), "the log says who");
        }
    }
}
