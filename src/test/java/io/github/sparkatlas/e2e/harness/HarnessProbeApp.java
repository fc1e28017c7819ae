package io.github.sparkatlas.e2e.harness;

import java.nio.file.Path;

import org.apache.spark.sql.SparkSession;
import org.slf4j.LoggerFactory;

/**
 * A minimal Spark application, submitted by HarnessSmokeTest to show that {@link SparkSubmitRun} starts a working
 * driver with the requested catalog, working directory, system properties, environment and log levels.
 * Optional argument: a table name to create with saveAsTable.
 */
public final class HarnessProbeApp {

    private HarnessProbeApp() {
    }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("harness-probe").getOrCreate();
        try {
            long count = spark.range(10).count();
            // io.github.sparkatlas is at INFO in SparkSubmitRun's log4j2 config, so this line must show.
            LoggerFactory.getLogger(HarnessProbeApp.class).info("probe counted {}", count);
            boolean tableCreated = false;
            if (args.length > 0) {
                spark.range(3).write().saveAsTable(args[0]);
                tableCreated = spark.catalog().tableExists(args[0]);
            }
            System.out.println("HARNESS_PROBE count=" + count
                    + " catalog=" + spark.conf().get("spark.sql.catalogImplementation")
                    + " table=" + tableCreated
                    + " cwd=" + Path.of("").toAbsolutePath()
                    + " sysprop=" + System.getProperty("harness.probe.sysprop")
                    + " env=" + System.getenv("HARNESS_PROBE_ENV"));
        } finally {
            spark.stop();
        }
    }
}
