package external

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/local"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/scenarios"
)

// Unit tests of external.go: no cluster, no network beyond 127.0.0.1
// listeners started here. The tests share one set of secrets (xuSecrets):
// every test adds its own random values and never assumes the set is
// empty.

// xuSecrets collects what the functions under test read as secrets.
var xuSecrets = &redact.Secrets{}

// xuRand is 16 random hex digits, to make each test's secrets unique.
func xuRand(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func xuWrite(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// xuClientPKI generates a CA and a client certificate signed by it; the
// client key is PEM in the legacy SEC 1 form ("EC PRIVATE KEY").
func xuClientPKI(t testing.TB) (caPEM, certPEM, keyPEM []byte, key *ecdsa.PrivateKey) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "xu test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		t.Fatal(err)
	}
	key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "xu-client"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	clDER, err := x509.CreateCertificate(rand.Reader, cl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	sec1, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: clDER})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})
	return caPEM, certPEM, keyPEM, key
}

// xuLoadProperties reads a java.util.Properties text the way
// Properties.load does: logical lines continued by an odd number of
// trailing backslashes, '#' and '!' comments, the key ending at the first
// unescaped '=', ':' or white space, and the escapes \t \n \r \f \uXXXX
// (UTF-16, surrogate pairs combined) and \<any> for <any>.
func xuLoadProperties(text string) ([][2]string, error) {
	var out [][2]string
	isWS := func(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }
	trimLeft := func(s string) string {
		i := 0
		for i < len(s) && isWS(s[i]) {
			i++
		}
		return s[i:]
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	natural := strings.Split(text, "\n")
	for i := 0; i < len(natural); i++ {
		line := trimLeft(natural[i])
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		for {
			n := 0
			for n < len(line) && line[len(line)-1-n] == '\\' {
				n++
			}
			if n%2 == 0 {
				break
			}
			line = line[:len(line)-1]
			i++
			if i >= len(natural) {
				break
			}
			line += trimLeft(natural[i])
		}
		// The key ends at the first unescaped '=', ':' or white space.
		end := len(line)
		for j := 0; j < len(line); j++ {
			if line[j] == '\\' {
				j++
				continue
			}
			if line[j] == '=' || line[j] == ':' || isWS(line[j]) {
				end = j
				break
			}
		}
		rawKey, rest := line[:end], line[end:]
		rest = trimLeft(rest)
		if rest != "" && (rest[0] == '=' || rest[0] == ':') {
			rest = trimLeft(rest[1:])
		}
		k, err := xuUnescape(rawKey)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", rawKey, err)
		}
		v, err := xuUnescape(rest)
		if err != nil {
			return nil, fmt.Errorf("value %q: %w", rest, err)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func xuUnescape(s string) (string, error) {
	var units []uint16
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= 0x80 {
			r, size = []rune(s[i:])[0], len(string([]rune(s[i:])[0]))
		}
		if r != '\\' {
			units = append(units, utf16.Encode([]rune{r})...)
			i += size
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New("dangling backslash")
		}
		c := s[i+1]
		i += 2
		switch c {
		case 't':
			units = append(units, '\t')
		case 'n':
			units = append(units, '\n')
		case 'r':
			units = append(units, '\r')
		case 'f':
			units = append(units, '\f')
		case 'u':
			if i+4 > len(s) {
				return "", errors.New(`short \u escape`)
			}
			n, err := strconv.ParseUint(s[i:i+4], 16, 16)
			if err != nil {
				return "", fmt.Errorf(`bad \u escape %q`, s[i:i+4])
			}
			units = append(units, uint16(n))
			i += 4
		default:
			units = append(units, uint16(c))
		}
	}
	return string(utf16.Decode(units)), nil
}

func TestXuLoadPropertiesReader(t *testing.T) {
	// The reader itself, against texts written by hand the Java way.
	got, err := xuLoadProperties("# comment\n! other\n\n  a\\ b = x\\ny \\\n   z\nc:d\\u00e9\\ud83d\\ude00\ne\\=f\\:g \\ lead\\\\\nempty\n")
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"a b", "x\ny z"}, {"c", "d\u00e9\U0001F600"}, {"e=f:g", " lead\\"}, {"empty", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("reader: got %q, want %q", got, want)
	}
}

func TestReadSecretSources(t *testing.T) {
	dir := t.TempDir()
	const path = "env.external.kafka.sasl.password"

	envVar := "XU_SECRET_" + strings.ToUpper(xuRand(t))
	if _, err := readSecret(xuSecrets, path, envVar, ""); err == nil || !strings.Contains(err.Error(), path+"_env") || !strings.Contains(err.Error(), envVar) {
		t.Errorf("unset variable: error %v; want it to name %s_env and %s", err, path, envVar)
	}
	t.Setenv(envVar, "")
	if _, err := readSecret(xuSecrets, path, envVar, ""); err == nil || !strings.Contains(err.Error(), envVar) {
		t.Errorf("empty variable: error %v", err)
	}
	val := "env-secret-" + xuRand(t)
	t.Setenv(envVar, val)
	got, err := readSecret(xuSecrets, path, envVar, "")
	if err != nil || got != val {
		t.Fatalf("set variable: %q, %v; want %q", got, err, val)
	}
	if xuSecrets.String(val) != redact.Redacted {
		t.Errorf("the variable's value is not registered: Redact = %q", xuSecrets.String(val))
	}

	fileVal := "file-secret-" + xuRand(t)
	f := xuWrite(t, dir, "pw", []byte(fileVal+"\r\n"))
	got, err = readSecret(xuSecrets, path, "", f)
	if err != nil || got != fileVal {
		t.Fatalf("file with CRLF: %q, %v; want %q", got, err, fileVal)
	}
	if xuSecrets.String("x"+fileVal+"x") != "x<redacted>x" {
		t.Errorf("the file's value is not registered")
	}

	empty := xuWrite(t, dir, "empty", []byte("\r\n\n"))
	if _, err := readSecret(xuSecrets, path, "", empty); err == nil || !strings.Contains(err.Error(), path+"_file") || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: error %v", err)
	}
	missing := filepath.Join(dir, "missing")
	if _, err := readSecret(xuSecrets, path, "", missing); err == nil || !strings.Contains(err.Error(), path+"_file") || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: error %v", err)
	}
	if v, err := readSecret(xuSecrets, path, "", ""); v != "" || err != nil {
		t.Errorf("neither env nor file: %q, %v; want empty, nil", v, err)
	}

	// No error message carries a secret: the value of the other source, or
	// the content of a file that is not a secret file.
	leak := "leak-" + xuRand(t)
	dirAsFile := filepath.Join(dir, "dir")
	if err := os.Mkdir(dirAsFile, 0o700); err != nil {
		t.Fatal(err)
	}
	xuWrite(t, dirAsFile, "content", []byte(leak))
	t.Setenv(envVar, "")
	for _, c := range []struct{ env, file string }{{envVar, ""}, {"", dirAsFile}, {"", empty}, {"", missing}} {
		_, err := readSecret(xuSecrets, path, c.env, c.file)
		if err == nil {
			t.Errorf("%+v: no error", c)
			continue
		}
		for _, s := range []string{leak, val, fileVal} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%+v: error %q contains a secret", c, err)
			}
		}
	}
}

