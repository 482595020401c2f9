package local

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/abload/abload/harness/env"
)

// SecureListener asks the local environment's broker for one more listener,
// SECURE: SASL_SSL on a free 127.0.0.1 port, with a server certificate from
// a throwaway CA generated per start and SCRAM-SHA-256 and SCRAM-SHA-512
// credentials for one user, bootstrapped when the storage is formatted.
type SecureListener struct {
	// User is the SCRAM user ("abload" if empty): letters, digits, '.', '_', '-'.
	User string
	// Password is the user's password; empty: a random one per start.
	// Printable ASCII without spaces, quotes, backslashes, ',', '=', '[' or ']'
	// (the storage tool's credential syntax).
	Password string
}

// SecureEndpoint is what a client needs to reach the SECURE listener.
type SecureEndpoint struct {
	Addr     string // host:port of the SASL_SSL listener
	CAPEM    []byte // the CA that signed the broker's certificate
	CAFile   string // the same CA as a file in the environment's WorkDir
	User     string
	Password string
}

// String describes the endpoint without its password.
func (s SecureEndpoint) String() string {
	return fmt.Sprintf("SASL_SSL %s (user %s, SCRAM-SHA-256/SCRAM-SHA-512, CA %s)", s.Addr, s.User, s.CAFile)
}

// Security is the client configuration for this endpoint: TLS verifying the
// generated CA for the listener's IP, and SASL with mechanism (PLAIN,
// SCRAM-SHA-256 or SCRAM-SHA-512; the broker enables the SCRAM ones).
func (s SecureEndpoint) Security(mechanism string) env.KafkaSecurity {
	host, _, _ := net.SplitHostPort(s.Addr)
	return env.KafkaSecurity{
		TLS:  &env.TLSConfig{CAPEM: s.CAPEM, ServerName: host},
		SASL: &env.SASLConfig{Mechanism: mechanism, User: s.User, Password: s.Password},
	}
}

// SCRAM mechanisms the SECURE listener enables.
var secureMechanisms = []string{"SCRAM-SHA-256", "SCRAM-SHA-512"}

// secureMaterial is what one start of a secured broker uses: the CA, the
// server's key and certificate chain, and the credentials.
type secureMaterial struct {
	caPEM          []byte
	caFile         string // the CA certificate (PEM)
	keystoreFile   string // the server's key, then its chain (PEM)
	user, password string
}

// newSecureMaterial generates a throwaway CA and a certificate for
// 127.0.0.1 and localhost signed by it, writes the CA to dir/ca.pem and the
// server's unencrypted key and chain to dir/server.pem (both mode 0600), and
// settles the user and password.
func newSecureMaterial(dir string, s SecureListener) (*secureMaterial, error) {
	m := &secureMaterial{user: s.User, password: s.Password}
	if m.user == "" {
		m.user = "abload"
	}
	if err := checkScramUser(m.user); err != nil {
		return nil, err
	}
	if m.password == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		m.password = base64.RawURLEncoding.EncodeToString(b)
	} else if err := checkScramPassword(m.password); err != nil {
		return nil, err
	}
	caPEM, chainPEM, keyPEM, err := NewServerCert()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	m.caPEM = caPEM
	m.caFile, m.keystoreFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem")
	if err := os.WriteFile(m.caFile, caPEM, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(m.keystoreFile, append(keyPEM, chainPEM...), 0o600); err != nil {
		return nil, err
	}
	return m, nil
}

// scramArgs are the storage tool's --add-scram options for the user.
func (m *secureMaterial) scramArgs() []string {
	var out []string
	for _, mech := range secureMechanisms {
		out = append(out, "--add-scram", fmt.Sprintf("%s=[name=%s,password=%s]", mech, m.user, m.password))
	}
	return out
}

func checkScramUser(u string) error {
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("secure listener: user %q: only letters, digits, '.', '_' and '-' are allowed", u)
		}
	}
	return nil
}

// checkScramPassword refuses what the storage tool's credential syntax or a
// JVM argument file would read differently. The password is not quoted in
// the error.
func checkScramPassword(p string) error {
	for _, r := range p {
		if r <= ' ' || r > '~' || strings.ContainsRune(`"'\,=[]`, r) {
			return errors.New(`secure listener: the password may hold printable ASCII only, without spaces, quotes, backslashes, ',', '=', '[' or ']'`)
		}
	}
	return nil
}

// NewServerCert returns a fresh CA certificate, the chain (server
// certificate, then the CA) and the server's unencrypted PKCS#8 key, all PEM;
// ECDSA P-256, valid from an hour ago for 30 days.
func NewServerCert() (caPEM, chainPEM, keyPEM []byte, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	serial := func() *big.Int {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
		return n
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "abload throwaway CA", Organization: []string{"abload"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		return nil, nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	srv := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1", Organization: []string{"abload"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srv, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	chainPEM = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}), caPEM...)
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return caPEM, chainPEM, keyPEM, nil
}

// writeJVMArgFile writes args as a java launcher argument file (one quoted
// argument a line), mode 0600, so that they stay out of the command line.
func writeJVMArgFile(path string, args []string) error {
	var b strings.Builder
	q := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	for _, a := range args {
		b.WriteString(`"` + q.Replace(a) + "\"\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
