package io.mailroute.triage;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.text.Counted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the triage rules in step with their file without a restart. {@link #reloadIfChanged()} is meant to be
 * called often (from a timer route): when the file's modification time and size are unchanged it costs one
 * {@code stat}. A changed file is read once, hashed and parsed; a broken one is reported (one ERROR line per
 * problem, once per broken version) and the last good rules stay in force.
 *
 * <p>A file modified less than {@link #SETTLE} ago is left for the next call: it may still be being written,
 * and on file systems with coarse timestamps a second edit within the same tick could otherwise go unseen.
 */
public final class TriageRulesReloader implements AutoCloseable {

    /** How old a modification must be before it is read. */
    static final Duration SETTLE = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(TriageRulesReloader.class);

    private final Path file;
    private final Clock clock;
    private volatile TriageRules current;
    /** The file version last looked at, good or bad ({@link #MISSING} once a missing file was reported). */
    private Stamp seen;
    /** Digest of the last refused content, so the same broken file is reported once. */
    private byte[] refused;
    private volatile boolean closed;
    /** What the rules name in other files (approvals.yaml's groups and policies), checked before a reload takes effect. */
    private volatile java.util.function.Function<TriageRules, List<ConfigProblem>> crossCheck = rules -> List.of();

    private record Stamp(Instant modified, long size) {
    }

    private static final Stamp MISSING = new Stamp(Instant.EPOCH, -1);

    /** Loads the rules now; throws {@link ConfigException} if the file is missing or broken. */
    public TriageRulesReloader(Path file, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
        Stamp stamp;
        try {
            stamp = stamp();
        } catch (IOException e) {
            stamp = null; // load() below says what is wrong
        }
        this.current = TriageRules.load(file);
        this.seen = stamp != null && settled(stamp) ? stamp : null;
    }

    /** Refuses reloaded rules that this check finds problems with, as it refuses a broken file. */
    public TriageRulesReloader checkedWith(java.util.function.Function<TriageRules, List<ConfigProblem>> check) {
        this.crossCheck = Objects.requireNonNull(check, "check");
        return this;
    }

    /** The rules in force: always the last file that loaded without problems. */
    public TriageRules current() {
        return current;
    }

    /**
     * Reloads the rules if the file changed since the last call.
     *
     * @return true when new rules took effect; false when nothing changed, the change is too recent to read yet,
     *         the content is the same, or the new file is broken or missing (then the last good rules stay)
     */
    public synchronized boolean reloadIfChanged() {
        if (closed) {
            return false;
        }
        Stamp stamp;
        try {
            stamp = stamp();
        } catch (NoSuchFileException e) {
            if (seen != MISSING) {
                LOG.error("Triage rules not reloaded, still using the last good {}: {}: file not found; "
                        + "restore it (the rules in force are kept until then)", Counted.of(current.size(), "rule"), file);
                seen = MISSING;
            }
            return false;
        } catch (IOException e) {
            LOG.warn("Cannot check triage rules file {} for changes: {}", file, e.toString());
            return false;
        }
        if (stamp.equals(seen) || !settled(stamp)) {
            return false;
        }
        seen = stamp;
        byte[] content;
        try {
            content = TriageRules.read(file);
        } catch (ConfigException e) {
            return refuse(null, e.problems()); // unreadable: reported once for this version of the file
        }
        byte[] digest = TriageRules.digest(content);
        if (current.sameContent(digest) || refused != null && MessageDigest.isEqual(refused, digest)) {
            return false; // touched or saved unchanged; or the same broken content, already reported
        }
        TriageRules parsed;
        try {
            parsed = TriageRules.parse(file.toString(), content);
        } catch (ConfigException e) {
            return refuse(digest, e.problems());
        }
        List<ConfigProblem> elsewhere = crossCheck.apply(parsed);
        if (!elsewhere.isEmpty()) {
            return refuse(digest, elsewhere);
        }
        current = parsed;
        refused = null;
        LOG.info("Triage rules reloaded from {}: {}", file, Counted.of(current.size(), "rule"));
        return true;
    }

    private boolean refuse(byte[] digest, List<ConfigProblem> problems) {
        refused = digest;
        for (ConfigProblem problem : problems) {
            LOG.error("Triage rules not reloaded, still using the last good {}: {}", Counted.of(current.size(), "rule"), problem);
        }
        return false;
    }

    /** Stops further reloads; {@link #current()} keeps answering. */
    @Override
    public void close() {
        closed = true;
    }

    private boolean settled(Stamp stamp) {
        Duration age = Duration.between(stamp.modified(), clock.instant());
        return age.isNegative() || age.compareTo(SETTLE) >= 0; // a clock behind the file system: don't wait forever
    }

    private Stamp stamp() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attributes.lastModifiedTime().toInstant(), attributes.size());
    }
}
