package scenarios

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	// An environment variable name as a shell accepts it.
	envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// An HTTP header name, as abload accepts it (a subset of RFC 9110's token).
	headerNameRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	// A Flink job id: 32 hex digits.
	jobIDRE = regexp.MustCompile(`^[0-9A-Fa-f]{32}$`)
	// The characters Kafka allows in a topic name.
	topicRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// maxTopicName is the longest topic name Kafka accepts.
const maxTopicName = 249

// maxTopicPrefix bounds env.external.topics.prefix, leaving room for the
// run id and the suffix.
const maxTopicPrefix = 100

// checkExternal checks env.max_clock_offset and env.external: the fields of
// env.external keep their defaults unless env.kind is external, and then
// describe how to reach a Kafka and a Flink cluster abload does not run.
// Files and environment variables are not looked at here (the run reads them
// when it starts).
func checkExternal(c *checker, s *Scenario) {
	e := s.Env
	c.positive("env.max_clock_offset", e.MaxClockOffset)
	c.wholeMillis("env.max_clock_offset", e.MaxClockOffset)
	x := e.External
	if e.Kind != EnvExternal {
		for _, path := range externalSet(x) {
			c.addf(path, "is used only with env.kind external, not %s; leave it out", e.Kind)
		}
		return
	}

	const kp = "env.external.kafka"
	if len(x.Kafka.Bootstrap) == 0 {
		c.addNear(kp+".bootstrap", "env.kind", "required with env.kind external: the brokers, a list of host:port")
	}
	checkHostPorts(c, kp+".bootstrap", x.Kafka.Bootstrap)
	checkHostPorts(c, kp+".job_bootstrap", x.Kafka.JobBootstrap)
	checkTLS(c, kp+".tls", x.Kafka.TLS)
	checkSASL(c, kp+".sasl", x.Kafka.SASL)

	const fp = "env.external.flink"
	scheme := checkREST(c, fp+".rest", x.Flink.REST)
	checkTLS(c, fp+".tls", x.Flink.TLS)
	if x.Flink.TLS.Enabled && scheme == "http" {
		c.addf(fp+".tls.enabled", "needs an https:// env.external.flink.rest")
	}
	if !headerNameRE.MatchString(x.Flink.AuthHeader) {
		// Not repeated: a mistaken value may be the header's value, a token.
		c.addf(fp+".auth_header", "must be an HTTP header name such as Authorization (letters, digits and '-'); its value comes from auth_env or auth_file")
	}
	if x.Flink.AuthEnv != "" && x.Flink.AuthFile != "" {
		c.addf(fp+".auth_file", "set at most one of env.external.flink.auth_env and auth_file")
	}
	c.envName(fp+".auth_env", x.Flink.AuthEnv)

	checkTopics(c, s)

	if s.Job.SavepointAtEnd {
		c.addNear("job.savepoint_at_end", "env.kind", "needs an environment abload runs (local or docker), not external: the savepoint is written into the run's directory")
	}
	if x.JobID != "" && s.Job.RestoreFrom != "" {
		c.addNear("job.restore_from", "env.external.job_id", "an attached job (env.external.job_id) is already running: abload submits nothing to restore a savepoint into; leave it out")
	}
	if x.JobID != "" && s.Job.Checkpoint.ControlRun {
		c.addNear("job.checkpoint.control_run", "env.external.job_id", "an attached job (env.external.job_id) cannot be rerun without checkpoints; leave it out")
	}
}

