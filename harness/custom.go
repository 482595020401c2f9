package harness

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"

	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/job"
	"github.com/abload/abload/scenarios"
)

// submitCustom uploads and runs a job.jar, or the SQL runner with job.sql,
// with the placeholders filled in and the Flink-level knobs as the job's
// Flink configuration.
func (r *runner) submitCustom(ctx context.Context, restore string) error {
	j := r.sc.Job
	vals := job.Placeholders(r.jobTarget())
	jar, entry := j.Jar, j.EntryClass
	var args []string
	if j.Jar != "" {
		for i, a := range j.Args {
			v, err := scenarios.ExpandPlaceholders(a, vals)
			if err != nil {
				return &InputError{Err: fmt.Errorf("job.args[%d]: %w", i, err)}
			}
			args = append(args, v)
		}
	} else {
		path := j.SQL
		if path == scenarios.ShippedSQL {
			path = r.opts.Runtime.ABJobSQL
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return &InputError{Err: fmt.Errorf("job.sql: %w", err)}
		}
		sql, err := scenarios.ExpandPlaceholders(string(text), vals)
		if err != nil {
			return &InputError{Err: fmt.Errorf("job.sql %s: %w", path, err)}
		}
		if _, err := os.Stat(r.opts.Runtime.SQLRunner); err != nil {
			return fmt.Errorf("job.sql needs the SQL runner of the runtime bundle (run `make runtime`): %w", err)
		}
		jar, entry = r.opts.Runtime.SQLRunner, ""
		enc := base64.StdEncoding.EncodeToString([]byte(sql))
		if len(r.ep.JobKafkaProperties) > 0 {
			r.opts.Secrets.Add(enc) // the script carries the cluster's credentials
		}
		args = []string{"--sql", enc, "--job-name", vals["job.name"]}
	}
	if _, err := os.Stat(jar); err != nil {
		return &InputError{Err: fmt.Errorf("job.jar: %w", err)}
	}
	jarID, err := r.flink.UploadJar(ctx, jar)
	if err != nil {
		return fmt.Errorf("upload %s: %w", jar, err)
	}
	r.jarID = jarID
	r.jobID, err = r.flink.RunJarWith(ctx, jarID, flink.RunJarRequest{
		EntryClass: entry, Args: args, Parallelism: j.Parallelism, Savepoint: restore, Config: job.FlinkConfig(r.sc),
	})
	if err != nil {
		return fmt.Errorf("submit %s: %w", jar, err)
	}
	return nil
}