func TestExternalKafkaSecurityUnit(t *testing.T) {
	dir := t.TempDir()
	caPEM, _, _, err := local.NewServerCert()
	if err != nil {
		t.Fatal(err)
	}
	caFile := xuWrite(t, dir, "ca.pem", caPEM)

	if s, err := KafkaSecurity(scenarios.ExternalKafka{Bootstrap: []string{"b:9092"}}, xuSecrets); s != nil || err != nil {
		t.Errorf("no TLS, no SASL: %+v, %v; want nil, nil", s, err)
	}
	// SASL settings without a mechanism are not SASL.
	if s, err := KafkaSecurity(scenarios.ExternalKafka{SASL: scenarios.SASL{Username: "u"}}, xuSecrets); s != nil || err != nil {
		t.Errorf("no mechanism: %+v, %v; want nil, nil", s, err)
	}

	s, err := KafkaSecurity(scenarios.ExternalKafka{TLS: scenarios.TLS{Enabled: true, CAFile: caFile, ServerName: "broker.example"}}, xuSecrets)
	if err != nil || s == nil || s.TLS == nil || s.SASL != nil {
		t.Fatalf("TLS: %+v, %v", s, err)
	}
	if s.TLS.CAFile != caFile || s.TLS.ServerName != "broker.example" {
		t.Errorf("TLS config %+v", *s.TLS)
	}
	if c, err := s.TLS.Config(); err != nil || c.RootCAs == nil || c.ServerName != "broker.example" {
		t.Errorf("TLS config: %v", err)
	}

	envVar := "XU_KAFKA_PW_" + strings.ToUpper(xuRand(t))
	pw := "scram-" + xuRand(t)
	t.Setenv(envVar, pw)
	s, err = KafkaSecurity(scenarios.ExternalKafka{SASL: scenarios.SASL{Mechanism: scenarios.SASLScramSHA512, Username: "alice", PasswordEnv: envVar}}, xuSecrets)
	if err != nil || s == nil || s.TLS != nil || s.SASL == nil {
		t.Fatalf("SASL: %+v, %v", s, err)
	}
	if want := (env.SASLConfig{Mechanism: "SCRAM-SHA-512", User: "alice", Password: pw}); *s.SASL != want {
		t.Errorf("SASL %+v, want %+v", *s.SASL, want)
	}
	if xuSecrets.String(pw) != redact.Redacted {
		t.Error("the SASL password is not registered")
	}

	missingCA := filepath.Join(dir, "no-such-ca.pem")
	_, err = KafkaSecurity(scenarios.ExternalKafka{TLS: scenarios.TLS{Enabled: true, CAFile: missingCA}}, xuSecrets)
	if err == nil || !strings.HasPrefix(err.Error(), "env.external.kafka.tls.ca_file") || !strings.Contains(err.Error(), missingCA) {
		t.Errorf("missing CA file: error %v; want env.external.kafka.tls.ca_file … %s", err, missingCA)
	}
	_, err = KafkaSecurity(scenarios.ExternalKafka{SASL: scenarios.SASL{Mechanism: "GSSAPI", Username: "u", PasswordEnv: envVar}}, xuSecrets)
	if err == nil || !strings.HasPrefix(err.Error(), "env.external.kafka.sasl.mechanism") {
		t.Errorf("unknown mechanism: error %v", err)
	}
	unset := "XU_UNSET_" + strings.ToUpper(xuRand(t))
	_, err = KafkaSecurity(scenarios.ExternalKafka{SASL: scenarios.SASL{Mechanism: "PLAIN", Username: "u", PasswordEnv: unset}}, xuSecrets)
	if err == nil || !strings.Contains(err.Error(), "env.external.kafka.sasl.password_env") || !strings.Contains(err.Error(), unset) {
		t.Errorf("unset password variable: error %v", err)
	}

	// A client certificate with a legacy SEC 1 key.
	ca2, certPEM, keyPEM, _ := xuClientPKI(t)
	ca2File := xuWrite(t, dir, "ca2.pem", ca2)
	certFile := xuWrite(t, dir, "client.pem", certPEM)
	keyFile := xuWrite(t, dir, "client.key", keyPEM)
	if !strings.HasPrefix(string(keyPEM), "-----BEGIN EC PRIVATE KEY-----") {
		t.Fatalf("key is not SEC 1: %.40s", keyPEM)
	}
	s, err = KafkaSecurity(scenarios.ExternalKafka{TLS: scenarios.TLS{Enabled: true, CAFile: ca2File, CertFile: certFile, KeyFile: keyFile}}, xuSecrets)
	if err != nil || s == nil || s.TLS == nil {
		t.Fatalf("client certificate: %+v, %v", s, err)
	}
	if c, err := s.TLS.Config(); err != nil || len(c.Certificates) != 1 {
		t.Errorf("client certificate config: %v", err)
	}
	if got := xuSecrets.String(string(keyPEM)); got != "<redacted>\n" {
		t.Errorf("key file content not registered: Redact = %q", got)
	}
	if got := xuSecrets.String(string(certPEM)); got != string(certPEM) {
		t.Errorf("the certificate (public) was redacted")
	}
	missingKey := filepath.Join(dir, "no-such.key")
	_, err = KafkaSecurity(scenarios.ExternalKafka{TLS: scenarios.TLS{Enabled: true, CertFile: certFile, KeyFile: missingKey}}, xuSecrets)
	if err == nil || !strings.HasPrefix(err.Error(), "env.external.kafka.tls.key_file") {
		t.Errorf("missing key file: error %v", err)
	}
}

