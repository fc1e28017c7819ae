package io.github.sparkatlas.delivery.spool;

import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what no application sends by itself: spools left for another Kafka destination (they wait for the replay
 * command) and dead-letter files (they wait for a larger broker limit). Whatever was last written longer ago than
 * the age limit goes, and then, oldest first, whatever takes the total over the size limit. A spool still locked
 * by a live application is never touched. Each removal is logged once at ERROR: it is lineage that is lost.
 */
final class SpoolRetention {
  static final String MAX_AGE_KEY = "atlas.spark.spool.retention.hours";
  static final String MAX_BYTES_KEY = "atlas.spark.spool.retention.bytes";
  private static final Logger LOG = LoggerFactory.getLogger(SpoolRetention.class);

  private final long maxAgeMillis;
  private final long maxBytes;
  private final Redactor redactor;

  /** A spool of another destination, or the dead-letter file of one for this destination. */
  private static final class Leftover {
    final Path spool;
    final boolean wholeSpool;
    final long bytes;
    final long lastModified;

    Leftover(Path spool, boolean wholeSpool, long bytes, long lastModified) {
      this.spool = spool;
      this.wholeSpool = wholeSpool;
      this.bytes = bytes;
      this.lastModified = lastModified;
    }
  }

  SpoolRetention(long maxAgeMillis, long maxBytes, Redactor redactor) {
    this.maxAgeMillis = maxAgeMillis;
    this.maxBytes = maxBytes;
    this.redactor = redactor;
  }

  /**
   * Applies the limits to {@code spools} (trusted spools of one base other than this application's own).
   *
   * @return the spools still there, in the order given
   */
  List<Path> apply(Path base, List<Path> spools, String destination, long nowMillis) {
    List<Leftover> leftovers = new ArrayList<>();
    long total = 0;
    for (Path dir : spools) {
      try {
        Leftover leftover = leftoverOf(dir, destination);
        if (leftover != null) {
          leftovers.add(leftover);
          total += leftover.bytes;
        }
      } catch (IOException e) {
        LOG.warn("spark-atlas-agent cannot tell the size and age of the spool {}: {}", redactor.redact(dir.toString()),
            redactor.redact(e.toString()));
      }
    }
    Collections.sort(leftovers, Comparator.comparingLong((Leftover l) -> l.lastModified));
    for (Leftover leftover : leftovers) {
      String reason;
      if (nowMillis - leftover.lastModified > maxAgeMillis) {
        reason = "it was last written more than " + TimeUnit.MILLISECONDS.toHours(maxAgeMillis) + " hours ago ("
            + MAX_AGE_KEY + ")";
      } else if (total > maxBytes) {
        reason = "the spools of other destinations and dead-letter files in " + base + " took " + total
            + " bytes, more than " + MAX_BYTES_KEY + "=" + maxBytes + ", and this was the oldest";
      } else {
        break;
      }
      if (remove(leftover, reason)) {
        total -= leftover.bytes;
      }
    }
    List<Path> remaining = new ArrayList<>();
    for (Path dir : spools) {
      // Removing a dead-letter file deletes a spool that held nothing else.
      if (Spool.isSpool(dir)) {
        remaining.add(dir);
      }
    }
    return remaining;
  }

  private static Leftover leftoverOf(Path dir, String destination) throws IOException {
    if (!destination.equals(Spool.destinationOf(dir))) {
      long bytes = 0;
      long lastModified = 0;
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path file : files) {
          BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
              LinkOption.NOFOLLOW_LINKS);
          bytes += attributes.size();
          lastModified = Math.max(lastModified, attributes.lastModifiedTime().toMillis());
        }
      }
      return new Leftover(dir, true, bytes, lastModified);
    }
    Path deadLetters = dir.resolve(Spool.REJECTED_FILE);
    if (!Files.isRegularFile(deadLetters, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    BasicFileAttributes attributes = Files.readAttributes(deadLetters, BasicFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS);
    return new Leftover(dir, false, attributes.size(), attributes.lastModifiedTime().toMillis());
  }

  /** Removes a leftover unless its owner is alive; true when it is gone. */
  private boolean remove(Leftover leftover, String reason) {
    String written = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss Z").format(new Date(leftover.lastModified));
    try (Spool spool = Spool.open(leftover.spool, Long.MAX_VALUE / 2)) {
      int deadLetters = spool.rejectedCount();
      if (leftover.wholeSpool) {
        long pending = spool.pending();
        String made = Spool.destinationOf(leftover.spool).trim().replace("\n", ", ");
        spool.discard();
        LOG.error("spark-atlas-agent removed the spool {} left for another Kafka destination ({}): {} undelivered "
            + "lineage message(s) and {} dead letter(s), {} bytes, last written {}; {}", leftover.spool,
            made.isEmpty() ? "unknown" : made, pending, deadLetters, leftover.bytes, written, reason);
      } else {
        spool.clearRejected();
        LOG.error("spark-atlas-agent removed the dead-letter file {}: {} lineage message(s) Kafka refused as too "
            + "large, {} bytes, last written {}; {}", leftover.spool.resolve(Spool.REJECTED_FILE), deadLetters,
            leftover.bytes, written, reason);
      }
      return true;
    } catch (Spool.InUseException e) {
      return false;
    } catch (IOException | RuntimeException e) {
      LOG.warn("spark-atlas-agent cannot remove {} ({}): {}", redactor.redact(leftover.spool.toString()), reason,
          redactor.redact(e.toString()));
      return false;
    }
  }
}
