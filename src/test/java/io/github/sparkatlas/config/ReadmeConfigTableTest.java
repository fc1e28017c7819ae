package io.github.sparkatlas.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The README documents every configuration key exactly as {@link AgentConfigDef} declares it. */
class ReadmeConfigTableTest {

  @Test
  void readmeContainsEveryLineOfTheGeneratedConfigurationTable() throws IOException {
    Path readme = Paths.get(System.getProperty("project.dir", ".")).resolve("README.md");
    assertTrue(Files.isRegularFile(readme), "README.md missing at " + readme.toAbsolutePath());

    Set<String> readmeLines = new HashSet<>();
    for (String line : Files.readAllLines(readme, StandardCharsets.UTF_8)) {
      readmeLines.add(line.stripTrailing());
    }
    List<String> missing = new ArrayList<>();
    for (String line : AgentConfigDef.markdownTable().split("\n")) {
      if (!readmeLines.contains(line.stripTrailing())) {
        missing.add(line);
      }
    }

    assertTrue(missing.isEmpty(), "README.md lacks these lines of AgentConfigDef.markdownTable() (paste the "
        + "generated table):\n" + String.join("\n", missing));
  }

  @Test
  void generatedTableHasOneRowPerKeyPlusThePrefixRows() {
    String[] lines = AgentConfigDef.markdownTable().split("\n");

    // header + separator + one row per key + the atlas.kafka.* and atlas.spark.kafka.namespace.<namespace> rows
    assertTrue(lines.length == AgentConfigDef.keys().size() + 4, String.join("\n", lines));
    assertTrue(lines[lines.length - 1].startsWith("| `" + AgentConfigDef.KAFKA_NAMESPACE_PREFIX + "<namespace>` | `spark."
        + AgentConfigDef.KAFKA_NAMESPACE_PREFIX + "<namespace>` |"), lines[lines.length - 1]);
    for (ConfigKey<?> key : AgentConfigDef.keys()) {
      boolean found = false;
      for (String line : lines) {
        found |= line.startsWith("| `" + key.name() + "` | `spark." + key.name() + "` |");
      }
      assertTrue(found, "row for " + key.name());
    }
  }
}
