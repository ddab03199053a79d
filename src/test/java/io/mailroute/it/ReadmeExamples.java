package io.mailroute.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The examples README.md shows, read from the file itself so that a test runs what a reader copies:
 * a section's code blocks and its {@code curl} commands (in table cells or code blocks), parsed the
 * way a POSIX shell would split them.
 */
public final class ReadmeExamples {

    /** One {@code curl} command: what it sends, and the {@code | grep WORD} it pipes the answer through, if any. */
    public record Curl(String source, String method, String url, Map<String, String> headers, byte[] body, String grep) {

        /** {@code METHOD /path?query} without scheme, host and port, for matching a claim. */
        public String request() {
            return method + " " + url.replaceFirst("^https?://[^/]+", "");
        }

        public int port() {
            return java.net.URI.create(url).getPort();
        }
    }

    private static final Pattern INLINE_CODE = Pattern.compile("`([^`]+)`");

    private ReadmeExamples() {
    }

    public static String readme() throws IOException {
        return Files.readString(Path.of("README.md"));
    }

    /** The text under {@code ## heading} up to the next second-level heading. */
    public static String section(String readme, String heading) {
        Matcher start = Pattern.compile("(?m)^## " + Pattern.quote(heading) + "\\R").matcher(readme);
        if (!start.find()) {
            throw new AssertionError("README.md has no section '## " + heading + "'");
        }
        Matcher end = Pattern.compile("(?m)^## ").matcher(readme);
        return readme.substring(start.end(), end.find(start.end()) ? end.start() : readme.length());
    }

    /** The fenced code blocks of a text, without their fences. */
    public static List<String> codeBlocks(String text) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^ *```[a-z]*\\n(.*?)^ *```", Pattern.DOTALL).matcher(text);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /**
     * Every {@code curl} command of a text: those in code blocks (lines joined at a trailing backslash),
     * then those in inline code with a URL (table cells, where a pipe is written {@code \|}).
     *
     * @param variables values for {@code $NAME} and {@code ${NAME}} in the commands
     */
    public static List<Curl> curls(String text, Map<String, String> variables) {
        List<String> commands = new ArrayList<>();
        for (String block : codeBlocks(text)) {
            for (String line : block.replaceAll("\\\\\\n\\s*", " ").split("\\n")) {
                if (line.trim().startsWith("curl ")) {
                    commands.add(line.trim());
                }
            }
        }
        String outsideBlocks = text.replaceAll("(?ms)^ *```.*?^ *```", "");
        Matcher inline = INLINE_CODE.matcher(outsideBlocks);
        while (inline.find()) {
            if (inline.group(1).startsWith("curl ") && inline.group(1).contains("://")) { // not a mention such as `curl -si`
                commands.add(inline.group(1).replace("\\|", "|"));
            }
        }
        List<Curl> curls = new ArrayList<>();
        for (String command : commands) {
            curls.add(parseCurl(command, variables));
        }
        return curls;
    }

    /** The options of curl the README uses; anything else fails, so that the test never ignores part of an example. */
    static Curl parseCurl(String command, Map<String, String> variables) {
        List<List<String>> pipeline = split(command, variables);
        List<String> words = pipeline.get(0);
        if (!words.get(0).equals("curl")) {
            throw new AssertionError("not a curl command: " + command);
        }
        String method = null;
        String url = null;
        Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = null;
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            switch (word) {
                case "-s", "-S", "-sS", "--silent", "--show-error" -> { }
                case "-X", "--request" -> method = words.get(++i);
                case "-H", "--header" -> {
                    String header = words.get(++i);
                    int colon = header.indexOf(':');
                    headers.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
                }
                case "-d", "--data", "--data-binary" -> body = data(words.get(++i), command);
                default -> {
                    if (word.startsWith("-")) {
                        throw new AssertionError("README example uses curl option " + word
                                + " that ReadmeExamples does not know; teach it: " + command);
                    }
                    url = word;
                }
            }
        }
        if (url == null) {
            throw new AssertionError("README example has no URL: " + command);
        }
        if (method == null) {
            method = body == null ? "GET" : "POST";
        }
        String grep = null;
        if (pipeline.size() > 1) {
            List<String> filter = pipeline.get(1);
            if (pipeline.size() > 2 || filter.size() != 2 || !filter.get(0).equals("grep")) {
                throw new AssertionError("README example pipes curl into something other than 'grep WORD': " + command);
            }
            grep = filter.get(1);
        }
        return new Curl(command, method, url, Map.copyOf(headers), body, grep);
    }

    /** {@code @file} reads the file (relative to the project root, as the README's commands run); anything else is the data. */
    private static byte[] data(String value, String command) {
        if (!value.startsWith("@")) {
            return value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            return Files.readAllBytes(Path.of(value.substring(1)));
        } catch (IOException e) {
            throw new AssertionError("README example sends a file that is not there (" + e + "): " + command, e);
        }
    }

    /**
     * Splits a command line into the words of each pipeline stage, as sh does: single quotes keep
     * everything, double quotes keep all but {@code $VAR} and backslash escapes, and unquoted {@code $VAR}
     * is expanded too.
     */
    static List<List<String>> split(String line, Map<String, String> variables) {
        List<List<String>> stages = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new AssertionError("unclosed ' in: " + line);
                }
                word = (word == null ? new StringBuilder() : word).append(line, i + 1, end);
                i = end;
            } else if (c == '"') {
                word = word == null ? new StringBuilder() : word;
                int j = i + 1;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char d = line.charAt(j);
                    if (d == '\\' && j + 1 < line.length() && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
                        word.append(line.charAt(++j));
                    } else if (d == '$') {
                        j = expand(line, j, variables, word);
                    } else {
                        word.append(d);
                    }
                }
                if (j >= line.length()) {
                    throw new AssertionError("unclosed \" in: " + line);
                }
                i = j;
            } else if (c == '\\' && i + 1 < line.length()) {
                word = (word == null ? new StringBuilder() : word).append(line.charAt(++i));
            } else if (c == '$') {
                word = word == null ? new StringBuilder() : word;
                i = expand(line, i, variables, word);
            } else if (c == '|') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                stages.add(words);
                words = new ArrayList<>();
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = (word == null ? new StringBuilder() : word).append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        stages.add(words);
        return stages;
    }

    /** Appends the value of the variable at {@code line[dollar]}; returns the index of its last character. */
    private static int expand(String line, int dollar, Map<String, String> variables, StringBuilder into) {
        Matcher m = Pattern.compile("\\$(?:\\{(\\w+)}|(\\w+))").matcher(line);
        if (!m.find(dollar) || m.start() != dollar) {
            into.append('$');
            return dollar;
        }
        String name = m.group(1) != null ? m.group(1) : m.group(2);
        String value = variables.get(name);
        if (value == null) {
            throw new AssertionError("README example uses $" + name + ", which the test gives no value: " + line);
        }
        into.append(value);
        return m.end() - 1;
    }
}
