// Package job is the job under test as a run hands it to Flink: the
// arguments of abload's own A/B job (Args), the values of a foreign job's
// {{placeholders}} in job.args and job.sql (Placeholders), the Flink
// configuration that carries the scenario's Flink-level knobs to a job
// abload did not write (FlinkConfig), and a jar's main class. All are
// functions of the scenario and of where the job reads and writes (Target);
// submitting, attaching and cancelling stay with the run.
package job
