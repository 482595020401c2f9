package local

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abload/abload/harness/env"
)

func TestKafkaSecurityNone(t *testing.T) {
	opts, err := env.KafkaSecurity{}.Opts()
	if err != nil || len(opts) != 0 {
		t.Fatalf("zero KafkaSecurity: %d options, %v; want none", len(opts), err)
	}
}

func TestKafkaSecurityErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	caPEM, _, _, err := NewServerCert()
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	for _, c := range []struct {
		name string
		s    env.KafkaSecurity
		want string
	}{
		{"ca file without certificates", env.KafkaSecurity{TLS: &env.TLSConfig{CAFile: junk}}, "tls.ca_file " + junk + ": no certificates found"},
		{"missing ca file", env.KafkaSecurity{TLS: &env.TLSConfig{CAFile: missing}}, "tls.ca_file: open " + missing + ": no such file"},
		{"ca pem without certificates", env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: []byte("junk")}}, "tls.ca_pem: no certificates found"},
		{"both ca file and pem", env.KafkaSecurity{TLS: &env.TLSConfig{CAFile: junk, CAPEM: caPEM}}, "ca_file and ca_pem are exclusive"},
		{"cert without key", env.KafkaSecurity{TLS: &env.TLSConfig{CertFile: junk}}, "tls.cert_file " + junk + " is set without tls.key_file"},
		{"key without cert", env.KafkaSecurity{TLS: &env.TLSConfig{KeyFile: junk}}, "tls.key_file " + junk + " is set without tls.cert_file"},
		{"bad key pair", env.KafkaSecurity{TLS: &env.TLSConfig{CertFile: junk, KeyFile: junk}}, "tls.cert_file " + junk + ", tls.key_file " + junk + ":"},
		{"unknown mechanism", env.KafkaSecurity{SASL: &env.SASLConfig{Mechanism: "GSSAPI", User: "u", Password: "p"}}, `sasl.mechanism "GSSAPI": unknown (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`},
		{"no mechanism", env.KafkaSecurity{SASL: &env.SASLConfig{User: "u", Password: "p"}}, "sasl.mechanism is empty"},
		{"no user", env.KafkaSecurity{SASL: &env.SASLConfig{Mechanism: "PLAIN", Password: "p"}}, "sasl (PLAIN): user is empty"},
		{"no password", env.KafkaSecurity{SASL: &env.SASLConfig{Mechanism: "SCRAM-SHA-512", User: "u"}}, "sasl (SCRAM-SHA-512): password is empty"},
		{"bad tls with good sasl", env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: []byte("x")}, SASL: &env.SASLConfig{Mechanism: "PLAIN", User: "u", Password: "p"}}, "tls.ca_pem"},
	} {
		_, err := c.s.Opts()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestKafkaSecurityOpts(t *testing.T) {
	caPEM, _, _, err := NewServerCert()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "scram-sha-512"} {
		opts, err := env.KafkaSecurity{
			TLS:  &env.TLSConfig{CAFile: caFile, ServerName: "127.0.0.1"},
			SASL: &env.SASLConfig{Mechanism: mech, User: "u", Password: "p"},
		}.Opts()
		if err != nil || len(opts) != 2 {
			t.Errorf("%s: %d options, %v; want 2", mech, len(opts), err)
		}
	}
	c, err := (&env.TLSConfig{CAPEM: caPEM, ServerName: "localhost"}).Config()
	if err != nil {
		t.Fatal(err)
	}
	if c.RootCAs == nil || c.ServerName != "localhost" || c.MinVersion != tls.VersionTLS12 || c.InsecureSkipVerify {
		t.Errorf("tls config %+v", c)
	}
}

func TestSecretsNotPrinted(t *testing.T) {
	const pw = "s3cr3t-Pa55"
	s := env.SASLConfig{Mechanism: "SCRAM-SHA-256", User: "abload", Password: pw}
	ep := SecureEndpoint{Addr: "127.0.0.1:1", User: "abload", Password: pw, CAFile: "/x/ca.pem"}
	for _, got := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", &s), fmt.Sprint(ep), fmt.Sprintf("%v", &ep)} {
		if strings.Contains(got, pw) {
			t.Errorf("%q shows the password", got)
		}
	}
	if err := checkScramPassword("bad,pass" + pw); err == nil || strings.Contains(err.Error(), pw) {
		t.Errorf("password check: %v", err)
	}
}

