package dev.knowgate.testing.docs;

import io.smallrye.config.ConfigMappings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A doc's settings table held against the {@code @ConfigMapping} interfaces it describes: every key
 * the table names under a mapping's prefix exists, with the default the table states, and every key
 * of the mappings is in the table (or under a row that points elsewhere, such as
 * {@code knowgate.monitor.webhooks.*}).
 *
 * <p>The table is the first one after the first heading that contains {@code heading}. Its first
 * column holds backticked keys, relative to {@code prefix} unless they start with {@code knowgate.};
 * {@code <name>} stands for a map key; {@code `.rights`} after a key names its sibling. Its second
 * column holds the default: backticked values, or words ({@code none}, {@code learned}, anything
 * unbackticked) for "no default".
 */
public final class SettingsTable {

    private static final Pattern TICKED = Pattern.compile("`([^`]*)`");

    private SettingsTable() {
    }

    /** What disagrees, one line each; empty when the doc and the mappings agree. */
    public static List<String> mismatches(Path doc, String heading, String prefix, Class<?>... mappings) {
        Map<String, String> properties = new TreeMap<>();
        for (Class<?> mapping : mappings) {
            properties.putAll(ConfigMappings.ConfigClass.configClass(mapping).getProperties());
        }
        // A list is also listed element-wise (`x[*]`); the doc names the list.
        properties.keySet().removeIf(key -> key.endsWith("[*]") && properties.containsKey(key.substring(0, key.length() - 3)));
        List<String> problems = new ArrayList<>();
        Map<String, String> documented = new LinkedHashMap<>();
        List<String> pointers = new ArrayList<>();
        for (String[] row : table(doc, heading)) {
            List<String> keys = keys(row[0], prefix);
            List<String> defaults = defaults(row[1], keys.size());
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                if (key.endsWith(".*") && !properties.containsKey(key)) {
                    pointers.add(key.substring(0, key.length() - 1));
                } else {
                    documented.put(key, defaults.size() == keys.size() ? defaults.get(i) : null);
                }
            }
        }
        String[] prefixes = properties.keySet().stream().map(SettingsTable::mappingPrefix).distinct().toArray(String[]::new);
        documented.forEach((key, docDefault) -> {
            boolean ours = java.util.Arrays.stream(prefixes).anyMatch(key::startsWith);
            if (!ours) {
                return; // Quarkus' and Kafka's own settings
            }
            if (!properties.containsKey(key)) {
                problems.add(doc.getFileName() + " names `" + key + "`, which no setting of "
                        + names(mappings) + " is");
                return;
            }
            String codeDefault = properties.get(key);
            if (!sameDefault(docDefault, codeDefault)) {
                problems.add(doc.getFileName() + " gives `" + key + "` the default " + (docDefault == null ? "none" : "`" + docDefault + "`")
                        + ", the code " + (codeDefault == null ? "none" : "`" + codeDefault + "`"));
            }
        });
        for (String key : properties.keySet()) {
            if (!documented.containsKey(key) && pointers.stream().noneMatch(key::startsWith)) {
                problems.add(doc.getFileName() + " does not document `" + key + "`");
            }
        }
        return problems;
    }

    private static String mappingPrefix(String property) {
        // knowgate.<service>. : the part of a key that says whose it is
        String[] parts = property.split("\\.");
        return parts[0] + "." + parts[1] + ".";
    }

    private static String names(Class<?>[] mappings) {
        return String.join(", ", java.util.Arrays.stream(mappings).map(Class::getSimpleName).toList());
    }

    /** The rows (first two cells) of the first table after the heading. */
    static List<String[]> table(Path doc, String heading) {
        List<String> lines;
        try {
            lines = Files.readAllLines(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int i = 0;
        while (i < lines.size() && !(lines.get(i).startsWith("#") && lines.get(i).contains(heading))) {
            i++;
        }
        if (i == lines.size()) {
            throw new IllegalArgumentException(doc + " has no heading with '" + heading + "'");
        }
        while (i < lines.size() && !lines.get(i).startsWith("|")) {
            i++;
        }
        List<String[]> rows = new ArrayList<>();
        for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> cells = cells(lines.get(i));
            rows.add(new String[]{cells.get(0), cells.size() > 1 ? cells.get(1) : ""});
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(doc + " has no table after '" + heading + "'");
        }
        return rows;
    }

    /** Cells of a markdown row; a {@code |} inside backticks or escaped as {@code \|} is text. */
    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean ticked = false;
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '`') {
                ticked = !ticked;
            }
            if (c == '|' && !ticked && line.charAt(i - 1) != '\\') {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        return cells;
    }

    private static List<String> keys(String cell, String prefix) {
        List<String> keys = new ArrayList<>();
        Matcher m = TICKED.matcher(cell);
        while (m.find()) {
            String token = m.group(1).replaceAll("<[^>]+>", "*");
            String key;
            if (token.startsWith(".") && !keys.isEmpty()) {
                String previous = keys.get(keys.size() - 1);
                key = previous.substring(0, previous.lastIndexOf('.')) + token;
            } else if (token.startsWith("knowgate.") || token.startsWith("quarkus.") || token.startsWith("kafka")) {
                key = token;
            } else {
                key = prefix + "." + token;
            }
            keys.add(key);
        }
        return keys;
    }

    /** One default per key where the cell can be read that way; null stands for "no default". */
    private static List<String> defaults(String cell, int keys) {
        List<String> ticked = new ArrayList<>();
        Matcher m = TICKED.matcher(cell);
        while (m.find()) {
            ticked.add(m.group(1));
        }
        List<String> values = new ArrayList<>();
        if (ticked.size() == keys && (keys > 1 || cell.startsWith("`"))) {
            values.addAll(ticked);
        } else if (keys == 1) {
            values.add(ticked.isEmpty() ? word(cell) : null);
        } else {
            for (String part : cell.split("\\s*(,|/)\\s*(?=(?:[^`]*`[^`]*`)*[^`]*$)")) {
                values.add(part.startsWith("`") ? part.replace("`", "") : word(part));
            }
        }
        return values;
    }

    /** An unbackticked cell: a number or duration is a default, a word ("none", "learned") means there is none. */
    private static String word(String cell) {
        String text = cell.trim();
        return text.matches("-?[0-9][0-9_.]*(ms|s|m|h|d)?") ? text : null;
    }

    private static boolean sameDefault(String doc, String code) {
        if (doc == null || code == null) {
            return doc == null && code == null;
        }
        if (doc.equals(code)) {
            return true;
        }
        try {
            return new BigDecimal(doc).compareTo(new BigDecimal(code)) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
