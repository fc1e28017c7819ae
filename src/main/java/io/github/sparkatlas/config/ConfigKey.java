package io.github.sparkatlas.config;

/**
 * One declared configuration key: its name in atlas-application.properties, type, default and doc. The same
 * key may be given as Spark conf {@code spark.atlas.<name without "atlas.">}; see {@link #sparkConfName()}.
 */
public final class ConfigKey<T> {
  private final String name;
  private final ConfigType<T> type;
  private final T defaultValue;
  private final String defaultDoc;
  private final String doc;

  ConfigKey(String name, ConfigType<T> type, T defaultValue, String defaultDoc, String doc) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.defaultDoc = defaultDoc;
    this.doc = doc;
  }

  public String name() {
    return name;
  }

  public String sparkConfName() {
    return sparkConfNameOf(name);
  }

  public ConfigType<T> type() {
    return type;
  }

  /** The default, or null where it is derived from other keys (then {@link #defaultDoc()} says how). */
  public T defaultValue() {
    return defaultValue;
  }

  public String defaultDoc() {
    return defaultDoc;
  }

  public String doc() {
    return doc;
  }

  T parse(String raw) {
    return type.parse(name, raw);
  }

  static String sparkConfNameOf(String atlasName) {
    return "spark." + atlasName;
  }

  @Override
  public String toString() {
    return name;
  }
}
