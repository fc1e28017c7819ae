package io.github.sparkatlas.brokenspark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.QueryPlanningTracker;
import org.apache.spark.sql.catalyst.QueryPlanningTrackerCallback;
import org.apache.spark.sql.execution.CommandExecutionMode;
import org.apache.spark.sql.execution.QueryExecution;
import scala.Option;

/**
 * A real QueryExecution, as Spark hands it to listeners, whose class names a type this JVM cannot link: Spark's
 * own code calls it directly and works; the agent reads it by reflection and meets the fault.
 */
public class BrokenQueryExecution extends QueryExecution {
  public BrokenQueryExecution(SparkSession session) {
    super(session, session.range(1).queryExecution().logical(),
        new QueryPlanningTracker(Option.<QueryPlanningTrackerCallback>empty()), CommandExecutionMode.ALL());
  }

  public Unlinkable unlinkable() {
    return null;
  }
}
