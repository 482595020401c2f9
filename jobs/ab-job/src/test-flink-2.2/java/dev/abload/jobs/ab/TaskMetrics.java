package dev.abload.jobs.ab;

import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;

import java.util.Map;

/** Flink 2.2's task metric group that hands every operator the given group (tests only). */
final class TaskMetrics {
    private TaskMetrics() {}

    static UnregisteredMetricGroups.UnregisteredTaskMetricGroup intercepting(InternalOperatorMetricGroup operatorMetrics) {
        return new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(
                    OperatorID id, String name, Map<String, String> additionalVariables) {
                return operatorMetrics;
            }
        };
    }
}
