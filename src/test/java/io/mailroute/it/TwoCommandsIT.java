package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** README's "The two commands": one runs the demo, one runs the tests; the build says what it is doing, in plain text. */
class TwoCommandsIT {

    @Test
    void oneCommandRunsTheDemoAndOneRunsTheTests() throws IOException {
        List<String> commands = twoCommands();
        assertEquals(2, commands.size(), commands.toString());
        assertTrue(commands.get(0).matches("mvn .*\\bpackage && java -jar target/mailroute\\.jar"), commands.get(0));
        assertTrue(commands.get(1).matches("mvn (.* )?verify"), commands.get(1));
    }

    /** A first build takes minutes: it shows Maven's progress rather than a silent minute. */
    @Test
    void theBuildOfTheRunCommandShowsItsProgress() throws IOException {
        List<String> build = mavenOptions(twoCommands().get(0));
        assertFalse(build.contains("-q") || build.contains("--quiet"), "the run command builds quietly: " + build);
    }

    /**
     * Maven with the run command's options, its output going to a file (not a terminal): no escape codes. Debian's and
     * Ubuntu's Maven 3.8 (jansi without its native library) write colours and resets to a pipe unless told not to.
     */
    @Test
    void mavenWritesNoTerminalCodesWhenItsOutputIsNotATerminal() throws Exception {
        List<String> command = new ArrayList<>(List.of("mvn"));
        command.addAll(mavenOptions(twoCommands().get(0)).stream().filter(o -> o.startsWith("-")).toList());
        command.add("--version");
        Process maven;
        try {
            maven = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no mvn on the PATH to run: " + e.getMessage());
            return;
        }
        String output = new String(maven.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(maven.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, maven.exitValue(), output);
        assertFalse(output.contains("\u001b"), "escape codes in " + command + ": " + output.replace("\u001b", "ESC"));
    }

    /** The words of the commands in the section's code block, comments removed. */
    private static List<String> twoCommands() throws IOException {
        String section = ReadmeExamples.section(ReadmeExamples.readme(), "The two commands");
        List<String> blocks = ReadmeExamples.codeBlocks(section);
        assertEquals(1, blocks.size(), "one code block: " + section);
        return blocks.get(0).lines().map(line -> line.replaceFirst("#.*", "").trim()).filter(line -> !line.isEmpty()).toList();
    }

    /** What the run command's Maven is given, before {@code &&}. */
    private static List<String> mavenOptions(String runCommand) {
        List<String> words = List.of(runCommand.substring(0, runCommand.indexOf("&&")).trim().split("\\s+"));
        assertEquals("mvn", words.get(0), runCommand);
        return words.subList(1, words.size());
    }
}