// externalSet lists the paths of the fields of x that differ from their
// defaults.
func externalSet(x External) []string {
	d := Defaults().Env.External
	var out []string
	add := func(path string, set bool) {
		if set {
			out = append(out, "env.external."+path)
		}
	}
	tls := func(prefix string, t, dt TLS) {
		add(prefix+".enabled", t.Enabled != dt.Enabled)
		add(prefix+".ca_file", t.CAFile != dt.CAFile)
		add(prefix+".cert_file", t.CertFile != dt.CertFile)
		add(prefix+".key_file", t.KeyFile != dt.KeyFile)
		add(prefix+".server_name", t.ServerName != dt.ServerName)
	}
	add("kafka.bootstrap", !slices.Equal(x.Kafka.Bootstrap, d.Kafka.Bootstrap))
	add("kafka.job_bootstrap", !slices.Equal(x.Kafka.JobBootstrap, d.Kafka.JobBootstrap))
	tls("kafka.tls", x.Kafka.TLS, d.Kafka.TLS)
	add("kafka.sasl.mechanism", x.Kafka.SASL.Mechanism != d.Kafka.SASL.Mechanism)
	add("kafka.sasl.username", x.Kafka.SASL.Username != d.Kafka.SASL.Username)
	add("kafka.sasl.password_env", x.Kafka.SASL.PasswordEnv != d.Kafka.SASL.PasswordEnv)
	add("kafka.sasl.password_file", x.Kafka.SASL.PasswordFile != d.Kafka.SASL.PasswordFile)
	add("flink.rest", x.Flink.REST != d.Flink.REST)
	tls("flink.tls", x.Flink.TLS, d.Flink.TLS)
	add("flink.auth_header", x.Flink.AuthHeader != d.Flink.AuthHeader)
	add("flink.auth_env", x.Flink.AuthEnv != d.Flink.AuthEnv)
	add("flink.auth_file", x.Flink.AuthFile != d.Flink.AuthFile)
	add("job_id", x.JobID != d.JobID)
	add("topics.prefix", x.Topics.Prefix != d.Topics.Prefix)
	add("topics.input", x.Topics.Input != d.Topics.Input)
	add("topics.updates", x.Topics.Updates != d.Topics.Updates)
	add("topics.windows", x.Topics.Windows != d.Topics.Windows)
	add("topics.allow_write", x.Topics.AllowWrite != d.Topics.AllowWrite)
	return out
}

// checkHostPorts checks a list of Kafka addresses, each host:port.
func checkHostPorts(c *checker, path string, addrs []string) {
	for i, a := range addrs {
		p := fmt.Sprintf("%s[%d]", path, i)
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" || strings.ContainsAny(host, " \t/@") {
			c.addf(p, "must be host:port, such as broker-1.example.com:9092, got %q", a)
			continue
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			c.addf(p, "port must be a number in 1..65535, got %q", a)
		}
	}
}

// checkTLS checks a TLS section: its files and server name need enabled,
// and the client certificate comes with its key.
func checkTLS(c *checker, prefix string, t TLS) {
	if !t.Enabled {
		for _, f := range []struct{ name, v string }{{"ca_file", t.CAFile}, {"cert_file", t.CertFile}, {"key_file", t.KeyFile}, {"server_name", t.ServerName}} {
			if f.v != "" {
				c.addf(prefix+"."+f.name, "needs %s.enabled: true", prefix)
			}
		}
		return
	}
	switch {
	case t.CertFile != "" && t.KeyFile == "":
		c.addNear(prefix+".key_file", prefix+".cert_file", "required with %s.cert_file: the client certificate's key (both or neither)", prefix)
	case t.CertFile == "" && t.KeyFile != "":
		c.addNear(prefix+".cert_file", prefix+".key_file", "required with %s.key_file: the client certificate (both or neither)", prefix)
	}
}

