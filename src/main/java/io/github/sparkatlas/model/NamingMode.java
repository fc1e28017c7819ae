package io.github.sparkatlas.model;

import java.util.Locale;

/**
 * How datasets outside Spark's own catalog (paths, database tables) are named: so that lineage lands on the entities
 * the rest of the user's catalog already has, whether Atlas's own hooks or Purview's scanners made them.
 */
public enum NamingMode {
  /** As Atlas's own hooks name them: object stores as Atlas's cloud types, HDFS as hdfs_path. */
  ATLAS,
  /** As Microsoft Purview's scanners name Azure storage and Azure SQL; as {@link #ATLAS} for everything else. */
  PURVIEW,
  /** Every path a plain fs_path (hdfs_path on HDFS) named {@code <uri>@<ns>}: the agent's form before modes. */
  PATH;

  /** The setting's value: the name in lower case. */
  public String setting() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static NamingMode ofSetting(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
