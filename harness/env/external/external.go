package external

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/scenarios"
)

// Env is env.kind external: a Kafka and a Flink cluster abload does not
// run. Start reads the credentials the scenario names (environment
// variables, files), adds them to its secrets, and checks that both
// clusters answer with them; Stop leaves the clusters alone (the run
// cancels the job it submitted and, with --cleanup, deletes the topics it
// created).
type Env struct {
	x       scenarios.External
	secrets *redact.Secrets // the credentials it reads are added here
	logf    func(string, ...any)
	ep      *env.Endpoints
	flink   string
	kafka   string
	line    string // env.flink_version: the line of the job abload submits
}

// New returns the external environment of a scenario's env.external
// section; the credentials it reads go into secrets.
func New(sc *scenarios.Scenario, logf func(string, ...any), secrets *redact.Secrets) *Env {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Env{x: sc.Env.External, logf: logf, secrets: secrets, line: sc.Env.FlinkVersion}
}

// FromSpec is New for env.Register.
func FromSpec(s env.Spec) (env.Environment, error) { return New(s.Scenario, s.Logf, s.Secrets), nil }

func (e *Env) Kind() string               { return scenarios.EnvExternal }
func (e *Env) Endpoints() *env.Endpoints  { return e.ep }
func (e *Env) Stop(context.Context) error { return nil }
func (e *Env) FlinkVersion() string       { return e.flink }
func (e *Env) KafkaVersion() string       { return e.kafka }

// AuthError is a cluster refusing abload's credentials.
type AuthError struct{ Err error }

func (e *AuthError) Error() string { return e.Err.Error() }
func (e *AuthError) Unwrap() error { return e.Err }

