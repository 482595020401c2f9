package scenarios

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// externalEnvYAML completes an env section of kind external with the two
// fields it requires (indented for inside env:).
const externalEnvYAML = "  external:\n    kafka:\n      bootstrap: [broker-1:9092]\n    flink:\n      rest: http://jobmanager:8081\n"

// externalBase is the smallest valid external scenario.
const externalBase = "env:\n  kind: external\n" + externalEnvYAML

func TestExternalDefaults(t *testing.T) {
	d := Defaults()
	if d.Env.MaxClockOffset.Duration != 100*time.Millisecond {
		t.Errorf("env.max_clock_offset = %s, want 100ms", d.Env.MaxClockOffset)
	}
	want := External{
		Flink:  ExternalFlink{AuthHeader: "Authorization"},
		Topics: ExternalTopics{Prefix: "abload-"},
	}
	if !reflect.DeepEqual(d.Env.External, want) {
		t.Errorf("env.external = %+v, want %+v", d.Env.External, want)
	}
	if got := externalSet(d.Env.External); len(got) != 0 {
		t.Errorf("externalSet(defaults) = %q, want none", got)
	}
	// The defaults validate with every kind of environment but external,
	// which needs where its clusters are.
	for _, kind := range []string{EnvLocal, EnvDocker} {
		s := Defaults()
		s.Name, s.Env.Kind = "x", kind
		if err := s.Validate(); err != nil {
			t.Errorf("defaults with env.kind %s: %v", kind, err)
		}
	}
	s, err := Parse("t.yaml", []byte(externalBase), nil)
	if err != nil {
		t.Fatalf("smallest external scenario: %v", err)
	}
	if s.Env.External.Flink.AuthHeader != "Authorization" || s.Env.External.Topics.Prefix != "abload-" || s.Env.MaxClockOffset.Duration != 100*time.Millisecond {
		t.Errorf("defaults not kept: %+v, max_clock_offset %s", s.Env.External, s.Env.MaxClockOffset)
	}
	byPath := map[string]FieldDoc{}
	for _, f := range Fields() {
		byPath[f.Path] = f
	}
	for _, f := range []struct{ path, typ, def string }{
		{"env.max_clock_offset", "duration", "100ms"},
		{"env.external.kafka.bootstrap", "list of strings", "[]"},
		{"env.external.kafka.tls.enabled", "bool", "false"},
		{"env.external.kafka.sasl.mechanism", "string", `""`},
		{"env.external.flink.auth_header", "string", "Authorization"},
		{"env.external.topics.prefix", "string", "abload-"},
	} {
		if got := byPath[f.path]; got.Type != f.typ || got.Default != f.def {
			t.Errorf("%s: type %q default %q, want %q %q", f.path, got.Type, got.Default, f.typ, f.def)
		}
	}
}

