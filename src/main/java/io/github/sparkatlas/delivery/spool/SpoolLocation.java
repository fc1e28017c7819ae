package io.github.sparkatlas.delivery.spool;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the spool base: the configured (or default) directory when it can be trusted, else a private fallback.
 *
 * <p>The default lies in a shared temporary directory, where any user may create it first, as a directory of
 * their own, a world-writable one or a symbolic link, and so read the lineage or plant messages the agent would
 * send with the user's Kafka credentials. Such a directory is refused with one ERROR naming it and why, and the
 * agent uses its fallback instead, a directory in the user's home that only the user can create.
 */
final class SpoolLocation {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolLocation.class);

  private SpoolLocation() {
  }

  /**
   * The base to use, created if missing (owner-only, parents included).
   *
   * @param fallback where to go when {@code configured} cannot be trusted, or null when there is no such place
   * @throws IOException when the chosen directory cannot be created, is not a directory, or neither can be trusted
   */
  static Path choose(Path configured, Path fallback, OwnerCheck check) throws IOException {
    String problem = prepare(configured, check);
    if (problem == null) {
      return configured;
    }
    if (fallback == null || fallback.equals(configured)) {
      throw new IOException("the spool directory " + configured + " is refused: " + problem
          + ", and there is no private directory to fall back to");
    }
    String fallbackProblem = prepare(fallback, check);
    if (fallbackProblem != null) {
      throw new IOException("the spool directory " + configured + " is refused: " + problem + "; and so is the "
          + "fallback " + fallback + ": " + fallbackProblem);
    }
    LOG.error("spark-atlas-agent refuses the spool directory {}: {}, so another user could read or replace what "
        + "is kept there, or plant messages the agent would send with your Kafka credentials. It uses its private "
        + "directory {} instead; make {} a directory of your own with mode 700, remove it, or set "
        + "atlas.spark.spool.dir",
        configured, problem, fallback, configured);
    return fallback;
  }

  /**
   * Creates {@code base} and its missing parents owner-only and says why it cannot be trusted ("it is ...", "its
   * parent ... is ..."), or null when it can. A parent that appears between looking and creating it was made by
   * someone else, and is judged like the base itself.
   */
  static String prepare(Path base, OwnerCheck check) throws IOException {
    Path absolute = base.toAbsolutePath();
    Deque<Path> missing = new ArrayDeque<>();
    for (Path dir = absolute; dir != null && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS); dir = dir.getParent()) {
      missing.push(dir);
    }
    while (!missing.isEmpty()) {
      Path dir = missing.pop();
      try {
        PrivateFiles.createPrivateDirectory(dir);
      } catch (FileAlreadyExistsException e) {
        String problem = dir.equals(absolute) ? null : check.problem(dir);
        if (problem != null) {
          return "its parent " + dir + " (made by someone else while the agent was creating it) " + problem;
        }
      }
    }
    String problem = check.problem(absolute);
    if (problem != null) {
      return "it " + problem;
    }
    if (!Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
      throw new NotDirectoryException(absolute.toString());
    }
    return null;
  }
}