func (e *Env) Start(ctx context.Context) (*env.Endpoints, error) {
	sec, err := KafkaSecurity(e.x.Kafka, e.secrets)
	if err != nil {
		return nil, &env.InputError{Err: err}
	}
	ftls, header, err := FlinkAccess(e.x.Flink, e.secrets)
	if err != nil {
		return nil, &env.InputError{Err: err}
	}
	ep := &env.Endpoints{
		KafkaBootstrap:    append([]string(nil), e.x.Kafka.Bootstrap...),
		JobKafkaBootstrap: append([]string(nil), e.x.Kafka.JobBootstrap...),
		FlinkREST:         strings.TrimRight(e.x.Flink.REST, "/"),
		Security:          sec,
		FlinkTLS:          ftls,
		FlinkHeader:       header,
	}
	if sec != nil {
		props, err := env.JobKafkaProperties(*sec, e.secrets)
		if err != nil {
			return nil, &env.InputError{Err: err}
		}
		ep.JobKafkaProperties = props
		if sec.TLS != nil && sec.TLS.ServerName != "" {
			e.logf("abload: env.external.kafka.tls.server_name %s applies to abload's clients; the job's Java client verifies the host it connects to", sec.TLS.ServerName)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if e.kafka, err = probeKafka(cctx, ep); err != nil {
		return nil, err
	}
	o, err := ep.FlinkClient().Overview(cctx)
	if err != nil {
		var re *flink.RESTError
		if errors.As(err, &re) && (re.Status == 401 || re.Status == 403) {
			return nil, &AuthError{Err: fmt.Errorf("flink REST %s refused abload's credentials (HTTP %d; env.external.flink.auth_header, auth_env/auth_file)", ep.FlinkREST, re.Status)}
		}
		return nil, fmt.Errorf("flink REST %s: %w", ep.FlinkREST, err)
	}
	e.flink = o.FlinkVersion
	if l := scenarios.FlinkLineOf(o.FlinkVersion); e.x.JobID == "" && e.line != "" && l != e.line {
		// The job, the SQL runner and the configuration keys abload checks
		// come from the bundle of env.flink_version.
		return nil, &env.InputError{Err: fmt.Errorf("the external Flink at %s runs Flink %s; the scenario asks for Flink %s (env.flink_version), whose job abload would submit: run with --set env.flink_version=%s (its bundle: make runtime FLINK=%s)",
			ep.FlinkREST, o.FlinkVersion, e.line, l, l)}
	}
	e.logf("abload: external kafka %s (%s, %s) and flink %s at %s (%d TaskManager(s), %d of %d slot(s) free)",
		strings.Join(ep.KafkaBootstrap, ","), e.kafka, describeSecurity(sec), o.FlinkVersion, ep.FlinkREST, o.TaskManagers, o.SlotsAvailable, o.SlotsTotal)
	e.ep = ep
	return ep, nil
}

// describeSecurity says how the harness's Kafka clients connect, without secrets.
func describeSecurity(s *env.KafkaSecurity) string {
	if s == nil {
		return "PLAINTEXT"
	}
	var parts []string
	switch {
	case s.TLS != nil && s.SASL != nil:
		parts = append(parts, "SASL_SSL")
	case s.TLS != nil:
		parts = append(parts, "SSL")
	default:
		parts = append(parts, "SASL_PLAINTEXT")
	}
	if s.SASL != nil {
		parts = append(parts, s.SASL.String())
	}
	return strings.Join(parts, ", ")
}

// probeKafka asks the brokers for their API versions and metadata with the
// run's credentials; an authentication failure becomes an AuthError.
func probeKafka(ctx context.Context, ep *env.Endpoints) (string, error) {
	cl, err := kgo.NewClient(ep.ClientOpts(kgo.DialTimeout(10 * time.Second))...)
	if err != nil {
		return "", err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	_, err = adm.BrokerMetadata(ctx)
	if err == nil {
		var vs kadm.BrokersApiVersions
		if vs, err = adm.ApiVersions(ctx); err == nil {
			for _, v := range vs.Sorted() {
				if v.Err == nil {
					return strings.TrimPrefix(kversion.FromApiVersionsResponse(v.Raw()).VersionGuess(), "v"), nil
				}
			}
			return "unknown", nil
		}
	}
	where := strings.Join(ep.KafkaBootstrap, ",")
	switch {
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		return "", &AuthError{Err: fmt.Errorf("kafka %s: authentication failed (%s): check env.external.kafka.sasl (user, mechanism, and the password its password_env/password_file names)", where, describeSecurity(ep.Security))}
	case errors.Is(err, kerr.IllegalSaslState), errors.Is(err, kerr.UnsupportedSaslMechanism):
		return "", &AuthError{Err: fmt.Errorf("kafka %s: the brokers refuse %s: %v", where, describeSecurity(ep.Security), err)}
	case isTLSError(err):
		return "", &AuthError{Err: fmt.Errorf("kafka %s: TLS handshake failed (%s): %v", where, describeSecurity(ep.Security), err)}
	}
	return "", fmt.Errorf("kafka %s (%s): %w", where, describeSecurity(ep.Security), err)
}

func isTLSError(err error) bool {
	var ce *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var rh tls.RecordHeaderError
	return errors.As(err, &ce) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &rh)
}

// readSecret reads a credential from the environment variable env or the
// file file (exactly one is set), adds it to secrets and returns it; path
// names the scenario field for errors. The value is never in an error.
func readSecret(secrets *redact.Secrets, path, env, file string) (string, error) {
	var v string
	switch {
	case env != "":
		var ok bool
		if v, ok = os.LookupEnv(env); !ok || v == "" {
			return "", fmt.Errorf("%s_env: environment variable %s is not set or empty", path, env)
		}
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_file: %w", path, err)
		}
		v = strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", fmt.Errorf("%s_file: %s is empty", path, file)
		}
	default:
		return "", nil
	}
	secrets.Add(v)
	return v, nil
}

