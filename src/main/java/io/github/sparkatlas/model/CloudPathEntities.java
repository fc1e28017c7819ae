package io.github.sparkatlas.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a path is named in each {@link NamingMode}, so that lineage lands on the entities the rest of the catalog has:
 * <ul>
 *   <li>{@code atlas}: object stores as Atlas's own hooks name them (Atlas's {@code AtlasPathExtractorUtil}, S3 model
 *       v2, paths not lower-cased): {@code s3}/{@code s3a}/{@code s3n} as {@code aws_s3_v2_bucket} and one
 *       {@code aws_s3_v2_directory} per level, {@code abfs}/{@code abfss} as {@code adls_gen2_account},
 *       {@code adls_gen2_container} and one {@code adls_gen2_directory} per level, {@code gs} as
 *       {@code gcp_storage_bucket} and one {@code gcp_storage_virtual_directory} per level; the dataset is the
 *       deepest level, every level above it comes along (each type requires its container);</li>
 *   <li>{@code purview}: ADLS Gen2 and Blob storage as Purview's scanners name them
 *       ({@code https://<account>.dfs.core.windows.net/<container>/<path>}), everything else as in atlas mode;</li>
 *   <li>{@code path}: every path a plain {@code fs_path} {@code <uri>@<ns>}.</li>
 * </ul>
 * HDFS is an {@code hdfs_path} and anything Atlas has no model for ({@code file:}, {@code dbfs:}, {@code wasb:} outside
 * purview mode, ...) an {@code fs_path} {@code <uri>@<ns>} in every mode.
 */
final class CloudPathEntities {
  static final String FS_PATH = "fs_path";
  static final String HDFS_PATH = "hdfs_path";
  private static final String ADLS_HOST = ".dfs.core.windows.net";
  private static final String BLOB_HOST = ".blob.core.windows.net";
  /**
   * Deeper paths are named in the plain form: one entity per level, each named with the levels above it, grows with
   * the square of the path's length (a message must stay bounded); real lakes are a few dozen levels deep.
   */
  static final int MAX_LEVELS = 128;

  private final NamingMode mode;
  private final String namespace;

  CloudPathEntities(NamingMode mode, String namespace) {
    this.mode = mode;
    this.namespace = namespace;
  }

  /**
   * @param text      the path as it is sent (after redaction): {@code scheme://authority/path} or {@code scheme:/path}
   * @param plainName the name of its plain form (the path without scheme and authority)
   */
  PathEntity of(String text, String plainName) {
    Parts parts = Parts.of(text);
    if (parts != null && mode != NamingMode.PATH) {
      PathEntity named = null;
      if (mode == NamingMode.PURVIEW) {
        named = purview(parts);
      }
      if (named == null) {
        named = atlas(parts);
      }
      if (named != null) {
        return named;
      }
    }
    String scheme = text.substring(0, Math.max(0, text.indexOf(':'))).toLowerCase(Locale.ROOT);
    if ("hdfs".equals(scheme)) {
      return PathEntity.of(HDFS_PATH, qualified(text), plainName).with("path", text).with("clusterName", namespace);
    }
    return PathEntity.of(FS_PATH, qualified(text), plainName).with("path", text);
  }

  /**
   * How many entities the most {@code text} is sent as in any mode: the chain atlas mode sends for an object-store
   * path (its bucket, or account and container, and each level), else one. Purview sends an Azure path alone and path
   * mode sends it plain, so this bounds what they send too. Counted without building names: cheap, no allocation
   * beyond the split.
   */
  static int mostEntities(String text) {
    Parts parts = Parts.of(text);
    if (parts == null) {
      return 1;
    }
    int levels = parts.rawLevels().size();
    if (levels > MAX_LEVELS) {
      return 1;
    }
    switch (parts.scheme) {
      case "s3":
      case "s3a":
      case "s3n":
      case "gs":
        return parts.authority.isEmpty() ? 1 : 1 + levels;
      case "abfs":
      case "abfss":
        return parts.account(ADLS_HOST) == null || parts.container() == null ? 1 : 2 + levels;
      default:
        return 1;
    }
  }

  private PathEntity atlas(Parts parts) {
    if (parts.rawLevels().size() > MAX_LEVELS) {
      return null;
    }
    switch (parts.scheme) {
      case "s3":
      case "s3a":
      case "s3n":
        return s3(parts);
      case "abfs":
      case "abfss":
        return adlsGen2(parts);
      case "gs":
        return gcs(parts);
      default:
        return null;
    }
  }

  /** Bucket {@code <scheme>://<bucket>@<ns>}, each level {@code <scheme>://<bucket>/<d1>/<d2>/@<ns>}. */
  private PathEntity s3(Parts parts) {
    if (parts.authority.isEmpty()) {
      return null;
    }
    String bucketUri = (parts.scheme + "://" + parts.authority).toLowerCase(Locale.ROOT);
    PathEntity current = PathEntity.of("aws_s3_v2_bucket", qualified(bucketUri), parts.authority);
    String prefix = "/";
    for (String level : parts.levels()) {
      prefix = prefix + level + "/";
      current = PathEntity.of("aws_s3_v2_directory", qualified(bucketUri + prefix), level)
          .with("objectPrefix", prefix)
          .in(current, "container");
    }
    return current;
  }

  /**
   * Account {@code <scheme>://<account>@<ns>}, container {@code <scheme>://<container>@<account>@<ns>}, each level
   * {@code <scheme>://<container>@<account>/<d1>/<d2>@<ns>}. A container root is the container: Atlas's extractor
   * answers the account there, which is no DataSet and so cannot be a process's input or output.
   */
  private PathEntity adlsGen2(Parts parts) {
    String account = parts.account(ADLS_HOST);
    String container = parts.container();
    if (account == null || container == null) {
      return null;
    }
    String accountUri = (parts.scheme + "://" + account).toLowerCase(Locale.ROOT);
    String containerUri = (parts.scheme + "://" + container + "@" + account).toLowerCase(Locale.ROOT);
    PathEntity current = PathEntity.of("adls_gen2_container", qualified(containerUri), container)
        .in(PathEntity.of("adls_gen2_account", qualified(accountUri), account), "account");
    String path = "";
    for (String level : parts.levels()) {
      path = path + "/" + level;
      current = PathEntity.of("adls_gen2_directory", qualified(containerUri + path), level).in(current, "parent");
    }
    return current;
  }

  /** Bucket {@code gs://<bucket>@<ns>}, each level {@code gs://<bucket>/<d1>/@<ns>} with its parent's prefix. */
  private PathEntity gcs(Parts parts) {
    if (parts.authority.isEmpty()) {
      return null;
    }
    String bucketUri = (parts.scheme + "://" + parts.authority).toLowerCase(Locale.ROOT);
    PathEntity current = PathEntity.of("gcp_storage_bucket", qualified(bucketUri), parts.authority);
    String prefix = "/";
    for (String level : parts.levels()) {
      String levelPrefix = prefix + level + "/";
      current = PathEntity.of("gcp_storage_virtual_directory", qualified(bucketUri + levelPrefix), level)
          .with("objectPrefix", prefix)
          .in(current, "parent");
      prefix = levelPrefix;
    }
    return current;
  }

  /**
   * Purview's scanned Azure storage assets are named by their https URL, scheme and host lower-cased, no trailing
   * slash, and carry no namespace: {@code azure_datalake_gen2_path} / {@code azure_datalake_gen2_filesystem} for ADLS
   * Gen2 ({@code abfs[s]://}), {@code azure_blob_path} / {@code azure_blob_container} for Blob
   * ({@code wasb[s]://}). Sent alone, without parents: Purview's scan made them.
   */
  private PathEntity purview(Parts parts) {
    boolean adls = "abfs".equals(parts.scheme) || "abfss".equals(parts.scheme);
    boolean blob = "wasb".equals(parts.scheme) || "wasbs".equals(parts.scheme);
    if (!adls && !blob) {
      return null;
    }
    String suffix = adls ? ADLS_HOST : BLOB_HOST;
    String account = parts.account(suffix);
    String container = parts.container();
    if (account == null || container == null) {
      return null;
    }
    String root = "https://" + (account + suffix).toLowerCase(Locale.ROOT) + "/" + container;
    List<String> levels = parts.rawLevels();
    if (levels.isEmpty()) {
      return PathEntity.of(adls ? "azure_datalake_gen2_filesystem" : "azure_blob_container", root, container);
    }
    return PathEntity.of(adls ? "azure_datalake_gen2_path" : "azure_blob_path",
        root + "/" + String.join("/", levels), parts.levels().get(parts.levels().size() - 1));
  }

  private String qualified(String name) {
    return name + "@" + namespace;
  }

  /** A hierarchical path's scheme (lower case), authority and path, split as text (it may hold a redaction mask). */
  private static final class Parts {
    final String scheme;
    final String authority;
    final String path;

    private Parts(String scheme, String authority, String path) {
      this.scheme = scheme;
      this.authority = authority;
      this.path = path;
    }

    static Parts of(String text) {
      int colon = text.indexOf(':');
      if (colon <= 0 || !text.startsWith("//", colon + 1)) {
        return null;
      }
      int start = colon + 3;
      int slash = text.indexOf('/', start);
      String authority = slash < 0 ? text.substring(start) : text.substring(start, slash);
      String path = slash < 0 ? "" : text.substring(slash);
      return new Parts(text.substring(0, colon).toLowerCase(Locale.ROOT), authority, path);
    }

    /** The path's levels as Hadoop's Path gives them (percent-decoded), empty ones skipped. */
    List<String> levels() {
      List<String> levels = new ArrayList<>();
      for (String level : rawLevels()) {
        levels.add(DatasetNames.decode(level));
      }
      return levels;
    }

    /** The path's levels as written in the URI (percent-encoded), empty ones skipped. */
    List<String> rawLevels() {
      List<String> levels = new ArrayList<>();
      for (String level : path.split("/")) {
        if (!level.isEmpty()) {
          levels.add(level);
        }
      }
      return levels;
    }

    /** The user info of {@code container@host}: the container; null when there is none. */
    String container() {
      int at = authority.lastIndexOf('@');
      return at <= 0 ? null : authority.substring(0, at);
    }

    /** The account of a host {@code <account><suffix>}, case kept; null for another host. */
    String account(String hostSuffix) {
      String host = authority.substring(authority.lastIndexOf('@') + 1);
      int port = host.indexOf(':');
      if (port >= 0) {
        host = host.substring(0, port);
      }
      int at = host.toLowerCase(Locale.ROOT).indexOf(hostSuffix);
      return at <= 0 ? null : host.substring(0, at);
    }
  }
}
