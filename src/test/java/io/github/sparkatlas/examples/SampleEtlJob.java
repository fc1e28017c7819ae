package io.github.sparkatlas.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A small, realistic ETL job for the quickstart and the end-to-end tests: CSV landing files become a parquet
 * lake directory, a CTAS table and a joined summary table. It knows nothing of the agent.
 *
 * <p>Usage: {@code SampleEtlJob <work dir>}. Writes its own input CSVs under {@code <work dir>/landing}.
 */
public final class SampleEtlJob {
  private SampleEtlJob() {
  }

  public static void main(String[] args) throws IOException {
    Path work = Paths.get(args.length > 0 ? args[0] : "sample-etl").toAbsolutePath();
    Path customersCsv = work.resolve("landing/customers");
    Path ordersCsv = work.resolve("landing/orders");
    writeCsv(customersCsv, "customer_id,name,country", "1,Ann,NL", "2,Bob,DE", "3,Chen,SG");
    writeCsv(ordersCsv, "order_id,customer_id,amount", "10,1,25.0", "11,1,14.5", "12,2,99.9", "13,3,5.0");
    Path lakeCustomers = work.resolve("lake/customers");

    SparkSession spark = SparkSession.builder().appName("sample-etl").getOrCreate();
    try {
      // 1. CSV -> parquet (path to path)
      spark.read().option("header", "true").option("inferSchema", "true").csv(customersCsv.toString())
          .write().mode(SaveMode.Overwrite).parquet(lakeCustomers.toString());
      // 2. CTAS from CSV (path to table)
      spark.read().option("header", "true").option("inferSchema", "true").csv(ordersCsv.toString())
          .createOrReplaceTempView("orders_landing");
      spark.sql("CREATE DATABASE IF NOT EXISTS sales");
      spark.sql("DROP TABLE IF EXISTS sales.orders");
      spark.sql("CREATE TABLE sales.orders USING parquet AS SELECT order_id, customer_id, amount FROM orders_landing");
      // 3. INSERT of a join (path + table to table)
      spark.sql("DROP TABLE IF EXISTS sales.customer_totals");
      spark.sql("CREATE TABLE sales.customer_totals (customer_id INT, name STRING, total DOUBLE) USING parquet");
      spark.read().parquet(lakeCustomers.toString()).createOrReplaceTempView("customers");
      spark.sql("INSERT INTO sales.customer_totals SELECT c.customer_id, c.name, SUM(o.amount) "
          + "FROM customers c JOIN sales.orders o ON c.customer_id = o.customer_id GROUP BY c.customer_id, c.name");
      long rows = spark.table("sales.customer_totals").count();
      System.out.println("SampleEtlJob done: sales.customer_totals has " + rows + " rows");
    } finally {
      spark.stop();
    }
  }

  private static void writeCsv(Path dir, String... lines) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("part-00000.csv"), Arrays.asList(lines), StandardCharsets.UTF_8);
  }
}
