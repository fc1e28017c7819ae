package io.github.sparkatlas;

import java.lang.reflect.Method;
import scala.runtime.AbstractFunction0;
import scala.runtime.BoxedUnit;

/**
 * Puts the agent's shutdown after Spark's. A job that ends without {@code spark.stop()} leaves the SparkContext to
 * Spark's shutdown hook, which posts application end and then drains the listener bus, so the agent sees the last
 * executions only then. A plain JVM hook would run beside Spark's and close the agent before those arrive; a hook
 * in Spark's own manager (which runs its hooks one after another, highest priority first) runs once the
 * SparkContext has stopped and every event has reached the agent.
 */
final class AgentShutdownHook {
  /** Spark's own manager, read by name: it is {@code private[spark]} and unchanged from Spark 3.3 to 4.x. */
  static final String SPARK_MANAGER = "org.apache.spark.util.ShutdownHookManager$";
  /**
   * Below SparkContext's stop ({@code SPARK_CONTEXT_SHUTDOWN_PRIORITY}, 50), above the deletion of Spark's
   * temporary directories ({@code TEMP_DIR_SHUTDOWN_PRIORITY}, 25).
   */
  static final int PRIORITY = 40;

  private AgentShutdownHook() {
  }

  /**
   * Registers {@code shutdown} with Spark's shutdown hook manager found under {@code managerClass}, or, if that is
   * not possible, as a plain JVM shutdown hook.
   *
   * @return true when it runs after the SparkContext has stopped, false for the plain JVM hook, which runs at the
   *         same time as Spark's
   */
  static boolean register(Runnable shutdown, String managerClass) {
    try {
      Class<?> type = Class.forName(managerClass, true, AgentShutdownHook.class.getClassLoader());
      Object manager = type.getField("MODULE$").get(null);
      Method add = type.getMethod("addShutdownHook", int.class, scala.Function0.class);
      add.invoke(manager, PRIORITY, new AfterSparkContext(shutdown));
      return true;
    } catch (Throwable t) {
      // Another Spark than expected, or the JVM is already exiting: a JVM hook still closes the agent.
      AtlasAgent.LOG.debug("spark-atlas-agent cannot order its shutdown after Spark's ({}); using a JVM shutdown "
          + "hook", t.toString());
    }
    try {
      Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "spark-atlas-agent-shutdown"));
    } catch (IllegalStateException e) {
      // The JVM is exiting already: nothing left to register for.
    }
    return false;
  }

  /** Named, since Spark 4 logs a hook by its class's simple name ("AfterSparkContext finished."). */
  private static final class AfterSparkContext extends AbstractFunction0<BoxedUnit> {
    private final Runnable shutdown;

    AfterSparkContext(Runnable shutdown) {
      this.shutdown = shutdown;
    }

    @Override
    public BoxedUnit apply() {
      shutdown.run();
      return BoxedUnit.UNIT;
    }
  }
}
