package dev.knowgate.testing.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A curl request as a doc shows it in a {@code ```sh} block, taken apart so that a test can send it
 * to the real service: method ({@code -X}, else POST with a body and GET without), headers
 * ({@code -H}), body ({@code -d '...'}), URL path, and the {@code # NNN answer} line under it when
 * the doc prints one. Shell variables stay as written; the test substitutes them.
 */
public record DocumentedCurl(String method, Map<String, String> headers, String body, String path,
                             Integer printedStatus, String printedAnswer) {

    /** A fenced sh block, also indented under a list item (the closing fence has the same indent). */
    private static final Pattern BLOCK = Pattern.compile("(?m)^( *)```sh\\n(.*?)\\n\\1```", Pattern.DOTALL);
    private static final Pattern METHOD = Pattern.compile("-X (\\S+)");
    private static final Pattern HEADER = Pattern.compile("-H \"([^:]+): ([^\"]*)\"");
    private static final Pattern DATA = Pattern.compile("-d '([^']*)'");
    private static final Pattern URL = Pattern.compile("(https?://\\S+)");
    private static final Pattern PRINTED = Pattern.compile("^\\s*# (\\d{3}) ?(.*)$", Pattern.MULTILINE);

    /** Every curl request in the doc's {@code sh} blocks, in order. */
    public static List<DocumentedCurl> in(Path doc) {
        String text;
        try {
            text = Files.readString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<DocumentedCurl> found = new ArrayList<>();
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            String sh = block.group(2).replace("\\\n", " ");
            for (String line : sh.split("\n")) {
                if (line.strip().startsWith("curl ")) {
                    found.add(parse(line.strip(), sh));
                }
            }
        }
        return found;
    }

    /** The doc's only curl request whose URL path contains {@code pathPart}. */
    public static DocumentedCurl the(Path doc, String pathPart) {
        List<DocumentedCurl> matching = in(doc).stream().filter(c -> c.path().contains(pathPart)).toList();
        if (matching.size() != 1) {
            throw new AssertionError(doc + " should show one curl request to a path with '" + pathPart + "', shows "
                    + matching.size());
        }
        return matching.get(0);
    }

    private static DocumentedCurl parse(String command, String block) {
        Map<String, String> headers = new LinkedHashMap<>();
        Matcher h = HEADER.matcher(command);
        while (h.find()) {
            headers.put(h.group(1), h.group(2));
        }
        Matcher d = DATA.matcher(command);
        String body = d.find() ? d.group(1) : null;
        Matcher x = METHOD.matcher(command);
        String method = x.find() ? x.group(1) : body == null ? "GET" : "POST";
        Matcher u = URL.matcher(command);
        if (!u.find()) {
            throw new AssertionError("a documented curl request without a URL: " + command);
        }
        Matcher p = PRINTED.matcher(block);
        Integer status = null;
        String answer = null;
        if (p.find()) {
            status = Integer.parseInt(p.group(1));
            answer = p.group(2);
        }
        return new DocumentedCurl(method, headers, body, URI.create(u.group(1)).getPath(), status, answer);
    }
}
