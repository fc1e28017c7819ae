package io.github.sparkatlas.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Databricks mount points ({@code dbfs:/mnt/raw}) and the cloud URIs they stand for, from the setting
 * {@code atlas.spark.databricks.mounts}: a path under a mount is named as the cloud path it is, so lineage meets what
 * other tools registered for that storage. The agent cannot ask Databricks (that would be a call on Spark's thread
 * and needs Databricks' own classes), so the table is the user's.
 */
public final class DatabricksMounts {
  private static final DatabricksMounts NONE = new DatabricksMounts(Collections.<Mount>emptyList());

  private final List<Mount> mounts;

  private DatabricksMounts(List<Mount> mounts) {
    this.mounts = mounts;
  }

  public static DatabricksMounts none() {
    return NONE;
  }

  /**
   * @param setting {@code <mount point>=<cloud URI>[,...]}, e.g.
   *                {@code /mnt/raw=abfss://raw@acct.dfs.core.windows.net/,/mnt/lake=s3a://lake/data}; null or blank
   *                for none
   * @throws IllegalArgumentException saying what is wrong with which entry
   */
  public static DatabricksMounts parse(String setting) {
    if (setting == null || setting.trim().isEmpty()) {
      return NONE;
    }
    List<Mount> mounts = new ArrayList<>();
    for (String entry : setting.split(",")) {
      if (entry.trim().isEmpty()) {
        continue;
      }
      int equals = entry.indexOf('=');
      if (equals < 0) {
        throw new IllegalArgumentException("'" + entry.trim() + "' is not <mount point>=<cloud URI>, e.g. "
            + "/mnt/raw=abfss://raw@account.dfs.core.windows.net/");
      }
      String point = trimSlashes(entry.substring(0, equals).trim());
      if (point.startsWith("dbfs:")) {
        point = trimSlashes(point.substring("dbfs:".length()));
      }
      if (!point.startsWith("/") || point.length() < 2) {
        throw new IllegalArgumentException("mount point '" + entry.substring(0, equals).trim()
            + "' must be an absolute DBFS path such as /mnt/raw");
      }
      String target = trimSlashes(entry.substring(equals + 1).trim());
      URI uri;
      try {
        uri = new URI(target);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("mount target '" + target + "' of " + point + " is not a URI");
      }
      if (uri.getScheme() == null || uri.getRawAuthority() == null) {
        throw new IllegalArgumentException("mount target '" + target + "' of " + point
            + " must be a cloud URI with scheme and authority, e.g. s3a://bucket/prefix");
      }
      for (Mount earlier : mounts) {
        if (earlier.point.equals(point)) {
          throw new IllegalArgumentException("mount point " + point + " is listed twice");
        }
      }
      mounts.add(new Mount(point, target));
    }
    // The longest mount point first: /mnt/raw/eu wins over /mnt/raw.
    mounts.sort(Comparator.comparingInt((Mount m) -> m.point.length()).reversed());
    return new DatabricksMounts(Collections.unmodifiableList(mounts));
  }

  public boolean isEmpty() {
    return mounts.isEmpty();
  }

  /**
   * The cloud URI of a DBFS path under a mount ({@code dbfs:/mnt/raw/x} with {@code /mnt/raw} mounted from
   * {@code abfss://raw@acct.dfs.core.windows.net/} is {@code abfss://raw@acct.dfs.core.windows.net/x}); any other
   * URI as it is.
   */
  public URI resolve(URI uri) {
    if (mounts.isEmpty() || !"dbfs".equalsIgnoreCase(uri.getScheme()) || uri.getRawAuthority() != null
        || uri.getRawPath() == null) {
      return uri;
    }
    String path = uri.getRawPath();
    for (Mount mount : mounts) {
      if (path.equals(mount.point) || path.startsWith(mount.point + "/")) {
        return URI.create(mount.target + path.substring(mount.point.length()));
      }
    }
    return uri;
  }

  private static String trimSlashes(String text) {
    String trimmed = text;
    while (trimmed.endsWith("/") && !trimmed.endsWith("://") && trimmed.length() > 1) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed;
  }

  private static final class Mount {
    final String point;
    final String target;

    Mount(String point, String target) {
      this.point = point;
      this.target = target;
    }
  }
}
