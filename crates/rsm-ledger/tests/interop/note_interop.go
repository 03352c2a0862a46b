// Command note_interop checks rsm-ledger's notes against golang.org/x/mod/sumdb/note, the
// reference implementation of C2SP signed notes, and against a cosignature/v1 verifier and
// signer written here from the C2SP tlog-cosignature spec.
//
// Usage (GOPATH mode, with Debian's golang-golang-x-mod-dev):
//
//	note_interop verify VKEY [COSIGNER-VKEY...] < note      prints "OK <n>" and the names
//	note_interop sign SKEY < text                            prints the signed note
//	note_interop cosign NAME HEXSEED TIMESTAMP < text        prints a cosignature line
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	ts := binary.BigEndian.Uint64(sig)
	m := fmt.Sprintf("cosignature/v1\ntime %d\n%s", ts, msg)
	return ed25519.Verify(v.key, []byte(m), sig[8:])
}

func keyHash(name string, typ byte, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', typ})
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func newCosigVerifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, errors.New("bad vkey")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		return nil, errors.New("bad cosigner key")
	}
	h := keyHash(parts[0], 0x04, raw[1:])
	if fmt.Sprintf("%08x", h) != parts[1] {
		return nil, errors.New("key hash mismatch")
	}
	return &cosigVerifier{name: parts[0], hash: h, key: ed25519.PublicKey(raw[1:])}, nil
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	switch os.Args[1] {
	case "verify":
		var vs []note.Verifier
		v, err := note.NewVerifier(os.Args[2])
		if err != nil {
			fail(err)
		}
		vs = append(vs, v)
		for _, k := range os.Args[3:] {
			c, err := newCosigVerifier(k)
			if err != nil {
				fail(err)
			}
			vs = append(vs, c)
		}
		n, err := note.Open(in, note.VerifierList(vs...))
		if err != nil {
			fail(err)
		}
		fmt.Printf("OK %d\n", len(n.Sigs))
		for _, s := range n.Sigs {
			fmt.Println(s.Name)
		}
	case "sign":
		s, err := note.NewSigner(os.Args[2])
		if err != nil {
			fail(err)
		}
		out, err := note.Sign(&note.Note{Text: string(in)}, s)
		if err != nil {
			fail(err)
		}
		os.Stdout.Write(out)
	case "cosign":
		seed, err := hex.DecodeString(os.Args[3])
		if err != nil || len(seed) != 32 {
			fail(errors.New("bad seed"))
		}
		ts, err := strconv.ParseUint(os.Args[4], 10, 63)
		if err != nil {
			fail(err)
		}
		k := ed25519.NewKeyFromSeed(seed)
		pub := k.Public().(ed25519.PublicKey)
		m := fmt.Sprintf("cosignature/v1\ntime %d\n%s", ts, in)
		sig := make([]byte, 4+8, 4+8+ed25519.SignatureSize)
		binary.BigEndian.PutUint32(sig, keyHash(os.Args[2], 0x04, pub))
		binary.BigEndian.PutUint64(sig[4:], ts)
		sig = append(sig, ed25519.Sign(k, []byte(m))...)
		fmt.Printf("\u2014 %s %s\n", os.Args[2], base64.StdEncoding.EncodeToString(sig))
	default:
		fail(errors.New("unknown mode"))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
