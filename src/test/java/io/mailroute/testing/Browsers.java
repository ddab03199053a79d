package io.mailroute.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium for the pages' tests, driven through chromedriver on loopback: Debian's {@code chromium}
 * and {@code chromium-driver} (which {@code .ci/run} installs), found from {@value #CHROMIUM_ENV} and
 * {@value #CHROMEDRIVER_ENV} or on the PATH. Where either is missing the calling test is <b>skipped</b>, saying why (a
 * JUnit assumption with the reason, and the same line on standard output), never passed silently. Nothing is
 * downloaded: the browser and driver are given by path, so Selenium Manager is not asked for anything.
 */
public final class Browsers {

    public static final String CHROMIUM_ENV = "MAILROUTE_TEST_CHROMIUM";
    public static final String CHROMEDRIVER_ENV = "MAILROUTE_TEST_CHROMEDRIVER";

    private Browsers() {
    }

    /**
     * A new headless Chromium with a phone-sized window; quit it after the test. Skips the test when Chromium or
     * chromedriver cannot be found.
     */
    public static WebDriver headlessChromium() {
        Optional<Path> chromium = find(CHROMIUM_ENV, "chromium", "chromium-browser", "google-chrome");
        Optional<Path> driver = find(CHROMEDRIVER_ENV, "chromedriver");
        List<String> missing = new ArrayList<>();
        if (chromium.isEmpty()) {
            missing.add("chromium (set " + CHROMIUM_ENV + " or put it on the PATH; Debian: apt-get install chromium)");
        }
        if (driver.isEmpty()) {
            missing.add("chromedriver (set " + CHROMEDRIVER_ENV + " or put it on the PATH; Debian: apt-get install chromium-driver)");
        }
        if (!missing.isEmpty()) {
            String reason = "SKIPPED browser test: no " + String.join(", no ", missing);
            System.out.println(reason);
            Assumptions.assumeTrue(false, reason);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=412,915");
        if ("root".equals(System.getProperty("user.name"))) {
            options.addArguments("--no-sandbox"); // Chromium refuses to start its sandbox as root
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static Optional<Path> find(String variable, String... names) {
        String configured = System.getenv(variable);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured.trim());
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String pathVariable = System.getenv("PATH");
        if (pathVariable == null) {
            return Optional.empty();
        }
        for (String name : names) {
            for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Clicks what submits a form or follows a link, and returns once the next page replaced this one: ChromeDriver's
     * click may return before the navigation lands, and reading right after it reads the old page.
     */
    public static void clickAndLoad(org.openqa.selenium.WebDriver browser, org.openqa.selenium.WebElement target) {
        org.openqa.selenium.WebElement page = browser.findElement(org.openqa.selenium.By.tagName("html"));
        target.click();
        new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(20)).until(driver -> gone(page));
    }

    /**
     * Whether the element's page was replaced. Asking about a node of a page being replaced may also get Chrome's
     * "Node with given id does not belong to the document" instead of a stale reference: gone all the same.
     */
    private static boolean gone(org.openqa.selenium.WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return true;
        } catch (org.openqa.selenium.WebDriverException e) {
            if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                return true;
            }
            throw e;
        }
    }

    /** The current URL once it is {@code expected} (a redirect chain may still be under way), or the last one seen after 20 s. */
    public static String urlOnceItIs(org.openqa.selenium.WebDriver browser, String expected) {
        try {
            new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(20))
                    .until(org.openqa.selenium.support.ui.ExpectedConditions.urlToBe(expected));
        } catch (org.openqa.selenium.TimeoutException e) {
            // the caller's assertion says what the URL was instead
        }
        return browser.getCurrentUrl();
    }
}
