package dev.knowgate.categorize;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Debian's Chromium driven by Debian's chromedriver (package chromium-driver) through Selenium, with
 * both named explicitly so that Selenium Manager never looks for a driver on the network. Where they
 * are missing the test is skipped, unless KNOWGATE_BROWSER_TESTS=required (CI installs them).
 */
final class ReviewBrowser {

    private ReviewBrowser() {
    }

    static ChromeDriver start() {
        Optional<Path> chromium = first(System.getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser");
        Optional<Path> driver = first(System.getenv("CHROMEDRIVER"), "/usr/bin/chromedriver");
        if (chromium.isEmpty() || driver.isEmpty()) {
            String missing = "no " + (chromium.isEmpty() ? "chromium" : "chromedriver (Debian package chromium-driver)");
            if ("required".equals(System.getenv("KNOWGATE_BROWSER_TESTS"))) {
                throw new IllegalStateException(missing + ", and KNOWGATE_BROWSER_TESTS=required");
            }
            Assumptions.abort(missing + ": the review page's browser test is skipped");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--disable-background-networking", "--window-size=1400,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile())
                .usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return browser;
    }

    private static Optional<Path> first(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                File f = new File(c.trim());
                if (f.isFile() && f.canExecute()) {
                    return Optional.of(f.toPath());
                }
            }
        }
        return Optional.empty();
    }
}
