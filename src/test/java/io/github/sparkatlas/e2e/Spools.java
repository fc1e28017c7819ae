package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.delivery.spool.SpoolEntry;
import io.github.sparkatlas.e2e.harness.WorkDirs;

/**
 * Looks into the agent's spool the way a test can without disturbing it: a spool is read through a copy, so the
 * original keeps its lock, its acknowledged position and its files for the agent or the replay command.
 */
final class Spools {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Spools() {
    }

    /** The spool directories under a spool base (those the agent would adopt or replay), oldest first. */
    static List<Path> directories(Path base) {
        try {
            return Spool.directories(base);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file under the spool base, for a failure message. */
    static String listing(Path base) {
        if (!Files.exists(base)) {
            return base + " does not exist";
        }
        try (Stream<Path> walk = Files.walk(base)) {
            return String.join("\n", walk.map(Path::toString).toList());
        } catch (IOException e) {
            return "cannot list " + base + ": " + e;
        }
    }

    /** Copies one spool directory (its files as they are on disk) into {@code base}; returns the copy. */
    static Path copy(Path spoolDir, Path base) {
        Path copy = base.resolve(spoolDir.getFileName().toString());
        try {
            Files.createDirectories(copy);
            try (Stream<Path> files = Files.list(spoolDir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, copy.resolve(file.getFileName().toString()));
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The messages (the {@code message} part of the envelope, as Atlas decodes it) pending in a spool, in order:
     * what the agent captured, Kafka has not acknowledged and is still to be sent (not those a newer state of the
     * same process superseded).
     */
    static List<JsonNode> pendingMessages(Path spoolDir) {
        Path copy = copy(spoolDir, WorkDirs.newDir("spool-copy"));
        try {
            List<JsonNode> messages = new ArrayList<>();
            try (Spool spool = Spool.open(copy, Long.MAX_VALUE / 2)) {
                for (SpoolEntry entry : spool.read(0, Integer.MAX_VALUE, Long.MAX_VALUE)) {
                    if (!entry.superseded()) {
                        messages.add(MAPPER.readTree(entry.notification().body()));
                    }
                }
            }
            return messages;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What is left in the spool of an application whose broker was unreachable throughout, read after the run: the
     * newest state of its one process, after those of its older states that are superseded and not acknowledged yet
     * (the sender's failed attempts acknowledge, unsent, the superseded ones they reach first), so that acknowledged
     * plus left make the {@code produced} messages. Returns the newest entry.
     */
    static SpoolEntry assertOnlyNewestStateLeft(Path spoolDir, int produced) {
        Path copy = copy(spoolDir, WorkDirs.newDir("spool-copy"));
        List<SpoolEntry> entries;
        long acked;
        try (Spool spool = Spool.open(copy, Long.MAX_VALUE / 2)) {
            entries = spool.read(0, Integer.MAX_VALUE, Long.MAX_VALUE);
            acked = spool.acked();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertFalse(entries.isEmpty(), () -> "the newest state waits in " + spoolDir);
        for (int i = 0; i < entries.size() - 1; i++) {
            // A catalog change (DDL, DROP) is never superseded: it waits to be sent in its place.
            assertTrue(entries.get(i).superseded() || !entries.get(i).notification().replacesEarlier(),
                    "an older state waiting, superseded by the newest: entry " + i);
        }
        SpoolEntry newest = entries.get(entries.size() - 1);
        assertFalse(newest.superseded(), "the newest state is to be sent");
        assertEquals(produced, acked + entries.size(), () -> "acknowledged (" + acked + ") and left ("
                + entries.size() + ") in " + spoolDir);
        return newest;
    }

    /**
     * How many messages of a spool are superseded and not acknowledged yet: whoever sends the spool leaves them
     * unsent. (A sender that tried already may have acknowledged some, in their turn before a failed attempt.)
     */
    static long supersededPending(Path spoolDir) {
        Path copy = copy(spoolDir, WorkDirs.newDir("spool-copy"));
        try (Spool spool = Spool.open(copy, Long.MAX_VALUE / 2)) {
            return spool.supersededPending();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the last message pending in the one spool under {@code base} is what {@code expected} accepts, and
     * returns the pending messages; fails after the timeout. For a test that must not act before the agent has
     * written the state it waits for, when older states are superseded.
     */
    static List<JsonNode> awaitLastPending(Path base, java.util.function.Predicate<JsonNode> expected,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> messages = List.of();
        while (System.nanoTime() < deadline) {
            List<Path> dirs = directories(base);
            if (dirs.size() == 1) {
                messages = pendingMessages(dirs.get(0));
                if (!messages.isEmpty() && expected.test(messages.get(messages.size() - 1))) {
                    return messages;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("the spool under " + base + " does not end with the expected message after "
                + timeout + ": " + messages + "\n" + listing(base));
    }

    /**
     * Waits until the one spool under {@code base} holds at least {@code count} pending messages, and returns them;
     * fails after the timeout. For a test that must not act before the agent has written what it captured.
     */
    static List<JsonNode> awaitPending(Path base, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> messages = List.of();
        while (System.nanoTime() < deadline) {
            List<Path> dirs = directories(base);
            if (dirs.size() == 1) {
                messages = pendingMessages(dirs.get(0));
                if (messages.size() >= count) {
                    return messages;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("the spool under " + base + " holds " + messages.size() + " of " + count
                + " messages after " + timeout + ":\n" + listing(base));
    }
}