func TestExternalValid(t *testing.T) {
	data := `name: ext
env:
  kind: external
  max_clock_offset: 50ms
  external:
    kafka:
      bootstrap: [kafka-1.example.com:9093, "[2001:db8::1]:9093"]
      job_bootstrap: [kafka-internal:9092]
      tls:
        enabled: true
        ca_file: ca.pem
        cert_file: client.pem
        key_file: client.key
        server_name: kafka.example.com
      sasl:
        mechanism: SCRAM-SHA-256
        username: abload
        password_file: /run/secrets/kafka
    flink:
      rest: https://flink.example.com:8443/proxy
      tls: {enabled: true, ca_file: flink-ca.pem}
      auth_header: X-Auth-Token
      auth_file: /run/secrets/flink
    job_id: 0123456789abcdefABCDEF0123456789
    topics:
      prefix: bench.
      input: clicks
      updates: clicks-updates
      windows: clicks-windows
      allow_write: true
`
	s, err := Parse("t.yaml", []byte(data), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := External{
		Kafka: ExternalKafka{
			Bootstrap:    []string{"kafka-1.example.com:9093", "[2001:db8::1]:9093"},
			JobBootstrap: []string{"kafka-internal:9092"},
			TLS:          TLS{Enabled: true, CAFile: "ca.pem", CertFile: "client.pem", KeyFile: "client.key", ServerName: "kafka.example.com"},
			SASL:         SASL{Mechanism: SASLScramSHA256, Username: "abload", PasswordFile: "/run/secrets/kafka"},
		},
		Flink: ExternalFlink{
			REST:       "https://flink.example.com:8443/proxy",
			TLS:        TLS{Enabled: true, CAFile: "flink-ca.pem"},
			AuthHeader: "X-Auth-Token",
			AuthFile:   "/run/secrets/flink",
		},
		JobID:  "0123456789abcdefABCDEF0123456789",
		Topics: ExternalTopics{Prefix: "bench.", Input: "clicks", Updates: "clicks-updates", Windows: "clicks-windows", AllowWrite: true},
	}
	if !reflect.DeepEqual(s.Env.External, want) {
		t.Errorf("env.external =\n%+v\nwant\n%+v", s.Env.External, want)
	}
	if s.Env.MaxClockOffset.Duration != 50*time.Millisecond {
		t.Errorf("env.max_clock_offset = %s", s.Env.MaxClockOffset)
	}
	// An https endpoint without TLS settings uses the system's roots.
	if _, err := Parse("t.yaml", []byte(externalBase), []string{"env.external.flink.rest=https://flink.example.com"}); err != nil {
		t.Errorf("https without flink.tls: %v", err)
	}
}

func TestExternalExample(t *testing.T) {
	s, err := Load("external.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	x := s.Env.External
	switch {
	case s.Name != "external" || s.Env.Kind != EnvExternal:
		t.Errorf("name %q, env.kind %q", s.Name, s.Env.Kind)
	case !x.Kafka.TLS.Enabled || x.Kafka.TLS.CAFile == "":
		t.Errorf("kafka.tls = %+v, want TLS with a CA file", x.Kafka.TLS)
	case x.Kafka.SASL.Mechanism != SASLScramSHA512 || x.Kafka.SASL.PasswordEnv != "ABLOAD_KAFKA_PASSWORD":
		t.Errorf("kafka.sasl = %+v", x.Kafka.SASL)
	case !strings.HasPrefix(x.Flink.REST, "https://") || x.Flink.AuthEnv != "ABLOAD_FLINK_TOKEN":
		t.Errorf("flink = %+v", x.Flink)
	case x.JobID != "":
		t.Errorf("job_id = %q, want abload's job submitted", x.JobID)
	}
}

// pathMsgs returns "path: msg" of each problem, leaving out where it came
// from.
func pathMsgs(t *testing.T, err error) []string {
	t.Helper()
	return problemTexts(t, err, func(p Problem) string { return p.Path + ": " + p.Msg })
}

func TestExternalProblems(t *testing.T) {
	const (
		needKafkaTLS = "needs env.external.kafka.tls.enabled: true"
		needMech     = "needs env.external.kafka.sasl.mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)"
		hostPort     = "must be host:port, such as broker-1.example.com:9092, got "
		writes       = "abload writes into this topic, which it did not create; set env.external.topics.allow_write: true to allow it"
		jobID        = "env.external.job_id=0123456789abcdef0123456789abcdef"
		envName      = "must be the name of an environment variable (letters, digits and '_', not starting with a digit) that holds the secret, not the secret itself"
	)
	tests := []struct {
		name string
		sets []string
		want []string
	}{
		{"valid", nil, nil},
		{"bootstrap required", []string{"env.external.kafka.bootstrap=[]"}, []string{
			"env.external.kafka.bootstrap: required with env.kind external: the brokers, a list of host:port"}},
		{"bootstrap entries", []string{`env.external.kafka.bootstrap=[broker, ":9092", "b:0", "b:70000", "b:x", "kafka://b:9092", "[::1]:9092", "b c:1"]`}, []string{
			`env.external.kafka.bootstrap[0]: ` + hostPort + `"broker"`,
			`env.external.kafka.bootstrap[1]: ` + hostPort + `":9092"`,
			`env.external.kafka.bootstrap[2]: port must be a number in 1..65535, got "b:0"`,
			`env.external.kafka.bootstrap[3]: port must be a number in 1..65535, got "b:70000"`,
			`env.external.kafka.bootstrap[4]: port must be a number in 1..65535, got "b:x"`,
			`env.external.kafka.bootstrap[5]: ` + hostPort + `"kafka://b:9092"`,
			`env.external.kafka.bootstrap[7]: ` + hostPort + `"b c:1"`,
		}},
		{"job_bootstrap entries", []string{"env.external.kafka.job_bootstrap=[ok:1, bad]"}, []string{
			`env.external.kafka.job_bootstrap[1]: ` + hostPort + `"bad"`}},
		{"kafka tls fields without tls", []string{"env.external.kafka.tls.ca_file=ca.pem", "env.external.kafka.tls.cert_file=c.pem", "env.external.kafka.tls.key_file=k.pem", "env.external.kafka.tls.server_name=k"}, []string{
			"env.external.kafka.tls.ca_file: " + needKafkaTLS,
			"env.external.kafka.tls.cert_file: " + needKafkaTLS,
			"env.external.kafka.tls.key_file: " + needKafkaTLS,
			"env.external.kafka.tls.server_name: " + needKafkaTLS,
		}},
		{"certificate without key", []string{"env.external.kafka.tls.enabled=true", "env.external.kafka.tls.cert_file=c.pem"}, []string{
			"env.external.kafka.tls.key_file: required with env.external.kafka.tls.cert_file: the client certificate's key (both or neither)"}},
		{"key without certificate", []string{"env.external.kafka.tls.enabled=true", "env.external.kafka.tls.key_file=k.pem"}, []string{
			"env.external.kafka.tls.cert_file: required with env.external.kafka.tls.key_file: the client certificate (both or neither)"}},
		{"unknown mechanism", []string{"env.external.kafka.sasl.mechanism=plain", "env.external.kafka.sasl.username=u", "env.external.kafka.sasl.password_env=P"}, []string{
			`env.external.kafka.sasl.mechanism: must be "" (no SASL), PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got "plain"`}},
		{"mechanism without user and password", []string{"env.external.kafka.sasl.mechanism=PLAIN"}, []string{
			"env.external.kafka.sasl.username: required with env.external.kafka.sasl.mechanism",
			"env.external.kafka.sasl.password_env: required with env.external.kafka.sasl.mechanism: the name of the environment variable holding the password (or set password_file); credentials are never written in a scenario",
		}},
		{"two password sources", []string{"env.external.kafka.sasl.mechanism=SCRAM-SHA-512", "env.external.kafka.sasl.username=u", "env.external.kafka.sasl.password_env=P", "env.external.kafka.sasl.password_file=p"}, []string{
			"env.external.kafka.sasl.password_file: set only one of env.external.kafka.sasl.password_env and password_file"}},
		{"password_env not a name", []string{"env.external.kafka.sasl.mechanism=PLAIN", "env.external.kafka.sasl.username=u", "env.external.kafka.sasl.password_env=1-pass word"}, []string{
			"env.external.kafka.sasl.password_env: " + envName}},
		{"sasl fields without mechanism", []string{"env.external.kafka.sasl.username=u", "env.external.kafka.sasl.password_env=P", "env.external.kafka.sasl.password_file=p"}, []string{
			"env.external.kafka.sasl.username: " + needMech,
			"env.external.kafka.sasl.password_env: " + needMech,
			"env.external.kafka.sasl.password_file: " + needMech,
		}},
		{"rest required", []string{"env.external.flink.rest="}, []string{
			"env.external.flink.rest: missing value (want a string)"}},
		{"rest empty", []string{`env.external.flink.rest=""`}, []string{
			"env.external.flink.rest: required with env.kind external: the Flink REST endpoint, such as https://flink.example.com:8081"}},
		{"rest scheme", []string{"env.external.flink.rest=ftp://jm:8081"}, []string{
			`env.external.flink.rest: must be an http:// or https:// URL, got "ftp://jm:8081"`}},
		{"rest without scheme", []string{"env.external.flink.rest=jm:8081"}, []string{
			`env.external.flink.rest: must be an http:// or https:// URL, got "jm:8081"`}},
		{"rest without host", []string{"env.external.flink.rest=http:///jobs"}, []string{
			`env.external.flink.rest: needs a host, such as https://flink.example.com:8081, got "http:///jobs"`}},
		{"rest port", []string{"env.external.flink.rest=http://jm:0"}, []string{
			`env.external.flink.rest: port must be a number in 1..65535, got "http://jm:0"`}},
		{"rest query", []string{"env.external.flink.rest=http://jm:8081/?a=b"}, []string{
			`env.external.flink.rest: must not have a query or fragment (abload appends the REST API's paths), got "http://jm:8081/?a=b"`}},
		{"rest malformed", []string{"env.external.flink.rest=http://jm:8081/%zz"}, []string{
			`env.external.flink.rest: malformed URL "http://jm:8081/%zz": invalid URL escape "%zz"`}},
		{"rest with credentials", []string{"env.external.flink.rest=https://admin:s3cr3t@jm:8081/x"}, []string{
			`env.external.flink.rest: must not carry credentials; use env.external.flink.auth_env or auth_file (got "https://jm:8081/x" without them)`}},
		{"flink tls with http", []string{"env.external.flink.tls.enabled=true"}, []string{
			"env.external.flink.tls.enabled: needs an https:// env.external.flink.rest"}},
		{"flink tls fields without tls", []string{"env.external.flink.rest=https://jm", "env.external.flink.tls.ca_file=ca.pem", "env.external.flink.tls.key_file=k.pem"}, []string{
			"env.external.flink.tls.ca_file: needs env.external.flink.tls.enabled: true",
			"env.external.flink.tls.key_file: needs env.external.flink.tls.enabled: true",
		}},
		{"flink certificate without key", []string{"env.external.flink.rest=https://jm", "env.external.flink.tls.enabled=true", "env.external.flink.tls.cert_file=c.pem"}, []string{
			"env.external.flink.tls.key_file: required with env.external.flink.tls.cert_file: the client certificate's key (both or neither)"}},
		{"auth_header", []string{"env.external.flink.auth_header=Bearer abc"}, []string{
			"env.external.flink.auth_header: must be an HTTP header name such as Authorization (letters, digits and '-'); its value comes from auth_env or auth_file"}},
		{"auth_header empty", []string{`env.external.flink.auth_header=""`}, []string{
			"env.external.flink.auth_header: must be an HTTP header name such as Authorization (letters, digits and '-'); its value comes from auth_env or auth_file"}},
		{"auth_env and auth_file", []string{"env.external.flink.auth_env=T", "env.external.flink.auth_file=t"}, []string{
			"env.external.flink.auth_file: set at most one of env.external.flink.auth_env and auth_file"}},
		{"auth_env not a name", []string{"env.external.flink.auth_env=my-token"}, []string{
			"env.external.flink.auth_env: " + envName}},
		{"job_id", []string{"env.external.job_id=12ab", "env.external.topics.input=in", "env.external.topics.updates=up", "env.external.topics.windows=w", "env.external.topics.allow_write=true"}, []string{
			`env.external.job_id: must be "" (submit abload's job) or a Flink job id, 32 hex digits, got "12ab"`}},
		{"attached job needs its topics", []string{jobID}, []string{
			"env.external.topics.input: required with env.external.job_id: the attached job's input topic, which abload writes the load into",
			"env.external.topics.updates: required with env.external.job_id: the attached job's updates topic (job.outputs.updates)",
			"env.external.topics.windows: required with env.external.job_id: the attached job's windows topic (job.outputs.windows)",
		}},
		{"attached job, windows off", []string{jobID, "job.outputs.windows=false", "env.external.topics.input=in", "env.external.topics.updates=up", "env.external.topics.allow_write=true"}, nil},
		{"attached job, output off but named", []string{jobID, "job.outputs.windows=false", "env.external.topics.input=in", "env.external.topics.updates=up", "env.external.topics.windows=w", "env.external.topics.allow_write=true"}, []string{
			"env.external.topics.windows: is not used: job.outputs.windows is false; leave it out"}},
		{"attached job, input needs allow_write", []string{jobID, "env.external.topics.input=in", "env.external.topics.updates=up", "env.external.topics.windows=w"}, []string{
			"env.external.topics.input: " + writes}},
		{"named topics need allow_write", []string{"env.external.topics.input=in", "env.external.topics.updates=up", "env.external.topics.windows=w"}, []string{
			"env.external.topics.input: " + writes,
			"env.external.topics.updates: " + writes,
			"env.external.topics.windows: " + writes,
		}},
		{"named topics with allow_write", []string{"env.external.topics.updates=up", "env.external.topics.allow_write=true"}, nil},
		{"topic names", []string{"env.external.topics.input=.", "env.external.topics.updates=a/b", "env.external.topics.windows=" + strings.Repeat("w", 250), "env.external.topics.allow_write=true"}, []string{
			`env.external.topics.input: must be a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-', got "."`,
			`env.external.topics.updates: must be a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-', got "a/b"`,
			`env.external.topics.windows: must be a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-', got "` + strings.Repeat("w", 250) + `"`,
		}},
		{"longest topic name", []string{"env.external.topics.input=" + strings.Repeat("i", 249), "env.external.topics.allow_write=true"}, nil},
		{"prefix empty", []string{`env.external.topics.prefix=""`}, []string{
			`env.external.topics.prefix: must be 1 to 100 letters, digits, '.', '_' or '-' (it starts topic names), got ""`}},
		{"prefix characters", []string{"env.external.topics.prefix=a b"}, []string{
			`env.external.topics.prefix: must be 1 to 100 letters, digits, '.', '_' or '-' (it starts topic names), got "a b"`}},
		{"prefix too long", []string{"env.external.topics.prefix=" + strings.Repeat("p", 101)}, []string{
			`env.external.topics.prefix: must be 1 to 100 letters, digits, '.', '_' or '-' (it starts topic names), got "` + strings.Repeat("p", 101) + `"`}},
		{"savepoint at end", []string{"job.savepoint_at_end=true"}, []string{
			"job.savepoint_at_end: needs an environment abload runs (local or docker), not external: the savepoint is written into the run's directory"}},
		{"control run of an attached job", []string{jobID, "env.external.topics.input=in", "env.external.topics.updates=up", "env.external.topics.windows=w", "env.external.topics.allow_write=true", "job.checkpoint.control_run=true"}, []string{
			"job.checkpoint.control_run: an attached job (env.external.job_id) cannot be rerun without checkpoints; leave it out"}},
		{"control run of abload's job", []string{"job.checkpoint.control_run=true"}, nil},
		{"restore into an attached job", []string{jobID, "env.external.topics.input=in", "env.external.topics.updates=up", "env.external.topics.windows=w", "env.external.topics.allow_write=true", "job.restore_from=/sp"}, []string{
			"job.restore_from: an attached job (env.external.job_id) is already running: abload submits nothing to restore a savepoint into; leave it out"}},
		{"max_clock_offset", []string{"env.max_clock_offset=1500us"}, []string{
			"env.max_clock_offset: must be a whole number of milliseconds, got 1.5ms"}},
		{"what external already refused", []string{"env.scheduler=reactive", "faults=[{at: 1s, kind: kill_taskmanager, taskmanager: 1}]", "scaling=[{at: 1s, action: add_taskmanager}]"}, []string{
			"faults[0]: faults need an environment abload runs (local or docker), not external",
			"env.scheduler: reactive needs an application-mode JobManager, which only the local environment starts; use adaptive with env.kind external",
			"scaling[0]: scaling actions need the local environment (env.kind local), got external",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(externalBase), tt.sets)
			if got := pathMsgs(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Problems point at the line that set the value, or for a required value at
// the line that asked for it.
func TestExternalProblemLines(t *testing.T) {
	data := `env:
  kind: external
  max_clock_offset: 0s
  external:
    kafka:
      tls:
        cert_file: c.pem
    job_id: 0123456789abcdef0123456789abcdef
`
	want := []string{
		`t.yaml:3: env.max_clock_offset: must be > 0, got 0s`,
		`t.yaml:2: env.external.kafka.bootstrap: required with env.kind external: the brokers, a list of host:port`,
		`t.yaml:7: env.external.kafka.tls.cert_file: needs env.external.kafka.tls.enabled: true`,
		`t.yaml:2: env.external.flink.rest: required with env.kind external: the Flink REST endpoint, such as https://flink.example.com:8081`,
		`t.yaml:8: env.external.topics.input: required with env.external.job_id: the attached job's input topic, which abload writes the load into`,
		`t.yaml:8: env.external.topics.updates: required with env.external.job_id: the attached job's updates topic (job.outputs.updates)`,
		`t.yaml:8: env.external.topics.windows: required with env.external.job_id: the attached job's windows topic (job.outputs.windows)`,
	}
	_, err := Parse("t.yaml", []byte(data), nil)
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

func TestExternalFieldsNeedExternal(t *testing.T) {
	data := "env:\n  max_clock_offset: 0s\n  external:\n    kafka: {bootstrap: [b:9092]}\n    topics: {prefix: abload-}\n"
	want := []string{
		`t.yaml:2: env.max_clock_offset: must be > 0, got 0s`,
		`t.yaml:4: env.external.kafka.bootstrap: is used only with env.kind external, not local; leave it out`,
	}
	_, err := Parse("t.yaml", []byte(data), nil)
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
	// Every leaf of env.external, set to something else than its default,
	// is refused by local and docker environments.
	for _, path := range leaves(reflect.TypeOf(Scenario{}), "") {
		if !strings.HasPrefix(path, "env.external.") {
			continue
		}
		for _, kind := range []string{EnvLocal, EnvDocker} {
			s := Defaults()
			s.Name, s.Env.Kind = "x", kind
			v, ok := valueAt(reflect.ValueOf(s).Elem(), path)
			if !ok {
				t.Fatalf("no field at %s", path)
			}
			switch v.Kind() {
			case reflect.String:
				v.SetString(v.String() + "x")
			case reflect.Bool:
				v.SetBool(!v.Bool())
			case reflect.Slice:
				v.Set(reflect.ValueOf([]string{"b:9092"}))
			default:
				t.Fatalf("%s: no test value for a %s", path, v.Type())
			}
			want := []string{path + ": is used only with env.kind external, not " + kind + "; leave it out"}
			if got := pathMsgs(t, s.Validate()); !reflect.DeepEqual(got, want) {
				t.Errorf("%s set with env.kind %s:\n got %q\nwant %q", path, kind, got, want)
			}
		}
	}
}

func TestExternalInlineCredentials(t *testing.T) {
	const secret = "hunter2-Secret"
	const hint = "credentials are never written in a scenario: name an environment variable (…_env) or a file (…_file)"
	tests := []struct {
		name, data string
		sets       []string
		path       string // of the unknown field
		hinted     bool
	}{
		{name: "sasl password", data: "env:\n  kind: external\n  external:\n    kafka:\n      bootstrap: [b:1]\n      sasl: {mechanism: PLAIN, username: u, password: " + secret + "}\n    flink: {rest: 'http://jm:1'}\n",
			path: "env.external.kafka.sasl.password", hinted: true},
		{name: "flink token", data: externalBase + "      token: " + secret + "\n",
			path: "env.external.flink.token", hinted: true},
		{name: "flink auth", data: "env:\n  kind: external\n  external:\n    kafka: {bootstrap: [b:1]}\n    flink:\n      rest: http://jm:1\n      auth: Bearer " + secret + "\n",
			path: "env.external.flink.auth", hinted: true},
		{name: "flink auth_value", data: "env:\n  kind: external\n  external:\n    kafka: {bootstrap: [b:1]}\n    flink: {rest: 'http://jm:1', auth_value: " + secret + "}\n",
			path: "env.external.flink.auth_value", hinted: true},
		{name: "sasl secret by --set", data: externalBase, sets: []string{"env.external.kafka.sasl.secret=" + secret},
			path: "env.external.kafka.sasl.secret", hinted: true},
		{name: "sasl section by --set", data: externalBase, sets: []string{"env.external.kafka.sasl={password: " + secret + "}"},
			path: "env.external.kafka.sasl.password", hinted: true},
		{name: "env section by --set", data: externalBase, sets: []string{"env={external: {flink: {token: " + secret + "}}}"},
			path: "env.external.flink.token", hinted: true},
		{name: "elsewhere no hint", data: "workload:\n  password: " + secret + "\n",
			path: "workload.password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.data), tt.sets)
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.hinted && strings.Contains(err.Error(), secret) {
				t.Errorf("the error repeats the credential:\n%v", err)
			}
			var found bool
			var ve *ValidationError
			errors.As(err, &ve)
			for _, p := range ve.Problems {
				if p.Path == tt.path && strings.Contains(p.Msg, "unknown field") {
					found = true
					if got := strings.Contains(p.Msg, hint); got != tt.hinted {
						t.Errorf("hint in %q: %v, want %v", p.Msg, got, tt.hinted)
					}
				}
			}
			if !found {
				t.Errorf("no unknown-field problem at %s in:\n%v", tt.path, err)
			}
		})
	}
}

// Values that may be credentials are not repeated in messages, whatever
// else is wrong with them.
func TestExternalSecretsNotEchoed(t *testing.T) {
	const secret = "s3cr3t-Value"
	for _, sets := range [][]string{
		{"env.external.flink.rest=https://admin:" + secret + "@jm:8081"},
		{"env.external.flink.rest=https://admin:" + secret + "@jm:bad/%zz"},
		{"env.external.flink.rest=admin:" + secret + "@jm:8081"},
		{"env.external.flink.auth_header=Bearer " + secret},
		{"env.external.flink.auth_env=" + secret + "!"},
		{"env.external.kafka.sasl.mechanism=PLAIN", "env.external.kafka.sasl.username=u", "env.external.kafka.sasl.password_env=" + secret + "!"},
		{"env.external.kafka.sasl.password_env=" + secret + "!"},
	} {
		_, err := Parse("t.yaml", []byte(externalBase), sets)
		if err == nil {
			t.Errorf("%q accepted", sets)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%q: the error repeats the secret:\n%v", sets, err)
		}
	}
	// From a file, too: the userinfo is cut from the URL shown.
	data := "env:\n  kind: external\n  external:\n    kafka: {bootstrap: [b:1]}\n    flink: {rest: 'http://u:" + secret + "@jm:1'}\n"
	_, err := Parse("t.yaml", []byte(data), nil)
	want := []string{`t.yaml:5: env.external.flink.rest: must not carry credentials; use env.external.flink.auth_env or auth_file (got "http://jm:1" without them)`}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

func TestStripUserinfo(t *testing.T) {
	for _, tt := range []struct {
		in, out string
		creds   bool
	}{
		{"https://jm:8081", "https://jm:8081", false},
		{"https://u:p@jm:8081/x", "https://jm:8081/x", true},
		{"https://u:p@q@jm/x@y", "https://jm/x@y", true},
		{"http://jm/a?b=c@d", "http://jm/a?b=c@d", false},
		{"u:p@jm:8081", "jm:8081", true},
		{"", "", false},
	} {
		out, creds := stripUserinfo(tt.in)
		if out != tt.out || creds != tt.creds {
			t.Errorf("stripUserinfo(%q) = %q, %v; want %q, %v", tt.in, out, creds, tt.out, tt.creds)
		}
	}
}

// A --set that may carry a credential is not shown with its value.
func TestSetLabelHidesCredentials(t *testing.T) {
	_, err := Parse("t.yaml", []byte(externalBase), []string{"env.external.kafka.sasl.username=u", "kafka.acks=some"})
	want := []string{
		`--set env.external.kafka.sasl.username=(value not shown): env.external.kafka.sasl.username: needs env.external.kafka.sasl.mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`,
		`--set kafka.acks=some: kafka.acks: must be one of all, leader, none, got "some"`,
	}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
	for path, want := range map[string]bool{
		"env": true, "env.external": true, "env.external.kafka": true, "env.external.kafka.sasl": true,
		"env.external.kafka.sasl.password": true, "env.external.flink.rest": true,
		"env.external.kafka.bootstrap": false, "env.external.topics.input": false, "env.kind": false, "env.externalx": false,
	} {
		if got := mayHoldCredentials(path); got != want {
			t.Errorf("mayHoldCredentials(%q) = %v, want %v", path, got, want)
		}
	}
}

// env.flink_version left unset is the external cluster's own line (""),
// resolved from its REST API before a run starts; set, it is kept; for the
// environments abload starts it defaults to DefaultFlinkLine, and "" is
// refused there.
func TestExternalFlinkVersionUnsetIsTheClusters(t *testing.T) {
	s, err := Parse("x.yaml", []byte(externalBase), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Env.FlinkVersion != "" {
		t.Errorf("external, env.flink_version unset: %q, want \"\" (the cluster's own line)", s.Env.FlinkVersion)
	}
	s, err = Parse("x.yaml", []byte(externalBase), []string{"env.flink_version=1.20"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Env.FlinkVersion != "1.20" {
		t.Errorf("external, env.flink_version=1.20: %q", s.Env.FlinkVersion)
	}
	s, err = Parse("x.yaml", []byte("env: {kind: local}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Env.FlinkVersion != DefaultFlinkLine {
		t.Errorf("local, env.flink_version unset: %q, want %s", s.Env.FlinkVersion, DefaultFlinkLine)
	}
	if _, err := Parse("x.yaml", []byte("env: {kind: local}\n"), []string{"env.flink_version="}); err == nil || !strings.Contains(err.Error(), "env.flink_version") {
		t.Errorf("local, env.flink_version empty: %v, want an error naming env.flink_version", err)
	}
	// --set env.kind=external over a local file: the cluster's line too.
	s, err = Parse("x.yaml", []byte("env:\n"+externalEnvYAML), []string{"env.kind=external"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Env.FlinkVersion != "" {
		t.Errorf("--set env.kind=external: env.flink_version %q, want \"\"", s.Env.FlinkVersion)
	}
}

// job.state_backend forst is Flink 2's: refused on the 1.20 line, naming
// the field; accepted on 2.2.
func TestForStNeedsAFlink2Line(t *testing.T) {
	if _, err := Parse("x.yaml", []byte("job: {state_backend: forst}\n"), nil); err != nil {
		t.Errorf("forst on %s: %v", DefaultFlinkLine, err)
	}
	_, err := Parse("x.yaml", []byte("env: {flink_version: \"1.20\"}\njob: {state_backend: forst}\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "job.state_backend") || !strings.Contains(err.Error(), "1.20") {
		t.Errorf("forst on 1.20: %v, want an error naming job.state_backend and 1.20", err)
	}
}

// A savepoint path as result.json names it (a Flink file URI) is taken as
// the local path.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"file:/a/b": "/a/b", "file:///a/b": "/a/b", "/a/b": "/a/b", "rel/x": "rel/x", "": "", "hdfs://n/a": "hdfs://n/a"} {
		if got := LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}
