package io.github.sparkatlas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The private directory the spool falls back to lies in the user's home, and only in one that exists. */
class SpoolFallbackDirTest {

  @TempDir
  Path home;

  @Test
  void fallbackIsInTheUsersHome() {
    assertEquals(home.resolve(".spark-atlas-agent").resolve("spool"), AgentConfig.spoolFallbackDir(home.toString()));
  }

  @Test
  void withoutAnExistingHomeThereIsNoFallbackAndNoHomeIsCreated() {
    Path missing = home.resolve("nonexistent");

    assertNull(AgentConfig.spoolFallbackDir(missing.toString()));
    assertNull(AgentConfig.spoolFallbackDir("?"));
    assertNull(AgentConfig.spoolFallbackDir(""));
    assertNull(AgentConfig.spoolFallbackDir(null));
    assertFalse(Files.exists(missing));
  }
}
