package local

import (
	"bytes"
	"net/http"
	"os"
	"sync"
	"time"
	_ "unsafe" // go:linkname, for flushSnapshots
)

// Durability of the data kept in KUMO_DATA_DIR.
//
// kumo v0.33 keeps each service's state in memory and writes it to
// KUMO_DATA_DIR as one JSON snapshot per service (dynamodb.json, ses.json,
// s3.json; S3 object bodies go to s3-objects/ as they are put). A write only
// marks its service dirty; a background goroutine rewrites dirty snapshots
// about once a second (KUMO_PERSIST_FLUSH_INTERVAL_MS). The services save
// themselves on Close, but kumo's public API (kumo.NewServer) never closes
// them. So a kill -9 lost up to a second of acknowledged writes, and so did
// a clean stop, which exited without a last snapshot.
//
// The local stack therefore takes the snapshots over. kumo's own flusher is
// turned off, and its flush is called here, one caller at a time:
//   - before a request to the local API that may write (any method but GET,
//     HEAD and OPTIONS) is answered, so an acknowledged request is on disk;
//   - every second, for the work done in the background (stream deliveries,
//     schedules firing on real time) and for writes by other processes
//     through the emulator's port (go run ./infra/cmd/tokens);
//   - when the program stops.
//
// Serialising the flushes is what makes "on disk" true when flush returns:
// kumo's flush clears a snapshot's dirty mark before it writes the file, so
// a flush running at the same time as another one can return while the file
// holding our write is still being written by the other.
//
// A flush rewrites whole snapshots: its cost grows with the data (about
// 4 MB of table and 10 MB of mail once the demo data is in). Snapshots are
// written and renamed into place but not fsynced, as kumo does: what the
// program has written survives the program's death, not the machine's.

// flushSnapshots writes every dirty snapshot of the emulator now. kumo
// exports it only from an internal package, for its tests; the version is
// pinned in go.mod, and TestKillAfterAnAcknowledgedApplication in
// infra/cmd/local fails if it stops doing what is described above.
//
//go:linkname flushSnapshots github.com/sivchari/kumo/internal/storage.FlushSnapshots
func flushSnapshots()

// kumoFlushOff is the interval, in milliseconds (about 31 years), that
// keeps kumo's background flusher from ever ticking. It must be set before
// the emulator's first write, when the flusher starts and reads it; no
// service writes while it loads its snapshot. TestOnlyTheStackWritesTheData
// in infra/cmd/local checks that the flusher stays off.
const kumoFlushOff = "1000000000000"

// flushEvery is how often background work is written to disk.
const flushEvery = time.Second

// persistence is the process's one writer of the emulator's snapshots, as
// the emulator is the process's one store.
type persistence struct {
	mu   sync.Mutex
	on   bool // the emulator runs in this process and keeps its data
	held int  // flushes are deferred while positive
}

var disk persistence

// keep turns persistence on, if the emulator this process starts keeps its
// data (KUMO_DATA_DIR, which kumo reads when the program starts). It is
// called once, before the emulator is created.
func (p *persistence) keep() {
	if os.Getenv("KUMO_DATA_DIR") == "" {
		return
	}
	_ = os.Setenv("KUMO_PERSIST_FLUSH_INTERVAL_MS", kumoFlushOff)
	p.mu.Lock()
	p.on = true
	p.mu.Unlock()
	go func() {
		for range time.Tick(flushEvery) {
			p.flush()
		}
	}()
}

func (p *persistence) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on && p.held == 0 {
		flushSnapshots()
	}
}

func (p *persistence) kept() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.on
}

// Persist writes to KUMO_DATA_DIR whatever the emulator holds that is not
// there yet, and returns once it is written. It does nothing when the data
// is not kept, or while HoldPersistence holds it back.
func Persist() { disk.flush() }

// Persistent reports whether the emulator's data is kept in KUMO_DATA_DIR
// and written by Persist.
func Persistent() bool { return disk.kept() }

// HoldPersistence defers every write to disk until release is called, which
// writes what was held back. It makes a sequence of writes all or nothing
// across a crash: rebuilding the table at start, seeding the demo data. It
// must not be held while the local API serves requests, whose answers would
// then come before their writes are on disk.
func HoldPersistence() (release func()) {
	disk.mu.Lock()
	disk.held++
	disk.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			disk.mu.Lock()
			disk.held--
			disk.mu.Unlock()
			disk.flush()
		})
	}
}

// durable answers a request that may write only once what the emulator
// holds is on disk: the response is held back while the handler runs, the
// snapshots are written, then the response is sent.
func durable(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		held := &heldResponse{header: http.Header{}}
		next.ServeHTTP(held, r)
		disk.flush()
		held.send(w)
	})
}

// heldResponse is a response kept in memory until it may be sent.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.body.Write(b)
}

func (h *heldResponse) send(w http.ResponseWriter) {
	for k, v := range h.header {
		w.Header()[k] = v
	}
	if h.status == 0 {
		h.status = http.StatusOK
	}
	w.WriteHeader(h.status)
	_, _ = w.Write(h.body.Bytes())
}
