package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The warm-up covers the Spark plan classes the capture reads, so that the first write of each kind does not pay
 * their class loading and reflection on Spark's listener thread; and it names none of an optional library's classes
 * (Delta, Iceberg may be absent: the capture matches them by name only).
 */
class CaptureWarmUpTest {
  /** Where Spark keeps the write commands and v2 write plans the extractors match. */
  private static final List<String> SPARK_PACKAGES = Arrays.asList(
      "org.apache.spark.sql.catalyst.plans.logical.", "org.apache.spark.sql.execution.command.",
      "org.apache.spark.sql.execution.datasources.", "org.apache.spark.sql.execution.datasources.v2.",
      "org.apache.spark.sql.hive.execution.");

  @Test
  void everySparkWriteCommandTheCaptureMatchesIsWarmedUp() {
    TreeSet<String> missing = new TreeSet<>();
    for (WriteExtractor extractor : LineageCapture.writeExtractors()) {
      for (String node : extractor.nodeNames()) {
        for (String pkg : SPARK_PACKAGES) {
          String name = pkg + node;
          if (loadable(name) && !CaptureWarmUp.SPARK_CLASSES.contains(name)) {
            missing.add(name);
          }
        }
      }
    }
    assertEquals(new TreeSet<String>(), missing);
  }

  @Test
  void theWarmUpNamesNoClassOfAnOptionalLibrary() {
    List<String> optional = new ArrayList<>();
    for (String name : CaptureWarmUp.SPARK_CLASSES) {
      if (!name.startsWith("org.apache.spark.") && !name.startsWith("org.apache.hadoop.")
          && !name.startsWith("scala.")) {
        optional.add(name);
      }
    }
    assertEquals(new ArrayList<String>(), optional);
  }

  @Test
  void theWarmUpNeverThrows() {
    CaptureWarmUp.run();
  }

  private static boolean loadable(String name) {
    try {
      Class.forName(name, false, CaptureWarmUpTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
