/**
 * Stand-ins for the Delta classes Databricks runtimes ship under {@code com.databricks.sql.transaction.tahoe}, with
 * the fields the agent reads and nothing else: the agent matches Delta's plan nodes by simple class name, so these
 * prove that Databricks' copies are read like Delta's own, and that nothing but those fields is touched.
 */
package com.databricks.sql.transaction.tahoe;