// checkSASL checks env.external.kafka.sasl: with a mechanism, a user and
// exactly one source of the password; without one, nothing else.
func checkSASL(c *checker, prefix string, a SASL) {
	switch a.Mechanism {
	case "":
		for _, f := range []struct{ name, v string }{{"username", a.Username}, {"password_env", a.PasswordEnv}, {"password_file", a.PasswordFile}} {
			if f.v != "" {
				c.addf(prefix+"."+f.name, "needs %s.mechanism (%s, %s or %s)", prefix, SASLPlain, SASLScramSHA256, SASLScramSHA512)
			}
		}
		return
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
	default:
		c.addf(prefix+".mechanism", "must be \"\" (no SASL), %s, %s or %s, got %q", SASLPlain, SASLScramSHA256, SASLScramSHA512, a.Mechanism)
	}
	if a.Username == "" {
		c.addNear(prefix+".username", prefix+".mechanism", "required with %s.mechanism", prefix)
	}
	switch {
	case a.PasswordEnv == "" && a.PasswordFile == "":
		c.addNear(prefix+".password_env", prefix+".mechanism",
			"required with %s.mechanism: the name of the environment variable holding the password (or set password_file); credentials are never written in a scenario", prefix)
	case a.PasswordEnv != "" && a.PasswordFile != "":
		c.addf(prefix+".password_file", "set only one of %s.password_env and password_file", prefix)
	}
	c.envName(prefix+".password_env", a.PasswordEnv)
}

// envName checks the name of an environment variable, if set. The value is
// not repeated: a mistaken one may be the secret itself.
func (c *checker) envName(path, v string) {
	if v != "" && !envNameRE.MatchString(v) {
		c.addf(path, "must be the name of an environment variable (letters, digits and '_', not starting with a digit) that holds the secret, not the secret itself")
	}
}

// checkREST checks env.external.flink.rest and returns its scheme ("" when
// it is not a usable URL). A URL's password is never repeated in a message.
func checkREST(c *checker, path, raw string) string {
	if raw == "" {
		c.addNear(path, "env.kind", "required with env.kind external: the Flink REST endpoint, such as https://flink.example.com:8081")
		return ""
	}
	shown, creds := stripUserinfo(raw)
	if creds {
		c.addf(path, "must not carry credentials; use env.external.flink.auth_env or auth_file (got %q without them)", shown)
	}
	u, err := url.Parse(shown)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		c.addf(path, "malformed URL %q: %v", shown, err)
		return ""
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		c.addf(path, "must be an http:// or https:// URL, got %q", shown)
		return ""
	case u.Host == "" || u.Hostname() == "":
		c.addf(path, "needs a host, such as https://flink.example.com:8081, got %q", shown)
	case u.Port() != "":
		if n, err := strconv.ParseUint(u.Port(), 10, 16); err != nil || n == 0 {
			c.addf(path, "port must be a number in 1..65535, got %q", shown)
		}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		c.addf(path, "must not have a query or fragment (abload appends the REST API's paths), got %q", shown)
	}
	return u.Scheme
}

