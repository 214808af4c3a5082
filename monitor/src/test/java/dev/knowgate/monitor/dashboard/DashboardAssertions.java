package dev.knowgate.monitor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;

/**
 * What the dashboard must show, checked in a real headless Chromium against any server that
 * serves it: {@link DashboardFixtureServer} with canned data now, the monitor's Quarkus app later
 * (pass its URL, e.g. {@code http://localhost:8081/} from a {@code @QuarkusTest}'s
 * {@code @TestHTTPResource("/")}).
 */
public final class DashboardAssertions {

    /** Virtual time for the page to fetch, draw, and refresh once (the budget ends early when idle). */
    public static final Duration BUDGET = Duration.ofSeconds(8);
    public static final int WIDTH = 1440;
    public static final int HEIGHT = 1000;

    private static final Pattern BODY = Pattern.compile("<body([^>]*)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ATTRIBUTE = Pattern.compile("([\\w-]+)=\"([^\"]*)\"");
    private static final Pattern CANVAS = Pattern.compile("<canvas\\b[^>]*\\bid=\"([^\"]+)\"[^>]*>", Pattern.CASE_INSENSITIVE);

    private DashboardAssertions() {
    }

    /** The installed Chromium, or the calling test is skipped (JUnit assumption) saying why. */
    public static HeadlessChromium chromiumOrSkip() {
        var chromium = HeadlessChromium.find();
        if (chromium.isEmpty() && "required".equals(System.getenv("KNOWGATE_BROWSER_TESTS"))) {
            throw new IllegalStateException("no Chromium ($CHROMIUM, /usr/bin/chromium), and KNOWGATE_BROWSER_TESTS=required");
        }
        Assumptions.assumeTrue(chromium.isPresent(),
                "No Chromium found ($CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser): skipping the dashboard's"
                        + " browser check. Install it with: apt-get install -y chromium");
        return chromium.get();
    }

    /**
     * Loads the dashboard at {@code baseUrl} in headless Chromium and asserts that all three
     * endpoints were drawn: {@code versions} points per accuracy series, {@code windows} mix bars,
     * {@code activeAlerts} active alert rows, {@code alertText} somewhere on the page, and both
     * charts' canvases. Then takes a {@value #WIDTH}x{@value #HEIGHT} screenshot to {@code screenshot}
     * and asserts it is a real, non-blank PNG. Skips (JUnit assumption) where no Chromium is installed.
     *
     * @return the dumped DOM, for further assertions
     */
    public static String assertDashboard(String baseUrl, int versions, int windows, int activeAlerts, String alertText,
            Path screenshot) throws IOException, InterruptedException {
        HeadlessChromium chromium = chromiumOrSkip();
        String url = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";

        String dom = chromium.dumpDom(url, BUDGET);
        Map<String, String> body = bodyAttributes(dom);
        assertThat(body).as("the dashboard's <body> data- attributes (error banner: %s)", body.get("data-error"))
                .containsEntry("data-ready", "true")
                .containsEntry("data-versions", String.valueOf(versions))
                .containsEntry("data-windows", String.valueOf(windows))
                .containsEntry("data-active-alerts", String.valueOf(activeAlerts))
                .containsEntry("data-charts", "2")
                .doesNotContainKey("data-error");
        assertThat(canvasIds(dom)).as("chart canvases").contains("versionsChart", "mixChart");
        assertThat(countRows(dom, "active-alerts", "firing")).as("active alert rows").isEqualTo(activeAlerts);
        assertThat(unescape(dom)).as("the page shows the alert's message").contains(alertText);
        assertThat(dom).as("the page's title").contains("<title>knowgate monitor</title>");

        Path png = chromium.screenshot(url, screenshot, WIDTH, HEIGHT, BUDGET);
        assertPng(png, WIDTH, HEIGHT);
        return dom;
    }

    /** The attributes of the DOM's {@code <body>} tag, HTML entities decoded. */
    public static Map<String, String> bodyAttributes(String dom) {
        Matcher body = BODY.matcher(dom);
        assertThat(body.find()).as("a <body> in the dumped DOM:%n%s", dom).isTrue();
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher attribute = ATTRIBUTE.matcher(body.group(1));
        while (attribute.find()) {
            attributes.put(attribute.group(1), unescape(attribute.group(2)));
        }
        return attributes;
    }

    static Set<String> canvasIds(String dom) {
        Set<String> ids = new HashSet<>();
        Matcher canvas = CANVAS.matcher(dom);
        while (canvas.find()) {
            ids.add(canvas.group(1));
        }
        return ids;
    }

    /** Rows with class {@code rowClass} in the table with id {@code tableId}. */
    static int countRows(String dom, String tableId, String rowClass) {
        int start = dom.indexOf("id=\"" + tableId + "\"");
        assertThat(start).as("a table #%s", tableId).isNotNegative();
        int end = dom.indexOf("</table>", start);
        Matcher row = Pattern.compile("<tr\\b[^>]*\\bclass=\"" + Pattern.quote(rowClass) + "\"").matcher(dom.substring(start, end));
        int rows = 0;
        while (row.find()) {
            rows++;
        }
        return rows;
    }

    /** A real PNG of the given size, over a few KB, and not one flat colour. */
    public static void assertPng(Path png, int width, int height) throws IOException {
        assertThat(png).as("screenshot").isRegularFile();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).as("screenshot size in bytes").isGreaterThan(8 * 1024);
        assertThat(bytes).as("PNG signature").startsWith(bytesOf(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A));
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a decodable PNG").isNotNull();
        assertThat(image.getWidth()).as("width").isEqualTo(width);
        assertThat(image.getHeight()).as("height").isEqualTo(height);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours in the screenshot (charts drawn, not a blank page)")
                .isGreaterThan(50);
    }

    /** HTML entities decoded, so that assertions can quote the text as the page shows it. */
    static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&nbsp;", "\u00a0").replace("&amp;", "&");
    }

    /** Raw byte values for {@code startsWith} on a byte[]. */
    private static byte[] bytesOf(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
