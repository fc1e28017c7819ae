package io.github.sparkatlas.delivery.spool;

import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the spools earlier applications left under a spool base and takes over those for the same destination,
 * so that a new application sends them first: only an application sending to the same place may send another
 * one's messages, and only once their owner is gone (its lock released).
 */
final class SpoolAdoption {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolAdoption.class);

  private SpoolAdoption() {
  }

  /**
   * Opens those of {@code spools} (found under {@code base}) that were made for {@code destination} and still hold
   * messages, oldest first; empty ones are closed (and so deleted) on the way.
   */
  static List<Spool> adopt(Path base, List<Path> spools, String destination, long maxBytes, Redactor redactor) {
    List<Spool> adopted = new ArrayList<>();
    int otherDestination = 0;
    for (Path dir : spools) {
      if (!destination.equals(Spool.destinationOf(dir))) {
        otherDestination++;
        continue;
      }
      try {
        Spool spool = Spool.open(dir, maxBytes);
        if (spool.pending() == 0) {
          spool.close();
        } else {
          adopted.add(spool);
        }
      } catch (Spool.InUseException e) {
        // A running application's own spool.
      } catch (IOException e) {
        LOG.warn("spark-atlas-agent cannot open the earlier spool {}: {}", redactor.redact(dir.toString()),
            redactor.redact(e.toString()));
      }
    }
    long pending = 0;
    for (Spool spool : adopted) {
      pending += spool.pending();
    }
    if (!adopted.isEmpty()) {
      LOG.info("spark-atlas-agent found {} undelivered lineage messages left by {} earlier application(s) in {}; "
          + "sending them first", pending, adopted.size(), base);
    }
    if (otherDestination > 0) {
      LOG.info("spark-atlas-agent leaves {} spool(s) in {} alone: they are for another Kafka destination (send "
          + "them with: java -jar <agent jar> replay <dir> --config <properties>)", otherDestination, base);
    }
    return adopted;
  }
}