const (
	xuScram = "org.apache.kafka.common.security.scram.ScramLoginModule"
	xuPlain = "org.apache.kafka.common.security.plain.PlainLoginModule"
)

func TestJobKafkaPropertiesUnit(t *testing.T) {
	dir := t.TempDir()
	caPEM, _, _, err := local.NewServerCert()
	if err != nil {
		t.Fatal(err)
	}
	caFile := xuWrite(t, dir, "ca.pem", append([]byte("\n"), caPEM...))
	caText := strings.TrimSpace(string(caPEM))

	if p, err := env.JobKafkaProperties(env.KafkaSecurity{}, xuSecrets); p != nil || err != nil {
		t.Errorf("no security: %q, %v; want nil", p, err)
	}

	pw := `pa"ss\w` + xuRand(t)
	pwQuoted := strings.ReplaceAll(strings.ReplaceAll(pw, `\`, `\\`), `"`, `\"`)
	if !strings.Contains(pwQuoted, `pa\"ss\\w`) {
		t.Fatalf("quoted %q", pwQuoted)
	}
	for _, c := range []struct {
		name string
		s    env.KafkaSecurity
		want [][2]string
	}{
		{"SASL_SSL SCRAM-SHA-256", env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: caPEM}, SASL: &env.SASLConfig{Mechanism: "scram-sha-256", User: `bo"b`, Password: pw}}, [][2]string{
			{"security.protocol", "SASL_SSL"},
			{"ssl.truststore.type", "PEM"},
			{"ssl.truststore.certificates", caText},
			{"sasl.mechanism", "SCRAM-SHA-256"},
			{"sasl.jaas.config", xuScram + ` required username="bo\"b" password="` + pwQuoted + `";`},
		}},
		{"SASL_PLAINTEXT PLAIN", env.KafkaSecurity{SASL: &env.SASLConfig{Mechanism: "PLAIN", User: "u", Password: pw}}, [][2]string{
			{"security.protocol", "SASL_PLAINTEXT"},
			{"sasl.mechanism", "PLAIN"},
			{"sasl.jaas.config", xuPlain + ` required username="u" password="` + pwQuoted + `";`},
		}},
		{"SASL_PLAINTEXT SCRAM-SHA-512", env.KafkaSecurity{SASL: &env.SASLConfig{Mechanism: "SCRAM-SHA-512", User: "u", Password: "plain-pw"}}, [][2]string{
			{"security.protocol", "SASL_PLAINTEXT"},
			{"sasl.mechanism", "SCRAM-SHA-512"},
			{"sasl.jaas.config", xuScram + ` required username="u" password="plain-pw";`},
		}},
		{"SSL with a CA file", env.KafkaSecurity{TLS: &env.TLSConfig{CAFile: caFile}}, [][2]string{
			{"security.protocol", "SSL"},
			{"ssl.truststore.type", "PEM"},
			{"ssl.truststore.certificates", caText},
		}},
		{"SSL, system roots, no verification", env.KafkaSecurity{TLS: &env.TLSConfig{InsecureSkipVerify: true}}, [][2]string{
			{"security.protocol", "SSL"},
			{"ssl.endpoint.identification.algorithm", ""},
		}},
	} {
		got, err := env.JobKafkaProperties(c.s, xuSecrets)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}

	// A client certificate whose key is SEC 1: the job gets PKCS#8.
	ca2, certPEM, keyPEM, key := xuClientPKI(t)
	certFile := xuWrite(t, dir, "client.pem", append(certPEM, '\n'))
	keyFile := xuWrite(t, dir, "client.key", keyPEM)
	p, err := env.JobKafkaProperties(env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: ca2, CertFile: certFile, KeyFile: keyFile}}, xuSecrets)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	m := map[string]string{}
	for _, kv := range p {
		keys = append(keys, kv[0])
		m[kv[0]] = kv[1]
	}
	wantKeys := []string{"security.protocol", "ssl.truststore.type", "ssl.truststore.certificates", "ssl.keystore.type", "ssl.keystore.certificate.chain", "ssl.keystore.key"}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Fatalf("keys %q, want %q", keys, wantKeys)
	}
	if m["ssl.keystore.type"] != "PEM" || m["security.protocol"] != "SSL" {
		t.Errorf("keystore type %q, protocol %q", m["ssl.keystore.type"], m["security.protocol"])
	}
	if got := m["ssl.keystore.certificate.chain"]; got != strings.TrimSpace(string(certPEM)) {
		t.Errorf("certificate chain %q, want the cert file trimmed", got)
	}
	blk, rest := pem.Decode([]byte(m["ssl.keystore.key"]))
	if blk == nil || blk.Type != "PRIVATE KEY" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("ssl.keystore.key is not one PKCS#8 PEM block: %.60q", m["ssl.keystore.key"])
	}
	if !strings.HasPrefix(m["ssl.keystore.key"], "-----BEGIN PRIVATE KEY-----\n") || strings.HasSuffix(m["ssl.keystore.key"], "\n") {
		t.Errorf("ssl.keystore.key framing: %q…", m["ssl.keystore.key"][:30])
	}
	pk, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatalf("ssl.keystore.key: %v", err)
	}
	ek, ok := pk.(*ecdsa.PrivateKey)
	if !ok || !ek.Equal(key) {
		t.Errorf("ssl.keystore.key is a %T, not the client's key", pk)
	}
	certBlk, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(certBlk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if ok && !ek.PublicKey.Equal(cert.PublicKey) {
		t.Error("ssl.keystore.key does not match the certificate's public key")
	}
	if got := xuSecrets.String("key=" + m["ssl.keystore.key"]); got != "key=<redacted>" {
		t.Errorf("the PKCS#8 key is not registered: %.80q", got)
	}

	// Errors name the field, never a secret.
	missing := filepath.Join(dir, "missing.pem")
	for _, c := range []struct {
		name string
		tls  env.TLSConfig
		want string
	}{
		{"missing CA file", env.TLSConfig{CAFile: missing}, "tls.ca_file: "},
		{"missing cert file", env.TLSConfig{CertFile: missing, KeyFile: keyFile}, "tls.cert_file: "},
		{"key of another certificate", env.TLSConfig{CertFile: xuWrite(t, dir, "ca-as-cert.pem", caPEM), KeyFile: keyFile}, "tls.cert_file, tls.key_file: "},
	} {
		_, err := env.JobKafkaProperties(env.KafkaSecurity{TLS: &c.tls}, xuSecrets)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v, want prefix %q", c.name, err, c.want)
		}
	}
}

