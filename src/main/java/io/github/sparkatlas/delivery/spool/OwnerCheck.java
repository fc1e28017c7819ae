package io.github.sparkatlas.delivery.spool;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * Whether a spool directory, or a spool and the files in it, can be trusted: whatever the agent finds there it
 * sends with the user's Kafka credentials, and lineage names private tables and paths. Trusted means owned by the
 * user the driver runs as, writable by nobody else, and not a symbolic link (which could lead anywhere).
 *
 * <p>On file systems without POSIX attributes (Windows), only the symbolic-link rule is checked: ownership and
 * access there are ACLs the agent does not interpret, and the default temporary directory is per user anyway.
 */
public final class OwnerCheck {
  /** The user the driver runs as, or null when it cannot be told (then ownership is not checked). */
  private final UserPrincipal user;

  OwnerCheck(UserPrincipal user) {
    this.user = user;
  }

  /** A check against the user this process runs as. */
  public static OwnerCheck forCurrentUser() {
    return new OwnerCheck(currentUser());
  }

  /**
   * The owner of a file this process creates is, by definition, the user whose files it may trust; that holds
   * even for a container running under a bare uid or a JVM started with another {@code -Duser.name}. The account
   * named by {@code user.name} is the answer when no temporary file can be created.
   */
  private static UserPrincipal currentUser() {
    Path probe = null;
    try {
      probe = Files.createTempFile("spark-atlas-agent-owner-", ".probe");
      return Files.getOwner(probe, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | RuntimeException e) {
      return accountNamedByUserName();
    } finally {
      deleteQuietly(probe);
    }
  }

  private static UserPrincipal accountNamedByUserName() {
    String name = System.getProperty("user.name");
    if (name == null || name.isEmpty()) {
      return null;
    }
    try {
      return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(name);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // An empty file in the temporary directory; not worth more than trying.
    }
  }

  /**
   * Why {@code path} cannot be trusted, as the rest of a sentence that starts with its name ("is a symbolic
   * link ..."), or null when it can.
   */
  public String problem(Path path) throws IOException {
    BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (basic.isSymbolicLink()) {
      return "is a symbolic link (to " + Files.readSymbolicLink(path) + ")";
    }
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return null;
    }
    PosixFileAttributes attributes;
    try {
      attributes = view.readAttributes();
    } catch (UnsupportedOperationException e) {
      return null;
    }
    if (user != null && !user.equals(attributes.owner())) {
      return "is owned by " + attributes.owner().getName() + ", not by " + user.getName()
          + " who runs this application";
    }
    Set<PosixFilePermission> permissions = attributes.permissions();
    if (permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
      return "is writable by all users (" + PosixFilePermissions.toString(permissions) + ")";
    }
    if (permissions.contains(PosixFilePermission.GROUP_WRITE)) {
      return "is writable by its group " + attributes.group().getName() + " ("
          + PosixFilePermissions.toString(permissions) + ")";
    }
    return null;
  }

  /**
   * Why a spool cannot be trusted (its directory, or any file in it), as a whole sentence without the spool's
   * own name at the start ("it is owned by ...", "its file acked is ..."), or null when it can.
   */
  public String spoolProblem(Path spoolDir) throws IOException {
    String problem = problem(spoolDir);
    if (problem != null) {
      return "it " + problem;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(spoolDir)) {
      for (Path file : files) {
        problem = problem(file);
        if (problem != null) {
          return "its file " + file.getFileName() + " " + problem;
        }
      }
    }
    return null;
  }
}
