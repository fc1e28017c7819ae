package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.util.ShutdownHookManager$;
import org.junit.jupiter.api.Test;

/**
 * The agent's shutdown goes into Spark's own shutdown hook manager, after SparkContext's stop, so that it runs
 * once Spark has delivered every event; where that manager cannot be used, a JVM hook still closes the agent.
 */
class AgentShutdownHookTest {

  /** Stands in for Spark's manager: the same shape (a Scala object with addShutdownHook(int, Function0)). */
  public static final class RecordingManager {
    public static final RecordingManager MODULE$ = new RecordingManager();
    static final List<Integer> PRIORITIES = new ArrayList<>();
    static final List<scala.Function0<?>> HOOKS = new ArrayList<>();

    public Object addShutdownHook(int priority, scala.Function0<?> hook) {
      PRIORITIES.add(priority);
      HOOKS.add(hook);
      return hook;
    }
  }

  @Test
  void theHookRunsInSparksManagerAfterSparkContextsStopAndBeforeItsTempDirsAreDeleted() {
    ShutdownHookManager$ spark = ShutdownHookManager$.MODULE$;
    assertTrue(AgentShutdownHook.PRIORITY < spark.SPARK_CONTEXT_SHUTDOWN_PRIORITY(),
        "Spark runs higher priorities first: the SparkContext must be stopped before the agent closes");
    assertTrue(AgentShutdownHook.PRIORITY > spark.TEMP_DIR_SHUTDOWN_PRIORITY());

    AtomicInteger runs = new AtomicInteger();
    assertTrue(AgentShutdownHook.register(runs::incrementAndGet, RecordingManager.class.getName()));

    assertEquals(List.of(AgentShutdownHook.PRIORITY), RecordingManager.PRIORITIES);
    RecordingManager.HOOKS.get(0).apply();
    assertEquals(1, runs.get());
  }

  @Test
  void sparksOwnManagerTakesTheHook() {
    // Registers a no-op with the test JVM's Spark: it runs, harmlessly, when the JVM exits.
    assertTrue(AgentShutdownHook.register(() -> { }, AgentShutdownHook.SPARK_MANAGER));
  }

  @Test
  void withoutSparksManagerAJvmHookStillClosesTheAgent() {
    assertFalse(AgentShutdownHook.register(() -> { }, "org.apache.spark.util.NoSuchShutdownHookManager$"));
  }
}