func TestJobKafkaPropertiesArgRoundTrip(t *testing.T) {
	_, certPEM, keyPEM, _ := xuClientPKI(t)
	dir := t.TempDir()
	caPEM, _, _, err := local.NewServerCert()
	if err != nil {
		t.Fatal(err)
	}
	pw := `p w=:#!\"` + xuRand(t) + "é😀\t"
	p, err := env.JobKafkaProperties(env.KafkaSecurity{
		TLS:  &env.TLSConfig{CAPEM: caPEM, CertFile: xuWrite(t, dir, "c.pem", certPEM), KeyFile: xuWrite(t, dir, "c.key", keyPEM)},
		SASL: &env.SASLConfig{Mechanism: "SCRAM-SHA-256", User: "u", Password: pw},
	}, xuSecrets)
	if err != nil {
		t.Fatal(err)
	}
	p = append(p,
		[2]string{"with space", " leading space, trailing space "},
		[2]string{"a=b:c", "x=y:z"},
		[2]string{"tab\tkey", "#not a comment"},
		[2]string{"empty.value", ""},
		[2]string{"back\\slash", "ends with \\"},
		[2]string{"unicode.é", "line1\r\nline2\u2028é😀\f"},
	)
	arg := env.JobKafkaPropertiesArg(p, xuSecrets)
	text, err := base64.StdEncoding.DecodeString(arg)
	if err != nil {
		t.Fatalf("not base64: %v", err)
	}
	if strings.Count(string(text), "\n") != len(p) {
		t.Errorf("%d lines for %d properties:\n%s", strings.Count(string(text), "\n"), len(p), text)
	}
	for _, b := range text {
		if b >= 0x80 {
			t.Fatalf("properties text is not ASCII:\n%s", text)
		}
	}
	got, err := xuLoadProperties(string(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if !reflect.DeepEqual(got, p) {
		for i := range max(len(got), len(p)) {
			var g, w [2]string
			if i < len(got) {
				g = got[i]
			}
			if i < len(p) {
				w = p[i]
			}
			if g != w {
				t.Errorf("property %d: read back %q, want %q", i, g, w)
			}
		}
		t.Logf("text:\n%s", text)
	}
	// The multi-line PEM values came back with their line breaks.
	for _, kv := range got {
		if kv[0] == "ssl.truststore.certificates" && kv[1] != strings.TrimSpace(string(caPEM)) {
			t.Errorf("truststore PEM read back %q", kv[1])
		}
	}
	if xuSecrets.String(arg) != redact.Redacted || xuSecrets.String("--kafka-properties "+arg+" --x") != "--kafka-properties <redacted> --x" {
		t.Error("the argument is not registered as a secret")
	}
}

func TestPropertiesKeyEscapes(t *testing.T) {
	for _, c := range []struct{ key, want string }{
		{"security.protocol", "security.protocol"},
		{"a b", `a\ b`},
		{"a=b", `a\=b`},
		{"a:b", `a\:b`},
		{`a\b`, `a\\b`},
		{"a\nb", `a\nb`},
	} {
		if got := cluster.PropertiesKey(c.key); got != c.want {
			t.Errorf("cluster.PropertiesKey(%q) = %q, want %q", c.key, got, c.want)
		}
	}
	// Whatever the key, it reads back as itself.
	for _, k := range []string{" lead", "#hash", "!bang", `x\ y`, "é😀", "\tt"} {
		got, err := xuLoadProperties(cluster.PropertiesKey(k) + "=v\n")
		if err != nil || len(got) != 1 || got[0] != [2]string{k, "v"} {
			t.Errorf("key %q written as %q reads back as %q (%v)", k, cluster.PropertiesKey(k), got, err)
		}
	}
}

func TestExternalFlinkAccessUnit(t *testing.T) {
	dir := t.TempDir()
	caPEM, _, _, err := local.NewServerCert()
	if err != nil {
		t.Fatal(err)
	}
	caFile := xuWrite(t, dir, "ca.pem", caPEM)

	tc, h, err := FlinkAccess(scenarios.ExternalFlink{REST: "http://x", AuthHeader: "Authorization"}, xuSecrets)
	if tc != nil || h != ([2]string{}) || err != nil {
		t.Errorf("nothing: %v, %q, %v; want nil, empty header, nil", tc, h, err)
	}

	tok := "abc123token" + xuRand(t)
	envVar := "XU_FLINK_AUTH_" + strings.ToUpper(xuRand(t))
	t.Setenv(envVar, "Bearer "+tok)
	tc, h, err = FlinkAccess(scenarios.ExternalFlink{AuthHeader: "Authorization", AuthEnv: envVar}, xuSecrets)
	if err != nil || tc != nil {
		t.Fatalf("auth_env: %v, %v", tc, err)
	}
	if want := [2]string{"Authorization", "Bearer " + tok}; h != want {
		t.Errorf("header %q, want %q", h, want)
	}
	if got := xuSecrets.String("Authorization: Bearer " + tok); got != "Authorization: <redacted>" {
		t.Errorf("whole value: Redact = %q", got)
	}
	if got := xuSecrets.String("token=" + tok + ";"); got != "token=<redacted>;" {
		t.Errorf("token alone: Redact = %q", got)
	}
	if got := xuSecrets.String("Bearer"); got != "Bearer" {
		t.Errorf("the scheme alone was redacted: %q", got)
	}

	authFile := xuWrite(t, dir, "auth", []byte("Token "+tok+"-f\n"))
	_, h, err = FlinkAccess(scenarios.ExternalFlink{AuthHeader: "X-Api-Key", AuthFile: authFile}, xuSecrets)
	if err != nil || h != [2]string{"X-Api-Key", "Token " + tok + "-f"} {
		t.Errorf("auth_file: %q, %v", h, err)
	}

	tc, h, err = FlinkAccess(scenarios.ExternalFlink{TLS: scenarios.TLS{Enabled: true, CAFile: caFile, ServerName: "flink.example"}, AuthHeader: "Authorization"}, xuSecrets)
	if err != nil || tc == nil {
		t.Fatalf("TLS: %v, %v", tc, err)
	}
	if tc.RootCAs == nil || tc.ServerName != "flink.example" || tc.MinVersion != tls.VersionTLS12 || h != ([2]string{}) {
		t.Errorf("TLS config: roots %v, server name %q, min version %x, header %q", tc.RootCAs != nil, tc.ServerName, tc.MinVersion, h)
	}

	missing := filepath.Join(dir, "missing.pem")
	if _, _, err := FlinkAccess(scenarios.ExternalFlink{TLS: scenarios.TLS{Enabled: true, CAFile: missing}}, xuSecrets); err == nil || !strings.HasPrefix(err.Error(), "env.external.flink.tls.ca_file") {
		t.Errorf("missing CA: error %v", err)
	}
	if _, _, err := FlinkAccess(scenarios.ExternalFlink{TLS: scenarios.TLS{Enabled: true, CertFile: caFile, KeyFile: missing}}, xuSecrets); err == nil || !strings.HasPrefix(err.Error(), "env.external.flink.tls.key_file") {
		t.Errorf("missing key: error %v", err)
	}
	unset := "XU_UNSET_" + strings.ToUpper(xuRand(t))
	if _, _, err := FlinkAccess(scenarios.ExternalFlink{AuthHeader: "Authorization", AuthEnv: unset}, xuSecrets); err == nil || !strings.Contains(err.Error(), "env.external.flink.auth_env") || !strings.Contains(err.Error(), unset) {
		t.Errorf("unset auth variable: error %v", err)
	}
}

// xuFlinkServer is an HTTPS Flink REST stand-in that records the
// Authorization header of each /overview request.
func xuFlinkServer(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/overview" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"taskmanagers":1,"slots-total":2,"slots-available":2,"flink-version":"2.2.1"}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

func TestFlinkClientTLSAndHeader(t *testing.T) {
	srv, seen := xuFlinkServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	ep := env.Endpoints{FlinkREST: srv.URL, FlinkTLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, FlinkHeader: [2]string{"Authorization", "Bearer t0k"}}
	o, err := ep.FlinkClient().Overview(ctx)
	if err != nil {
		t.Fatalf("flink.Overview: %v", err)
	}
	if want := (flink.Overview{TaskManagers: 1, SlotsTotal: 2, SlotsAvailable: 2, FlinkVersion: "2.2.1"}); *o != want {
		t.Errorf("overview %+v, want %+v", *o, want)
	}
	if got := seen(); !reflect.DeepEqual(got, []string{"Bearer t0k"}) {
		t.Errorf("the server saw Authorization %q, want [Bearer t0k]", got)
	}

	// Without the CA the server's certificate is unknown.
	ep.FlinkTLS = nil
	_, err = ep.FlinkClient().Overview(ctx)
	if err == nil || !isTLSError(err) {
		t.Errorf("without FlinkTLS: error %v, want a certificate error", err)
	}
	if n := len(seen()); n != 1 {
		t.Errorf("the server answered %d requests, want 1", n)
	}

	// The same through FlinkAccess: the scenario's CA file and auth
	// variable.
	dir := t.TempDir()
	caFile := xuWrite(t, dir, "flink-ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	envVar := "XU_FLINK_AUTH_" + strings.ToUpper(xuRand(t))
	tok := "tok-" + xuRand(t)
	t.Setenv(envVar, "Bearer "+tok)
	tc, h, err := FlinkAccess(scenarios.ExternalFlink{REST: srv.URL, TLS: scenarios.TLS{Enabled: true, CAFile: caFile}, AuthHeader: "Authorization", AuthEnv: envVar}, xuSecrets)
	if err != nil {
		t.Fatal(err)
	}
	ep = env.Endpoints{FlinkREST: srv.URL, FlinkTLS: tc, FlinkHeader: h}
	if o, err = ep.FlinkClient().Overview(ctx); err != nil || o.FlinkVersion != "2.2.1" {
		t.Fatalf("flink.Overview through FlinkAccess: %+v, %v", o, err)
	}
	if got := seen(); len(got) != 2 || got[1] != "Bearer "+tok {
		t.Errorf("the server saw Authorization %q, want the second to be Bearer %s", got, tok)
	}
}

func TestDescribeSecurityUnit(t *testing.T) {
	pw := "describe-" + xuRand(t)
	for _, c := range []struct {
		s    *env.KafkaSecurity
		want string
	}{
		{nil, "PLAINTEXT"},
		{&env.KafkaSecurity{TLS: &env.TLSConfig{}}, "SSL"},
		{&env.KafkaSecurity{SASL: &env.SASLConfig{Mechanism: "PLAIN", User: "ann", Password: pw}}, "SASL_PLAINTEXT, SASL PLAIN (user ann)"},
		{&env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: []byte("x")}, SASL: &env.SASLConfig{Mechanism: "SCRAM-SHA-512", User: "bob", Password: pw}}, "SASL_SSL, SASL SCRAM-SHA-512 (user bob)"},
	} {
		got := describeSecurity(c.s)
		if got != c.want {
			t.Errorf("describeSecurity = %q, want %q", got, c.want)
		}
		if strings.Contains(got, pw) {
			t.Errorf("describeSecurity %q contains the password", got)
		}
	}
}

func TestIsTLSErrorUnit(t *testing.T) {
	ua := x509.UnknownAuthorityError{}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("x509: certificate signed by unknown authority"), false}, // only the types count
		{io.EOF, false},
		{fmt.Errorf("dial: %w", ua), true},
		{fmt.Errorf("dial: %w", &tls.CertificateVerificationError{Err: ua}), true},
		{fmt.Errorf("dial: %w", x509.HostnameError{Host: "h"}), true},
		{fmt.Errorf("dial: %w", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), true},
		{&net.OpError{Op: "remote error", Err: fmt.Errorf("x: %w", &tls.CertificateVerificationError{Err: x509.HostnameError{}})}, true},
	} {
		if got := isTLSError(c.err); got != c.want {
			t.Errorf("isTLSError(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// xuListen serves each connection to 127.0.0.1:<port> with handle.
func xuListen(t *testing.T, handle func(net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// xuFakeBroker answers Kafka requests with respond's response (nil: close
// the connection).
func xuFakeBroker(t *testing.T, respond func(kmsg.Request) kmsg.Response) string {
	return xuListen(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			var size int32
			if binary.Read(r, binary.BigEndian, &size) != nil || size < 8 || size > 1<<20 {
				return
			}
			msg := make([]byte, size)
			if _, err := io.ReadFull(r, msg); err != nil {
				return
			}
			key := int16(binary.BigEndian.Uint16(msg))
			ver := int16(binary.BigEndian.Uint16(msg[2:]))
			corr := binary.BigEndian.Uint32(msg[4:])
			body := msg[8:]
			if len(body) < 2 {
				return
			}
			if n := int16(binary.BigEndian.Uint16(body)); n > 0 { // client id
				body = body[2+int(n):]
			} else {
				body = body[2:]
			}
			req := kmsg.RequestForKey(key)
			if req == nil {
				return
			}
			req.SetVersion(ver)
			if req.IsFlexible() { // header tagged fields
				n, k := binary.Uvarint(body)
				body = body[k:]
				for ; n > 0; n-- {
					_, k1 := binary.Uvarint(body)
					l, k2 := binary.Uvarint(body[k1:])
					body = body[k1+k2+int(l):]
				}
			}
			if req.ReadFrom(body) != nil {
				return
			}
			resp := respond(req)
			if resp == nil {
				return
			}
			resp.SetVersion(ver)
			out := binary.BigEndian.AppendUint32(make([]byte, 4), corr)
			if resp.IsFlexible() && key != 18 { // ApiVersions answers with header v0
				out = append(out, 0)
			}
			out = resp.AppendTo(out)
			binary.BigEndian.PutUint32(out, uint32(len(out)-4))
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	})
}

// xuSASLBroker is a fake broker that enables SCRAM-SHA-256 only and refuses
// every authentication.
func xuSASLBroker(t *testing.T) string {
	return xuFakeBroker(t, func(req kmsg.Request) kmsg.Response {
		switch r := req.(type) {
		case *kmsg.ApiVersionsRequest:
			resp := r.ResponseKind().(*kmsg.ApiVersionsResponse)
			for _, k := range []kmsg.Request{kmsg.NewPtrApiVersionsRequest(), kmsg.NewPtrMetadataRequest(), kmsg.NewPtrSASLHandshakeRequest(), kmsg.NewPtrSASLAuthenticateRequest()} {
				resp.ApiKeys = append(resp.ApiKeys, kmsg.ApiVersionsResponseApiKey{ApiKey: k.Key(), MaxVersion: k.MaxVersion()})
			}
			return resp
		case *kmsg.SASLHandshakeRequest:
			resp := r.ResponseKind().(*kmsg.SASLHandshakeResponse)
			resp.SupportedMechanisms = []string{"SCRAM-SHA-256"}
			if r.Mechanism != "SCRAM-SHA-256" {
				resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
			}
			return resp
		case *kmsg.SASLAuthenticateRequest:
			resp := r.ResponseKind().(*kmsg.SASLAuthenticateResponse)
			resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
			msg := "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256"
			resp.ErrorMessage = &msg
			return resp
		}
		return nil
	})
}

func TestProbeKafkaErrorClassification(t *testing.T) {
	caPEM, chainPEM, keyPEM, err := local.NewServerCert()
	if err != nil {
		t.Fatal(err)
	}
	otherCA, _, _, err := local.NewServerCert()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(chainPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tlsAddr := xuListen(t, func(c net.Conn) {
		tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake()
	})
	httpAddr := xuListen(t, func(c net.Conn) {
		c.Read(make([]byte, 512))
		io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
	})
	saslAddr := xuSASLBroker(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	pw := "probe-" + xuRand(t)
	xuSecrets.Add(pw)
	for _, c := range []struct {
		name string
		addr string
		sec  *env.KafkaSecurity
		auth bool
		want []string
	}{
		{"untrusted server certificate", tlsAddr, &env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: otherCA}}, true,
			[]string{"kafka " + tlsAddr + ": TLS handshake failed (SSL)", "certificate"}},
		{"TLS to a plaintext port", httpAddr, &env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: caPEM}}, true,
			[]string{"kafka " + httpAddr + ": TLS handshake failed (SSL)"}},
		{"wrong server name", tlsAddr, &env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: caPEM, ServerName: "kafka.example"}}, true,
			[]string{"TLS handshake failed", "kafka.example"}},
		{"SCRAM refused", saslAddr, &env.KafkaSecurity{SASL: &env.SASLConfig{Mechanism: "SCRAM-SHA-256", User: "u", Password: pw}}, true,
			[]string{"kafka " + saslAddr + ": authentication failed (SASL_PLAINTEXT, SASL SCRAM-SHA-256 (user u))", "password_env/password_file"}},
		{"mechanism not enabled", saslAddr, &env.KafkaSecurity{SASL: &env.SASLConfig{Mechanism: "PLAIN", User: "u", Password: pw}}, true,
			[]string{"kafka " + saslAddr + ": the brokers refuse SASL_PLAINTEXT, SASL PLAIN (user u)"}},
		{"nothing listening", closedAddr, nil, false,
			[]string{"kafka " + closedAddr + " (PLAINTEXT): "}},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			start := time.Now()
			v, err := probeKafka(ctx, &env.Endpoints{KafkaBootstrap: []string{c.addr}, Security: c.sec})
			if err == nil {
				t.Fatalf("no error (version %q)", v)
			}
			if ctx.Err() != nil {
				t.Fatalf("the probe ran into its deadline after %s: %v", time.Since(start), err)
			}
			var ae *AuthError
			if errors.As(err, &ae) != c.auth {
				t.Errorf("AuthError: %v, want %v (%T: %v)", ae != nil, c.auth, err, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}
