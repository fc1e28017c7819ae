package io.github.sparkatlas.delivery.spool;

import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application's start on its spool base, in order: choose a base that can be trusted ({@link SpoolLocation}),
 * create the application's own spool there, leave alone the spools that are not the user's ({@link OwnerCheck}),
 * apply the retention limits to what waits for the replay command ({@link SpoolRetention}), and adopt the
 * orphans for the same destination ({@link SpoolAdoption}).
 */
public final class SpoolBase {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolBase.class);

  private final Spool own;
  private final List<Spool> adopted;

  private SpoolBase(Spool own, List<Spool> adopted) {
    this.own = own;
    this.adopted = adopted;
  }

  /** @param redactor masks the exceptions it logs: their messages name paths and can quote anything */
  public static SpoolBase open(SpoolSettings settings, String destination, Redactor redactor)
      throws IOException {
    OwnerCheck check = OwnerCheck.forCurrentUser();
    Path base = SpoolLocation.choose(settings.base(), settings.fallback(), check);
    Spool own = Spool.create(base, destination, settings.maxBytes());
    List<Path> spools = trustedSpools(base, own.directory(), check, redactor);
    spools = new SpoolRetention(settings.retentionMillis(), settings.retentionBytes(), redactor)
        .apply(base, spools, destination, System.currentTimeMillis());
    return new SpoolBase(own, SpoolAdoption.adopt(base, spools, destination, settings.maxBytes(), redactor));
  }

  /** The spools under {@code base} other than {@code own} that belong to this user, oldest first. */
  static List<Path> trustedSpools(Path base, Path own, OwnerCheck check, Redactor redactor) {
    List<Path> dirs;
    try {
      dirs = Spool.directories(base);
    } catch (IOException e) {
      LOG.warn("spark-atlas-agent cannot look for earlier spools in {}: {}", redactor.redact(base.toString()),
          redactor.redact(e.toString()));
      return Collections.emptyList();
    }
    List<Path> trusted = new ArrayList<>();
    for (Path dir : dirs) {
      if (dir.equals(own)) {
        continue;
      }
      try {
        String problem = check.spoolProblem(dir);
        if (problem == null) {
          trusted.add(dir);
        } else {
          LOG.warn("spark-atlas-agent leaves the spool {} alone: {}; only spools of the user who runs the "
              + "application are sent, adopted or removed", dir, problem);
        }
      } catch (IOException e) {
        LOG.warn("spark-atlas-agent cannot check who owns the spool {}, and leaves it alone: {}",
            redactor.redact(dir.toString()), redactor.redact(e.toString()));
      }
    }
    return trusted;
  }

  /** This application's own spool. */
  public Spool own() {
    return own;
  }

  /** Spools of earlier applications for the same destination that still hold messages, oldest first. */
  public List<Spool> adopted() {
    return adopted;
  }
}
