package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The local broker's SECURE listener (SASL_SSL, SCRAM) against franz-go
// clients built by KafkaSecurity: both SCRAM mechanisms work over TLS that
// verifies the generated CA; a wrong password, a client without TLS and one
// without SASL are turned away and create nothing; the password is in no log
// file, in no line abload logged, and not in the broker's command line.
func TestSecureListener(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: starts a real Kafka broker (run without -short)")
	}
	rt, err := FindRuntime("")
	if err != nil {
		t.Fatal(err)
	}
	logs := t.TempDir()
	work := filepath.Join(t.TempDir(), "work")
	var logMu sync.Mutex
	var logged []string
	env := NewLocal(LocalConfig{
		Runtime: rt, LogDir: logs, WorkDir: work, KafkaOnly: true, StartupTimeout: time.Minute,
		Secure: &SecureListener{},
		Logf: func(format string, args ...any) {
			line := fmt.Sprintf(format, args...)
			logMu.Lock()
			logged = append(logged, line)
			logMu.Unlock()
			t.Log(line)
		},
	})
	t.Cleanup(func() { _ = env.Stop(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	begin := time.Now()
	ep, err := env.Start(ctx)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Logf("broker up in %.1fs", time.Since(begin).Seconds())
	sec := env.SecureEndpoint()
	if sec == nil || sec.Password == "" || sec.Addr == ep.KafkaBootstrap[0] {
		t.Fatalf("secure endpoint %v", sec)
	}
	password := sec.Password

	// The broker's command line and environment, while it runs.
	var brokerPID int
	for _, c := range env.Components() {
		if c.Name == "kafka" {
			brokerPID = c.PID
		}
	}
	if brokerPID == 0 {
		t.Fatal("no kafka process")
	}
	for _, f := range []string{"cmdline", "environ"} {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(brokerPID), f))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(password)) {
			t.Errorf("the password is in the broker's /proc/%d/%s", brokerPID, f)
		}
	}
	// In WorkDir: the generated files at 0600, the key only in its own,
	// and the storage tool's argument file gone.
	kdir := filepath.Join(work, "kafka")
	for _, f := range []string{"secure/server.pem", "secure/ca.pem"} {
		if st, err := os.Stat(filepath.Join(kdir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		} else if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v; want 0600", f, st.Mode())
		}
	}
	if files := filesContaining(t, work, []byte("PRIVATE KEY")); len(files) != 1 || files[0] != filepath.Join(kdir, "secure", "server.pem") {
		t.Errorf("the server's key is in %v, want only in secure/server.pem", files)
	}
	if fileExists(filepath.Join(kdir, "secure", "format.args")) {
		t.Error("the storage tool's argument file outlived the format")
	}
	if files := filesContaining(t, work, []byte(password)); len(files) > 0 {
		t.Errorf("the password is in %v after start", files)
	}

	plain, err := kgo.NewClient(ep.seed()...)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	padm := kadm.NewClient(plain)
	topicNames := func() []string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		td, err := padm.ListTopics(ctx)
		if err != nil {
			t.Fatalf("list topics over PLAINTEXT: %v", err)
		}
		return td.Names()
	}

	client := func(t *testing.T, s KafkaSecurity, more ...kgo.Opt) *kgo.Client {
		t.Helper()
		opts, err := s.Opts()
		if err != nil {
			t.Fatal(err)
		}
		opts = append(append(opts, kgo.SeedBrokers(sec.Addr), kgo.DialTimeout(3*time.Second), kgo.RequestRetries(2)), more...)
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		return cl
	}
	roundTrip := func(t *testing.T, s KafkaSecurity, topic string) {
		t.Helper()
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		adm := kadm.NewClient(client(t, s))
		m, err := adm.BrokerMetadata(ctx)
		if err != nil {
			t.Fatalf("metadata over SECURE: %v", err)
		}
		if len(m.Brokers) != 1 || fmt.Sprintf("%s:%d", m.Brokers[0].Host, m.Brokers[0].Port) != sec.Addr {
			t.Fatalf("brokers advertised on SECURE: %+v, want %s", m.Brokers, sec.Addr)
		}
		resp, err := adm.CreateTopic(ctx, 1, 1, nil, topic)
		if err == nil {
			err = resp.Err
		}
		if err != nil {
			t.Fatalf("create topic: %v", err)
		}
		value := []byte("over SASL_SSL with " + s.SASL.Mechanism)
		if err := client(t, s).ProduceSync(ctx, &kgo.Record{Topic: topic, Value: value}).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
		cons := client(t, s, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		for {
			fs := cons.PollFetches(ctx)
			if err := ctx.Err(); err != nil {
				t.Fatalf("consume: %v", err)
			}
			if errs := fs.Errors(); len(errs) > 0 {
				t.Fatalf("consume: %v", errs[0].Err)
			}
			if recs := fs.Records(); len(recs) > 0 {
				if !bytes.Equal(recs[0].Value, value) {
					t.Fatalf("consumed %q, want %q", recs[0].Value, value)
				}
				break
			}
		}
		t.Logf("create, produce, consume in %.2fs", time.Since(start).Seconds())
	}

	t.Run("SCRAM-SHA-512", func(t *testing.T) {
		s := sec.Security("SCRAM-SHA-512")
		s.TLS = &TLSConfig{CAFile: sec.CAFile, ServerName: "127.0.0.1"}
		roundTrip(t, s, "secure-sha512")
	})
	t.Run("SCRAM-SHA-256", func(t *testing.T) {
		roundTrip(t, sec.Security("SCRAM-SHA-256"), "secure-sha256")
	})

	// refused runs a client that must fail, and checks it creates nothing.
	refused := func(t *testing.T, s KafkaSecurity, check func(error)) {
		t.Helper()
		before := topicNames()
		topic := "secure-refused-" + strings.ToLower(t.Name()[strings.LastIndex(t.Name(), "/")+1:])
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		resp, err := kadm.NewClient(client(t, s)).CreateTopic(ctx, 1, 1, nil, topic)
		if err == nil {
			err = resp.Err
		}
		took := time.Since(start)
		t.Logf("refused in %.2fs: %v", took.Seconds(), err)
		if err == nil {
			t.Fatal("the client was let in")
		}
		if took > 8*time.Second {
			t.Errorf("refusal took %s", took)
		}
		check(err)
		after := topicNames()
		if slices.Contains(after, topic) || len(after) != len(before) {
			t.Errorf("topics before %v, after %v", before, after)
		}
	}
	t.Run("wrong password", func(t *testing.T) {
		s := sec.Security("SCRAM-SHA-512")
		s.SASL.Password = "not-" + password
		refused(t, s, func(err error) {
			if !errors.Is(err, kerr.SaslAuthenticationFailed) {
				t.Errorf("error %v, want SASL_AUTHENTICATION_FAILED", err)
			}
		})
	})
	t.Run("no TLS", func(t *testing.T) {
		s := sec.Security("SCRAM-SHA-256")
		s.TLS = nil
		refused(t, s, func(error) {})
	})
	t.Run("no SASL", func(t *testing.T) {
		s := sec.Security("SCRAM-SHA-256")
		s.SASL = nil
		refused(t, s, func(error) {})
	})
	t.Run("other CA", func(t *testing.T) {
		other, _, _, err := newServerCert()
		if err != nil {
			t.Fatal(err)
		}
		s := sec.Security("SCRAM-SHA-256")
		s.TLS.CAPEM = other
		refused(t, s, func(err error) {
			if !strings.Contains(err.Error(), "certificate") {
				t.Errorf("error %v, want a certificate verification failure", err)
			}
		})
	})

	t.Run("no password in logs", func(t *testing.T) {
		if err := env.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if files := filesContaining(t, logs, []byte(password)); len(files) > 0 {
			t.Errorf("the password is in %v", files)
		}
		// The broker printed its configuration, with the secrets hidden.
		kl, err := os.ReadFile(filepath.Join(logs, "kafka.log"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(kl, []byte("sasl.enabled.mechanisms = [SCRAM-SHA-256, SCRAM-SHA-512]")) {
			t.Error("kafka.log does not show the broker's configuration")
		}
		if files := filesContaining(t, logs, []byte("PRIVATE KEY")); len(files) > 0 {
			t.Errorf("the server's private key is in %v", files)
		}
		logMu.Lock()
		defer logMu.Unlock()
		for _, l := range logged {
			if strings.Contains(l, password) {
				t.Errorf("abload logged the password: %q", l)
			}
		}
	})
}

// filesContaining lists the regular files under dir that contain s.
func filesContaining(t *testing.T, dir string, s []byte) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a file the broker removed meanwhile
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if bytes.Contains(b, s) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