// stripUserinfo removes "user:password@" from a URL's authority, textually
// (so that it works on URLs that do not parse), and reports whether there
// was any.
func stripUserinfo(raw string) (string, bool) {
	start := 0
	if i := strings.Index(raw, "//"); i >= 0 {
		start = i + 2
	}
	end := len(raw)
	if i := strings.IndexAny(raw[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(raw[start:end], "@")
	if at < 0 {
		return raw, false
	}
	return raw[:start] + raw[start+at+1:], true
}

// checkTopics checks env.external.job_id and env.external.topics.
func checkTopics(c *checker, s *Scenario) {
	const tp = "env.external.topics"
	x := s.Env.External
	t := x.Topics
	if x.JobID != "" && !jobIDRE.MatchString(x.JobID) {
		c.addf("env.external.job_id", "must be \"\" (submit abload's job) or a Flink job id, 32 hex digits, got %q", x.JobID)
	}
	if len(t.Prefix) < 1 || len(t.Prefix) > maxTopicPrefix || !topicRE.MatchString(t.Prefix) {
		c.addf(tp+".prefix", "must be 1 to %d letters, digits, '.', '_' or '-' (it starts topic names), got %q", maxTopicPrefix, t.Prefix)
	}
	attached := x.JobID != ""
	for _, f := range []struct {
		name, topic string
		output      bool // an output of the job (else its input)
		on          bool // used: the input always, an output when job.outputs has it
		what        string
	}{
		{"input", t.Input, false, true, "the attached job's input topic, which abload writes the load into"},
		{"updates", t.Updates, true, s.Job.Outputs.Updates, "the attached job's updates topic (job.outputs.updates)"},
		{"windows", t.Windows, true, s.Job.Outputs.Windows, "the attached job's windows topic (job.outputs.windows)"},
	} {
		p := tp + "." + f.name
		if f.topic == "" {
			if attached && f.on {
				c.addNear(p, "env.external.job_id", "required with env.external.job_id: %s", f.what)
			}
			continue
		}
		if len(f.topic) > maxTopicName || !topicRE.MatchString(f.topic) || f.topic == "." || f.topic == ".." {
			c.addf(p, "must be a Kafka topic name: 1 to %d letters, digits, '.', '_' or '-', got %q", maxTopicName, f.topic)
			continue
		}
		if !f.on {
			c.addf(p, "is not used: job.outputs.%s is false; leave it out", f.name)
			continue
		}
		// abload writes the load into the input topic; the job it submits
		// writes into the output topics, an attached job's writes are its own.
		if !t.AllowWrite && (!f.output || !attached) {
			c.addf(p, "abload writes into this topic, which it did not create; set env.external.topics.allow_write: true to allow it")
		}
	}
}

// checkCustomJob checks job.jar, job.entry_class, job.args and job.sql:
// one kind of job, placeholders known, and no knob set that only abload's
// DataStream job understands.
func checkCustomJob(c *checker, s *Scenario) {
	j := s.Job
	if j.Jar != "" && j.SQL != "" {
		c.addf("job.sql", "job.jar and job.sql are exclusive: one job per run")
	}
	if j.Jar == "" {
		if j.EntryClass != "" {
			c.addf("job.entry_class", "needs job.jar")
		}
		if len(j.Args) > 0 {
			c.addf("job.args", "needs job.jar (job.sql takes its placeholders in the SQL text)")
		}
	}
	for i, a := range j.Args {
		if u := UnknownPlaceholders(a); len(u) > 0 {
			c.addf(fmt.Sprintf("job.args[%d]", i), "unknown placeholder(s) {{%s}} (known: %s)", strings.Join(u, "}}, {{"), strings.Join(Placeholders, ", "))
		}
	}
	for _, f := range []struct{ path, v string }{{"job.jar", j.Jar}, {"job.sql", j.SQL}, {"job.entry_class", j.EntryClass}} {
		if f.v != "" && strings.TrimSpace(f.v) != f.v {
			c.addf(f.path, "must not start or end with spaces, got %q", f.v)
		}
	}
	if strings.HasPrefix(j.SQL, "sql:") && j.SQL != ShippedSQL {
		c.addf("job.sql", "unknown shipped SQL job %q (known: %s), or a path to a file of SQL statements", j.SQL, ShippedSQL)
	}
	if !j.Custom() {
		return
	}
	d := Defaults().Job
	what := "job.jar"
	if j.SQL != "" {
		what = "job.sql"
		if j.Window.Kind == WindowSession {
			c.addf("job.window.kind", "session windows are not expressed by job.sql's placeholders (TUMBLE and HOP: tumbling or sliding)")
		}
	}
	for _, f := range []struct {
		path string
		set  bool
	}{
		{"job.stage_parallelism", j.StageParallelism != d.StageParallelism},
		{"job.skew_mitigation", j.SkewMitigation != d.SkewMitigation},
		{"job.cost_per_event", j.CostPerEvent != d.CostPerEvent},
		{"job.updates_sample", j.UpdatesSample != d.UpdatesSample},
		{"job.checkpoint.sync_pause", j.Checkpoint.SyncPause != d.Checkpoint.SyncPause},
	} {
		if f.set {
			c.addf(f.path, "applies to abload's A/B job only, not to a %s job; leave it out", what)
		}
	}
	if s.Env.Scheduler == SchedulerReactive {
		c.addf("env.scheduler", "reactive starts abload's A/B job in an application cluster; a %s job runs on a session cluster (use adaptive)", what)
	}
}
