// Package cluster holds what every environment that starts Kafka and Flink
// itself shares (the local processes and the Docker containers): the
// runtime bundle (jars resolved from Maven Central, their versions), the
// cluster recipe of each Flink line (Recipe, RecipeFor: the configuration
// every cluster shares and the keys a scenario's env section sets, keyed by
// major.minor because Flink renames keys between lines), the JVM flags
// Flink's own memory model gives, the single-node KRaft broker's
// properties, and free ports. It knows scenarios, not runs.
package cluster
