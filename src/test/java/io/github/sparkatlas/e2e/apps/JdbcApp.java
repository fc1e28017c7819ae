package io.github.sparkatlas.e2e.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads and writes PostgreSQL over JDBC in every form the agent captures, as users write them, one write per step:
 * <ol>
 *   <li>{@code df.write.jdbc(url, "sales.orders", props)};</li>
 *   <li>{@code format("jdbc").option("dbtable", "\"Customers\"").save()} (a quoted, mixed-case name);</li>
 *   <li>{@code spark.read.jdbc} of orders joined with {@code format("jdbc").load()} of Customers, to Parquet;</li>
 *   <li>the {@code query} option (a join) written with {@code write.jdbc} into {@code sales.order_names};</li>
 *   <li>a {@code dbtable} subquery, to Parquet;</li>
 *   <li>{@code INSERT INTO} a {@code USING jdbc} table from another {@code USING jdbc} table;</li>
 *   <li>{@code INSERT INTO} a table of a {@code JDBCTableCatalog} ({@code pg}) from another;</li>
 *   <li>{@code CREATE TABLE ... AS SELECT} in that catalog (a name with a blank and capitals);</li>
 *   <li>a {@code query} JSqlParser cannot parse, to Parquet.</li>
 * </ol>
 * Secrets are planted where users put them: a password in the URL, in the {@code password} option and in the
 * catalog's password, and the user is a role whose name holds one. The server trusts every login, so none is
 * needed.
 *
 * <p>Usage: {@code JdbcApp <jdbc url without credentials> <output dir>}; the catalog {@code pg} is configured by the
 * test.
 */
public final class JdbcApp {
    public static final String URL_PASSWORD = "SECRET_PG_URL_p8Wq3Zx1";
    public static final String OPTION_PASSWORD = "SECRET_PG_OPT_m2Kd7Rv5";
    public static final String USER = "svc_secret_pg_user_h6tn4";
    public static final String DONE_LINE = "JdbcApp done: ";
    public static final String UNPARSED_QUERY =
            "select id, total from sales.orders where total operator(pg_catalog.>) 10";
    private static final String DRIVER = "org.postgresql.Driver";

    private JdbcApp() {
    }

    public static void main(String[] args) throws SQLException {
        String baseUrl = args[0];
        String out = args[1];
        String url = baseUrl + "?password=" + URL_PASSWORD + "&ApplicationName=jdbc-lineage";
        prepareDatabase(baseUrl);
        SparkSession spark = SparkSession.builder().appName("jdbc-lineage").getOrCreate();
        Properties credentials = new Properties();
        credentials.setProperty("user", USER);
        credentials.setProperty("password", OPTION_PASSWORD);
        // The driver comes with --jars, on Spark's class loader, which DriverManager does not search: named, as users do.
        credentials.setProperty("driver", DRIVER);

        StructType orderSchema = new StructType().add("id", DataTypes.IntegerType).add("customer_id", DataTypes.IntegerType)
                .add("total", DataTypes.DoubleType);
        Dataset<Row> orders = spark.createDataFrame(List.of(RowFactory.create(1, 1, 5.0), RowFactory.create(2, 2, 25.0),
                RowFactory.create(3, 1, 40.0)), orderSchema);
        orders.write().mode(SaveMode.Append).jdbc(url, "sales.orders", credentials);

        StructType customerSchema = new StructType().add("id", DataTypes.IntegerType).add("name", DataTypes.StringType);
        spark.createDataFrame(List.of(RowFactory.create(1, "Ada"), RowFactory.create(2, "Grace")), customerSchema)
                .write().format("jdbc").mode(SaveMode.Append).option("url", url).option("dbtable", "\"Customers\"")
                .option("driver", DRIVER).option("user", USER).option("password", OPTION_PASSWORD).save();

        Dataset<Row> readOrders = spark.read().jdbc(url, "sales.orders", credentials);
        Dataset<Row> readCustomers = spark.read().format("jdbc").option("url", url).option("dbtable", "\"Customers\"")
                .option("driver", DRIVER).option("user", USER).option("password", OPTION_PASSWORD).load();
        readOrders.join(readCustomers, readOrders.col("customer_id").equalTo(readCustomers.col("id")))
                .select(readOrders.col("id"), readCustomers.col("name"), readOrders.col("total"))
                .write().parquet(out + "/joined");

        spark.read().format("jdbc").option("url", url)
                .option("query", "select o.id, c.name from sales.orders o join \"Customers\" c on c.id = o.customer_id")
                .option("driver", DRIVER).option("user", USER).option("password", OPTION_PASSWORD).load()
                .write().mode(SaveMode.Overwrite).jdbc(url, "sales.order_names", credentials);

        Dataset<Row> bigOrders = spark.read().format("jdbc").option("url", url)
                .option("dbtable", "(select id, total from sales.orders where total > 10) big")
                .option("driver", DRIVER).option("user", USER).option("password", OPTION_PASSWORD).load();
        // Cached first: the write then reads the JDBC scan inside the cached plan.
        long big = bigOrders.cache().count();
        bigOrders.write().parquet(out + "/big");

        String tableOptions = "OPTIONS (url '" + url + "', driver '" + DRIVER + "', user '" + USER + "', password '" + OPTION_PASSWORD + "', ";
        spark.sql("CREATE TABLE jdbc_orders USING jdbc " + tableOptions + "dbtable 'sales.orders')");
        spark.sql("CREATE TABLE jdbc_archive USING jdbc " + tableOptions + "dbtable 'sales.archive')");
        spark.sql("INSERT INTO jdbc_archive SELECT id, customer_id, total FROM jdbc_orders WHERE total > 10");

        spark.sql("INSERT INTO pg.sales.archive_v2 SELECT id, customer_id, total FROM pg.sales.orders");
        spark.sql("CREATE TABLE pg.sales.`Big Orders` AS SELECT id, total FROM pg.sales.orders WHERE total > 10");

        // PostgreSQL's OPERATOR() syntax, which JSqlParser does not parse: the agent says so and guesses nothing.
        spark.read().format("jdbc").option("url", url).option("query", UNPARSED_QUERY)
                .option("driver", DRIVER).option("user", USER).option("password", OPTION_PASSWORD).load()
                .write().parquet(out + "/unparsed");

        long archived = spark.read().jdbc(url, "sales.archive_v2", credentials).count();
        System.out.println(DONE_LINE + big + " big orders, " + archived + " archived");
        spark.stop();
    }

    /** The schema, the role and the tables the catalog and USING jdbc tables need before the job runs. */
    private static void prepareDatabase(String baseUrl) throws SQLException {
        try {
            // The driver came with --jars, on Spark's class loader, which DriverManager does not search by itself.
            Class.forName(DRIVER);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the PostgreSQL driver is not on the job's classpath", e);
        }
        try (Connection connection = DriverManager.getConnection(baseUrl, "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE " + USER + " LOGIN SUPERUSER");
            statement.execute("CREATE SCHEMA sales");
            statement.execute("CREATE TABLE sales.archive (id integer, customer_id integer, total double precision)");
            statement.execute("CREATE TABLE sales.archive_v2 (id integer, customer_id integer, total double precision)");
        }
    }
}