// The generated chain verifies against the generated CA for 127.0.0.1 and
// localhost (server auth), and a Go TLS client configured from
// SecureEndpoint.Security completes a handshake with it.
func TestGeneratedServerCertificate(t *testing.T) {
	caPEM, chainPEM, keyPEM, err := NewServerCert()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA PEM holds no certificate")
	}
	blk, rest := pem.Decode(chainPEM)
	if blk == nil || !strings.Contains(string(rest), "BEGIN CERTIFICATE") {
		t.Fatal("chain is not server certificate + CA")
	}
	leaf, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: pool}); err == nil {
		t.Error("certificate verifies for example.com")
	}
	if blk, _ := pem.Decode(keyPEM); blk == nil || blk.Type != "PRIVATE KEY" {
		t.Fatal("key is not PKCS#8 PEM")
	}
	kp, err := tls.X509KeyPair(chainPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}

	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{kp}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	ep := SecureEndpoint{Addr: ln.Addr().String(), CAPEM: caPEM, User: "u", Password: "p"}
	sec := ep.Security("SCRAM-SHA-512")
	if sec.TLS.ServerName != "127.0.0.1" || sec.SASL.Mechanism != "SCRAM-SHA-512" {
		t.Fatalf("security %+v %+v", *sec.TLS, *sec.SASL)
	}
	handshake := func(tc *env.TLSConfig) error {
		c, err := tc.Config()
		if err != nil {
			return err
		}
		conn, err := tls.DialWithDialer(&net.Dialer{}, "tcp", ep.Addr, c)
		if err != nil {
			return err
		}
		return conn.Close()
	}
	if err := handshake(sec.TLS); err != nil {
		t.Errorf("handshake verifying the generated CA: %v", err)
	}
	other, _, _, _ := NewServerCert()
	if err := handshake(&env.TLSConfig{CAPEM: other, ServerName: "127.0.0.1"}); err == nil {
		t.Error("handshake succeeded against another CA")
	}
}

func TestNewSecureMaterial(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secure")
	a, err := newSecureMaterial(dir, SecureListener{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := newSecureMaterial(filepath.Join(t.TempDir(), "secure"), SecureListener{})
	if err != nil {
		t.Fatal(err)
	}
	if a.user != "abload" || len(a.password) < 32 || a.password == b.password {
		t.Errorf("generated credentials: user %q, password length %d, same twice %v", a.user, len(a.password), a.password == b.password)
	}
	if err := checkScramPassword(a.password); err != nil {
		t.Errorf("generated password refused: %v", err)
	}
	for _, f := range []string{a.caFile, a.keystoreFile} {
		if st, err := os.Stat(f); err != nil {
			t.Errorf("%s: %v", f, err)
		} else if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v; want 0600", f, st.Mode())
		}
	}
	// The keystore is the key, then the chain; the CA file verifies it.
	kp, err := tls.LoadX509KeyPair(a.keystoreFile, a.keystoreFile)
	if err != nil || len(kp.Certificate) != 2 {
		t.Fatalf("keystore %s: %v", a.keystoreFile, err)
	}
	if b, _ := os.ReadFile(a.keystoreFile); !strings.HasPrefix(string(b), "-----BEGIN PRIVATE KEY-----") {
		t.Error("keystore does not start with the key")
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(a.caPEM)
	if _, err := kp.Leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: pool}); err != nil {
		t.Errorf("server certificate against the CA: %v", err)
	}
	c, err := newSecureMaterial(dir, SecureListener{User: "bench", Password: "given-Pw.1"})
	if err != nil || c.user != "bench" || c.password != "given-Pw.1" {
		t.Errorf("given credentials: %v %q", err, c.user)
	}
	args := strings.Join(c.scramArgs(), " ")
	if args != "--add-scram SCRAM-SHA-256=[name=bench,password=given-Pw.1] --add-scram SCRAM-SHA-512=[name=bench,password=given-Pw.1]" {
		t.Errorf("scram args %q", args)
	}
	for _, bad := range []SecureListener{{User: "a,b"}, {User: "a b"}, {Password: "a]b"}, {Password: "a b"}, {Password: `a"b`}, {Password: "é"}} {
		if _, err := newSecureMaterial(dir, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestWriteJVMArgFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.args")
	if err := writeJVMArgFile(p, []string{"kafka.tools.StorageTool", `a "b" c\d`, "/dir with space/x"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	want := "\"kafka.tools.StorageTool\"\n\"a \\\"b\\\" c\\\\d\"\n\"/dir with space/x\"\n"
	if string(b) != want {
		t.Errorf("arg file\n%s\nwant\n%s", b, want)
	}
	if st, err := os.Stat(p); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
}
