package io.github.sparkatlas;

import java.io.InputStream;
import java.util.Properties;

/** The agent's version, from the properties file the build filters. */
public final class AgentVersion {
  public static final String NAME = "spark-atlas-agent";
  private static final String VERSION = load();

  private AgentVersion() {
  }

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = AgentVersion.class.getResourceAsStream("/spark-atlas-agent.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (Exception e) {
      return "unknown";
    }
  }
}
