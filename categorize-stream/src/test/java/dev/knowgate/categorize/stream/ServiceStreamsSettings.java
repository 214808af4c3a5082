package dev.knowgate.categorize.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kafka Streams settings from the service's application.properties, with {@code ${VAR:default}} resolved to the default. */
final class ServiceStreamsSettings {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[^:}]+:([^}]*)}");

    private ServiceStreamsSettings() {
    }

    static Map<String, String> read(String... keys) {
        Properties service = new Properties();
        try (InputStream in = ServiceStreamsSettings.class.getResourceAsStream("/application.properties")) {
            service.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> settings = new TreeMap<>();
        for (String key : keys) {
            String value = service.getProperty("kafka-streams." + key);
            if (value == null) {
                throw new IllegalStateException("application.properties has no kafka-streams." + key);
            }
            Matcher m = PLACEHOLDER.matcher(value);
            settings.put(key, m.matches() ? m.group(1) : value);
        }
        return settings;
    }

    /** The default of a {@code knowgate.categorize.batch.*} setting, as the service's config declares it. */
    static String batchDefault(String method) {
        try {
            return dev.knowgate.categorize.CategorizeConfig.Batch.class.getMethod(method)
                    .getAnnotation(io.smallrye.config.WithDefault.class).value();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "20s", "200ms", "10m" as the config reads them. */
    static java.time.Duration duration(String value) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(value);
        if (!m.matches()) {
            return java.time.Duration.parse(value);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            default -> java.time.Duration.ofHours(n);
        };
    }
}