// KafkaSecurity reads the credentials env.external.kafka names and
// returns the harness's client security (nil: plaintext, no SASL); the
// secrets it reads are added to secrets.
func KafkaSecurity(k scenarios.ExternalKafka, secrets *redact.Secrets) (*env.KafkaSecurity, error) {
	var s env.KafkaSecurity
	if k.TLS.Enabled {
		s.TLS = &env.TLSConfig{CAFile: k.TLS.CAFile, CertFile: k.TLS.CertFile, KeyFile: k.TLS.KeyFile, ServerName: k.TLS.ServerName}
		if k.TLS.KeyFile != "" {
			b, err := os.ReadFile(k.TLS.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("env.external.kafka.tls.key_file: %w", err)
			}
			secrets.Add(string(b))
		}
		if _, err := s.TLS.Config(); err != nil {
			return nil, fmt.Errorf("env.external.kafka.%w", err)
		}
	}
	if k.SASL.Mechanism != "" {
		pw, err := readSecret(secrets, "env.external.kafka.sasl.password", k.SASL.PasswordEnv, k.SASL.PasswordFile)
		if err != nil {
			return nil, err
		}
		s.SASL = &env.SASLConfig{Mechanism: k.SASL.Mechanism, User: k.SASL.Username, Password: pw}
		if _, err := s.SASL.Opt(); err != nil {
			return nil, fmt.Errorf("env.external.kafka.%w", err)
		}
	}
	if s.TLS == nil && s.SASL == nil {
		return nil, nil
	}
	return &s, nil
}

// FlinkAccess builds the REST client's TLS and auth header; the
// secrets it reads are added to secrets.
func FlinkAccess(f scenarios.ExternalFlink, secrets *redact.Secrets) (*tls.Config, [2]string, error) {
	var header [2]string
	var tc *tls.Config
	if f.TLS.Enabled {
		t := env.TLSConfig{CAFile: f.TLS.CAFile, CertFile: f.TLS.CertFile, KeyFile: f.TLS.KeyFile, ServerName: f.TLS.ServerName}
		if f.TLS.KeyFile != "" {
			b, err := os.ReadFile(f.TLS.KeyFile)
			if err != nil {
				return nil, header, fmt.Errorf("env.external.flink.tls.key_file: %w", err)
			}
			secrets.Add(string(b))
		}
		c, err := t.Config()
		if err != nil {
			return nil, header, fmt.Errorf("env.external.flink.%w", err)
		}
		tc = c
	}
	v, err := readSecret(secrets, "env.external.flink.auth", f.AuthEnv, f.AuthFile)
	if err != nil {
		return nil, header, err
	}
	if v != "" {
		// "Bearer <token>": the token alone is a secret too.
		if _, tok, ok := strings.Cut(v, " "); ok {
			secrets.Add(tok)
		}
		header = [2]string{f.AuthHeader, v}
	}
	return tc, header, nil
}

// ClusterFlinkVersion asks the external Flink of f which version it runs
// (its REST API's overview), with the scenario's TLS and credentials: where
// env.flink_version is left unset, a run submits the job of that version's
// line. secrets receives the credentials it reads.
func ClusterFlinkVersion(ctx context.Context, f scenarios.ExternalFlink, secrets *redact.Secrets) (string, error) {
	ftls, header, err := FlinkAccess(f, secrets)
	if err != nil {
		return "", &env.InputError{Err: err}
	}
	ep := &env.Endpoints{FlinkREST: strings.TrimRight(f.REST, "/"), FlinkTLS: ftls, FlinkHeader: header}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	o, err := ep.FlinkClient().Overview(cctx)
	if err != nil {
		var re *flink.RESTError
		if errors.As(err, &re) && (re.Status == 401 || re.Status == 403) {
			return "", &AuthError{Err: fmt.Errorf("flink REST %s refused abload's credentials (HTTP %d; env.external.flink.auth_header, auth_env/auth_file)", ep.FlinkREST, re.Status)}
		}
		return "", fmt.Errorf("flink REST %s: %w", ep.FlinkREST, err)
	}
	if o.FlinkVersion == "" {
		return "", fmt.Errorf("flink REST %s: its overview names no flink-version", ep.FlinkREST)
	}
	return o.FlinkVersion, nil
}
