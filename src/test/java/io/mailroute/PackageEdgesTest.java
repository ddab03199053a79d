package io.mailroute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package edges the code keeps, read from the sources' imports (and fully qualified names): the database does
 * not know the audit; delivery uses of the gmail package only its words for a failed call; retry knows no provider.
 */
class PackageEdgesTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "io", "mailroute");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.mailroute\\.([a-z]+(?:\\.[a-z]+)*)\\.([A-Z]\\w*)");

    @Test
    void theDatabaseDoesNotDependOnTheAudit() {
        assertEquals(List.of(), references("db", "audit"));
    }

    @Test
    void deliveryUsesOfGmailOnlyWhatAFailedCallMeans() {
        Set<String> words = Set.of("GmailFailure", "NoGrantException", "TokenRefusal");
        List<String> found = references("delivery", "gmail");
        assertTrue(found.stream().anyMatch(r -> r.endsWith("GmailFailure")), "the scan sees delivery's imports: " + found);
        assertEquals(List.of(), found.stream().filter(r -> !words.contains(r.substring(r.lastIndexOf('.') + 1))).toList(),
                "delivery reaches into gmail beyond " + words + "; ask through delivery.email.SendingMailboxes");
    }

    @Test
    void retryKnowsNoOtherPackage() {
        assertEquals(List.of(), references("retry", ""));
    }

    /** {@code file: io.mailroute.<to>.Class} for every reference from package {@code from} (and below) to {@code to}. */
    private static List<String> references(String from, String to) {
        try (Stream<Path> files = Files.walk(SOURCES.resolve(from))) {
            return files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                Matcher m = REFERENCE.matcher(read(f));
                Stream.Builder<String> refs = Stream.builder();
                while (m.find()) {
                    String pkg = m.group(1);
                    boolean own = pkg.equals(from) || pkg.startsWith(from + ".");
                    if (!own && (to.isEmpty() || pkg.equals(to) || pkg.startsWith(to + "."))) {
                        refs.add(SOURCES.relativize(f) + ": io.mailroute." + pkg + "." + m.group(2));
                    }
                }
                return refs.build();
            }).distinct().sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
